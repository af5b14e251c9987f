"""Token and cost accounting. Prices are USD per million tokens, list prices as of 2026;
a model not in the table (a local Ollama/vLLM model) costs nothing."""

from __future__ import annotations

from typing import Any

PRICES_PER_MTOK: dict[str, tuple[float, float]] = {  # model prefix -> (input, output)
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4o": (2.50, 10.00),
    "gpt-4.1-nano": (0.10, 0.40),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1": (2.00, 8.00),
    "gpt-5-nano": (0.05, 0.40),
    "gpt-5-mini": (0.25, 2.00),
    "gpt-5": (1.25, 10.00),
    "o4-mini": (1.10, 4.40),
}


def price_for(model: str) -> tuple[float, float]:
    """Longest matching prefix wins, so gpt-4o-mini is not priced as gpt-4o."""
    best = ""
    for prefix in PRICES_PER_MTOK:
        if model.startswith(prefix) and len(prefix) > len(best):
            best = prefix
    return PRICES_PER_MTOK.get(best, (0.0, 0.0))


def cost_usd(model: str, prompt_tokens: int, completion_tokens: int) -> float:
    inp, out = price_for(model)
    return round((prompt_tokens * inp + completion_tokens * out) / 1_000_000, 8)


def tokens_from_message(msg: Any) -> tuple[int, int]:
    """(prompt, completion) tokens from a langchain AIMessage's usage_metadata, 0 when absent."""
    usage = getattr(msg, "usage_metadata", None) or {}
    return int(usage.get("input_tokens", 0) or 0), int(usage.get("output_tokens", 0) or 0)
