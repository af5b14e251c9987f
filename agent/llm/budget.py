"""The prompt's token budget: what of an incident's evidence fits the server's context.

The context holds the prompt and the answer, so the prompt gets `context_tokens - max_tokens` minus
the schema and a margin. Evidence is ranked (anomalies, clusters and signatures first, then events
round-robin over their error shapes, so ten distinct errors are shown before the hundredth copy of
one) and added until the budget is spent; what is left out is summarised in one line. Even the
largest incident gets a prompt that fits instead of a refusal from the server.

Tokens are estimated without a tokenizer (none is shared by OpenAI, llama.cpp and Ollama models):
2.5 characters a token, which over-counts English for GPT tokenizers and matches what SmolLM2's
tokenizer made of our prompts (4,616 characters -> 1,793 tokens).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from odoo_triage.core.domain import EvidenceItem

CHARS_PER_TOKEN = 2.5
MARGIN_TOKENS = 128
LINE_CHARS = 320  # one evidence line at most; a log line longer than this is cut
RECORDS_SHOWN_MAX = 200


def estimate_tokens(text: str) -> int:
    return int(len(text) / CHARS_PER_TOKEN) + 1


def prompt_budget(context_tokens: int, max_tokens: int, fixed_text: str) -> int:
    """Tokens left for the evidence once the answer, the fixed prompt text and a margin are set aside."""
    return context_tokens - max_tokens - MARGIN_TOKENS - estimate_tokens(fixed_text)


_RANK = {"anomaly": 0, "cluster": 1, "signature": 2}


def _shape(text: str) -> str:
    return re.sub(r"\d+", "0", text)[:120]


def ranked(evidence: list[EvidenceItem]) -> list[EvidenceItem]:
    """Summaries first, then events spread over their distinct shapes (most frequent shape first)."""
    head = sorted((e for e in evidence if e.kind in _RANK), key=lambda e: _RANK[e.kind])
    by_shape: dict[str, list[EvidenceItem]] = defaultdict(list)
    for e in evidence:
        if e.kind not in _RANK and e.kind != "record":
            by_shape[_shape(e.text)].append(e)
    queues = sorted(by_shape.values(), key=len, reverse=True)
    events: list[EvidenceItem] = []
    depth = 0
    while any(depth < len(q) for q in queues):
        events.extend(q[depth] for q in queues if depth < len(q))
        depth += 1
    return head + events


@dataclass
class FittedEvidence:
    lines: list[str]
    shown: int
    left_out: int
    records_text: str
    tokens: int


def fit(evidence: list[EvidenceItem], records: list[str], budget_tokens: int, render) -> FittedEvidence:  # noqa: ANN001
    """Evidence lines (rendered by `render(item)`) and the affected-records text within the budget.
    The records get at most a quarter of it; the evidence the rest."""
    ranked_items = ranked(evidence)
    record_budget = max(budget_tokens // 4, 0)
    shown_records: list[str] = []
    used = 0
    for ref in records[:RECORDS_SHOWN_MAX]:
        cost = estimate_tokens(ref) + 1
        if used + cost > record_budget:
            break
        shown_records.append(ref)
        used += cost
    more = len(records) - len(shown_records)
    records_text = (", ".join(shown_records) + (f" (+{more} more)" if more > 0 else "")) if records else "none"
    used = estimate_tokens(records_text)
    lines: list[str] = []
    reserve = 30  # the "more not shown" line
    for item in ranked_items:
        line = render(item)[:LINE_CHARS]
        cost = estimate_tokens(line) + 1
        if used + cost > budget_tokens - reserve:
            break
        lines.append(line)
        used += cost
    left = len(ranked_items) - len(lines)
    if left > 0:
        kinds = sorted({e.kind for e in ranked_items[len(lines):]})
        lines.append(f"(+{left} more evidence items ({', '.join(kinds)}) not shown: the prompt budget is spent)")
    return FittedEvidence(lines=lines, shown=len(lines) - (left > 0), left_out=left, records_text=records_text,
                          tokens=used)
