"""The `openai` provider: langchain-openai against OpenAI or any OpenAI-compatible server
(llama.cpp, Ollama, vLLM), configured by `LLMSettings` (core/settings.py).

- Structured output negotiates: json_schema, then tool calling, then json_object with the schema in
  the prompt and validation of the answer; what worked is remembered per base URL and model.
- The prompt fits a token budget (context size minus `max_tokens`, which is always sent).
- Each incident has a wall-time budget that bounds retries; retries back off (Retry-After honoured)
  and stop at once when the run is interrupted (`stop`).
- An unusable answer falls back to the offline report, labeled `offline` with the failure's kind and
  reason: the incident is never lost and never passed off as the model's.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from typing import Any
from urllib.parse import urlparse

from odoo_triage.agent.incidents import AssembledIncident
from odoo_triage.agent.llm import budget
from odoo_triage.agent.llm.cache import LlmCache, prompt_hash, remember_mode, remembered_mode
from odoo_triage.agent.llm.failures import LlmFailure, classify
from odoo_triage.agent.llm.offline import offline_report
from odoo_triage.agent.llm.report import ProviderResult, TriageReport
from odoo_triage.agent.llm.schema import answer_schema, to_report_dict
from odoo_triage.agent.llm.usage import cost_usd, tokens_from_message
from odoo_triage.agent.redact import redact
from odoo_triage.core.errors import InputError
from odoo_triage.core.settings import OPENAI_API_URL, GroundingSettings, LLMSettings, load_settings
from odoo_triage.prompts import PromptFile, load_prompt

PROMPT_NAME = "triage_report"
MODES = ("json_schema", "tools", "json_object")
_LANGCHAIN_METHOD = {"json_schema": "json_schema", "tools": "function_calling", "json_object": "json_mode"}
_MODE_ALIASES = {"function_calling": "tools", "json_mode": "json_object"}
MIN_EVIDENCE_TOKENS = 200
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}


def is_loopback(base_url: str | None) -> bool:
    host = urlparse(base_url or "").hostname or ""
    return host in LOOPBACK_HOSTS or host.startswith("127.")


def render_variables(assembled: AssembledIncident, budget_tokens: int = 6000) -> dict[str, str]:
    """The prompt's variables: everything redacted, the evidence ranked and cut to `budget_tokens`."""
    inc, facts = assembled.incident, assembled.facts

    def line(e: Any) -> str:  # the evidence is fenced: no line may close the fence or open another
        refs = ",".join(e.record_ids[:5]) + ("..." if len(e.record_ids) > 5 else "")
        return f"{e.evidence_id} | {e.kind} | {refs or '-'} | {_defang(redact(e.text))}".replace("\n", " ")

    fitted = budget.fit(inc.evidence, inc.affected_records, budget_tokens, line)
    evidence = "\n".join(fitted.lines)
    title = _defang(redact(inc.title))
    return {
        "incident_id": inc.incident_id,
        # a fence the evidence cannot guess: derived from the very text it encloses
        "fence": hashlib.sha256((title + evidence).encode()).hexdigest()[:12],
        "settable_fields": "; ".join(f"{m}: {', '.join(f)}" for m, f in GroundingSettings().set_field.items()),
        "title": title,
        "flow": inc.flow,
        "owner": facts.flow_info.owner if facts.flow_info else "unknown",
        "criticality": str(facts.flow_info.criticality) if facts.flow_info else "unknown",
        "window_start": inc.window_start.isoformat(),
        "window_end": inc.window_end.isoformat(),
        "kinds": ", ".join(inc.kinds),
        "severity": str(inc.severity),
        "severity_score": f"{inc.severity_score:.2f}",
        "cause_hint": str(inc.cause),
        "cause_confidence": f"{inc.cause_confidence:.2f}",
        "affected_records": fitted.records_text,
        "evidence": evidence,
    }


def _defang(text: str) -> str:
    """Untrusted text cannot close the prompt's data fence or open a new one."""
    return text.replace("<<<", "‹‹‹").replace(">>>", "›››").replace("`" * 3, "'" * 3)


def llm_settings(base: LLMSettings | None = None, **overrides: Any) -> LLMSettings:
    """Settings from the config/environment with per-call overrides (tests, benchmarks)."""
    base = base or load_settings().llm
    if "method" in overrides:
        overrides["structured"] = overrides.pop("method")
    if isinstance(overrides.get("structured"), str):
        overrides["structured"] = _MODE_ALIASES.get(overrides["structured"], overrides["structured"])
    overrides = {k: v for k, v in overrides.items() if v is not None}
    try:
        return LLMSettings.model_validate({**base.model_dump(), **overrides})
    except Exception as exc:
        raise InputError(f"LLM settings: {str(exc).splitlines()[-1] if str(exc) else exc}") from None


class OpenAIProvider:
    name = "openai"

    def __init__(self, settings: LLMSettings | None = None, *, cache: LlmCache | None = None,
                 prompt_version: str | None = None, **overrides: Any) -> None:
        self.settings = llm_settings(settings, **overrides)
        cfg = self.settings
        self.model = cfg.model
        self.base_url = cfg.base_url
        self.url = cfg.effective_base_url
        self.local = is_loopback(cfg.base_url)
        key = cfg.api_key.get_secret_value() if cfg.api_key else ""
        if not key and not self.local:
            raise InputError("provider openai needs OPENAI_API_KEY (or a loopback OPENAI_BASE_URL / "
                             "TRIAGE_LLM_BASE_URL such as http://127.0.0.1:8080/v1, which needs no key)")
        self._key = key or "no-key-needed-on-loopback"
        self.single_slot = self.local if cfg.single_slot is None else cfg.single_slot
        self.concurrency = cfg.concurrency or (1 if self.single_slot else 4)
        self.cache = cache or LlmCache()
        self.prompt: PromptFile = load_prompt(PROMPT_NAME, prompt_version)
        self.label = f"openai ({self.model}{' at ' + self.base_url if self.base_url else ''})"
        self.stop = threading.Event()  # set by the dispatcher on Ctrl-C: no new call, no more waiting
        self._schema = answer_schema()
        self._schema_text = json.dumps(self._schema, separators=(",", ":"))
        self._rejected: set[str] = set()  # modes this server refused during this run
        self._lock = threading.Lock()

    # -- prompt
    def _messages(self, variables: dict[str, str]) -> list[tuple[str, str]]:
        from langchain_core.prompts import ChatPromptTemplate

        template = ChatPromptTemplate.from_messages([("system", self.prompt.system), ("human", self.prompt.user)])
        return [(m.type, str(m.content)) for m in template.format_messages(**variables)]

    def evidence_budget(self, mode: str = "json_schema") -> int:
        """Tokens for the evidence; json_object carries the schema in the prompt, the others beside it."""
        fixed = self.prompt.system + self.prompt.user + (self._schema_text if mode == "json_object" else "")
        return budget.prompt_budget(self.settings.context_tokens, self.settings.max_tokens, fixed)

    def _mode_messages(self, assembled: AssembledIncident, messages: list[tuple[str, str]],
                       mode: str) -> list[tuple[str, str]]:
        if mode != "json_object":
            return messages
        room = self.evidence_budget(mode)
        if room < MIN_EVIDENCE_TOKENS:
            raise LlmFailure("prompt_too_large", f"json_object mode carries the schema in the prompt: "
                                                 f"context_tokens={self.settings.context_tokens} leaves {room} tokens "
                                                 f"for the evidence")
        messages = self._messages(render_variables(assembled, room))
        role, text = messages[-1]
        return [*messages[:-1], (role, f"{text}\n\nAnswer with one JSON object only, matching this JSON schema:\n"
                                       f"{self._schema_text}")]

    def _modes(self) -> list[str]:
        if self.settings.structured != "auto":
            return [self.settings.structured]
        known = remembered_mode(self.cache, self.url, self.model)
        order = [known] if known in MODES else []
        return order + [m for m in MODES if m not in order and m not in self._rejected]

    # -- one call
    def _chat(self, timeout_s: float) -> Any:
        from langchain_openai import ChatOpenAI

        tokens: dict[str, Any] = ({"max_tokens": self.settings.max_tokens} if self.url == OPENAI_API_URL
                                  else {"extra_body": {"max_tokens": self.settings.max_tokens}})
        return ChatOpenAI(model=self.model, api_key=self._key, base_url=self.base_url, timeout=timeout_s,
                          max_retries=0, temperature=0, **tokens)

    def _call(self, mode: str, messages: list[tuple[str, str]], timeout_s: float) -> tuple[TriageReport, Any]:
        structured = self._chat(timeout_s).with_structured_output(
            self._schema, method=_LANGCHAIN_METHOD[mode], include_raw=True)
        out = structured.invoke(messages)
        raw = out.get("raw")
        try:
            return self._read_answer(mode, out, raw), raw
        except LlmFailure as failure:
            failure.raw = raw  # type: ignore[attr-defined]
            raise

    def _read_answer(self, mode: str, out: dict[str, Any], raw: Any) -> TriageReport:
        meta = getattr(raw, "response_metadata", None) or {}
        if meta.get("finish_reason") == "length":
            raise LlmFailure("truncated", f"answer truncated (finish_reason=length) at max_tokens="
                                          f"{self.settings.max_tokens}: raise TRIAGE_LLM_MAX_TOKENS, or the model "
                                          f"loops")
        bad_calls = getattr(raw, "invalid_tool_calls", None) or []
        if bad_calls and tokens_from_message(raw)[1] >= self.settings.max_tokens:  # cut, though not said so
            raise LlmFailure("truncated", f"answer truncated at max_tokens={self.settings.max_tokens} (the tool "
                                          f"arguments stop mid-JSON; finish_reason={meta.get('finish_reason')})")
        if bad_calls:
            err = redact(str(bad_calls[0].get("error") or ""))[:120]
            raise LlmFailure("invalid_tool_arguments", f"invalid tool arguments from the model (not JSON): {err}")
        parsed = out.get("parsed")
        if out.get("parsing_error") is not None:
            err = out["parsing_error"]
            raise LlmFailure("malformed", f"answer is not the JSON asked for: {type(err).__name__}: "
                                          f"{redact(' '.join(str(err).split()))[:140]}")
        if parsed is None and mode == "tools":  # some servers ignore the tool and answer in the content
            try:
                parsed = json.loads(str(getattr(raw, "content", "") or ""))
            except ValueError:
                parsed = None
        if parsed is None:
            raise LlmFailure("malformed", f"no answer: the model returned no {'tool call' if mode == 'tools' else 'JSON'}")
        if isinstance(parsed, str):
            try:
                parsed = json.loads(parsed)
            except ValueError as exc:
                raise LlmFailure("malformed", f"answer is not JSON: {redact(str(exc))[:120]}") from None
        try:
            return TriageReport.model_validate(to_report_dict(parsed))
        except Exception as exc:
            raise LlmFailure("malformed", "answer does not fit the TriageReport schema: "
                                          f"{redact(' '.join(str(exc).split()))[:160]}") from None

    # -- one incident
    def triage(self, assembled: AssembledIncident, deadline: float | None = None) -> ProviderResult:
        cfg = self.settings
        t0 = time.monotonic()
        deadline = min(deadline or float("inf"), t0 + cfg.incident_budget_s)
        evidence_tokens = self.evidence_budget()
        base: dict[str, Any] = {"provider": self.name, "requested_provider": self.name, "model": self.model,
                "prompt_name": self.prompt.name, "prompt_version": self.prompt.version}
        if evidence_tokens < MIN_EVIDENCE_TOKENS:
            return self._fallback(assembled, base, LlmFailure(
                "prompt_too_large", f"context_tokens={cfg.context_tokens} leaves {evidence_tokens} tokens for the "
                                    f"evidence after max_tokens={cfg.max_tokens} and the instructions"), 0.0)
        messages = self._messages(render_variables(assembled, evidence_tokens))
        key = prompt_hash(self.name, self.url, self.model, self.prompt.ref, self.prompt.sha256, messages, self._schema,
                          cfg.max_tokens)
        base["prompt_hash"] = key
        hit = self.cache.get(key)
        if hit is not None:
            try:
                return ProviderResult(report=TriageReport.model_validate(hit["response"]), cached=True, **base)
            except Exception:  # an old cache entry that no longer fits the schema: ask again
                pass
        last: LlmFailure | None = None
        tried: list[str] = []
        for mode in self._modes():
            tried.append(mode)
            confirmed = cfg.structured != "auto" or remembered_mode(self.cache, self.url, self.model) == mode
            for attempt in range(cfg.max_retries + 1):
                remaining = deadline - time.monotonic()
                if self.stop.is_set():
                    return self._fallback(assembled, base, LlmFailure("interrupted", "the run was interrupted"),
                                          time.monotonic() - t0)
                if remaining < 0.05:
                    return self._fallback(assembled, base, LlmFailure(
                        "deadline", f"time budget spent ({cfg.incident_budget_s:g} s per incident or the run's "
                                    f"budget){'; last: ' + str(last) if last else ''}"), time.monotonic() - t0)
                try:
                    report, raw = self._call(mode, self._mode_messages(assembled, messages, mode),
                                             min(cfg.timeout_s, remaining))
                except Exception as exc:  # noqa: BLE001 - every failure ends as a recorded fallback
                    last = classify(exc, url=self.url, model=self.model, max_tokens=cfg.max_tokens)
                    if last.mode_rejected and not confirmed and cfg.structured == "auto":
                        with self._lock:
                            self._rejected.add(mode)
                        break  # this server refuses the mode: the next one, not a retry
                    # a loopback server is single-slot: it keeps computing the abandoned call, so a retry
                    # after a timeout only queues behind it
                    retry = last.retryable and not (self.single_slot and last.kind == "timeout")
                    if retry and attempt < cfg.max_retries:
                        wait = last.retry_after_s if last.retry_after_s is not None else min(0.5 * 2 ** attempt, 8.0)
                        self.stop.wait(max(0.0, min(wait, deadline - time.monotonic())))
                        continue
                    usage = self._usage(getattr(exc, "raw", None), time.monotonic() - t0)
                    return self._fallback(assembled, base, last, usage["latency_s"], usage, mode)
                usage = self._usage(raw, time.monotonic() - t0)
                if cfg.structured == "auto":
                    remember_mode(self.cache, self.url, self.model, mode)
                self.cache.put(key, provider=self.name, model=self.model, response=report.model_dump(mode="json"),
                               prompt_tokens=usage["prompt_tokens"], completion_tokens=usage["completion_tokens"],
                               cost_usd=usage["cost_usd"])
                return ProviderResult(report=report, structured_mode=mode, **base, **usage)
        failure = last or LlmFailure("rejected", "no structured-output mode left to try")
        if failure.mode_rejected and len(tried) > 1:
            failure = LlmFailure(failure.kind, f"the server refused every structured-output mode "
                                               f"({', '.join(tried)}); last: {failure.message}")
        return self._fallback(assembled, base, failure, time.monotonic() - t0, mode=",".join(tried))

    def _usage(self, raw: Any, latency: float) -> dict[str, Any]:
        p_tok, c_tok = tokens_from_message(raw)
        return {"prompt_tokens": p_tok, "completion_tokens": c_tok, "latency_s": latency,
                "cost_usd": cost_usd(self.settings.prices, self.url, self.model, p_tok, c_tok)}

    def _fallback(self, assembled: AssembledIncident, base: dict[str, Any], failure: LlmFailure, latency: float,
                  usage: dict[str, Any] | None = None, mode: str = "") -> ProviderResult:
        return fallback_result(assembled, base, failure, latency, usage, mode)


def fallback_result(assembled: AssembledIncident, base: dict[str, Any], failure: LlmFailure, latency: float = 0.0,
                    usage: dict[str, Any] | None = None, mode: str = "") -> ProviderResult:
    """The offline report standing in for a model's answer: labeled offline, with why."""
    values = {**base, **(usage or {}), "latency_s": latency, "provider": "offline", "structured_mode": mode}
    return ProviderResult(report=offline_report(assembled), fallback_kind=failure.kind,
                          fallback_reason=f"{failure.kind}: {failure.message}", **values)
