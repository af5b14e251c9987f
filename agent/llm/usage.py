"""Token and cost accounting. Prices come from `LLMSettings.prices`, keyed by the server's base URL
and then a model prefix (the longest prefix wins, so gpt-4o-mini is not priced as gpt-4o). A local or
unknown server costs nothing unless the settings price it: a llama.cpp server answering to the name
gpt-4o-mini is not billed at OpenAI's prices."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from odoo_triage.core.settings import ModelPrice


def price_for(prices: Mapping[str, Mapping[str, ModelPrice]], base_url: str, model: str) -> ModelPrice | None:
    table = prices.get(base_url.rstrip("/"))
    if not table:
        return None
    best = max((p for p in table if model.startswith(p)), key=len, default=None)
    return table[best] if best is not None else None


def cost_usd(prices: Mapping[str, Mapping[str, ModelPrice]], base_url: str, model: str,
             prompt_tokens: int, completion_tokens: int) -> float:
    price = price_for(prices, base_url, model)
    if price is None:
        return 0.0
    return round((prompt_tokens * price.input + completion_tokens * price.output) / 1_000_000, 8)


def tokens_from_message(msg: Any) -> tuple[int, int]:
    """(prompt, completion) tokens from a langchain AIMessage's usage_metadata, 0 when absent."""
    usage = getattr(msg, "usage_metadata", None) or {}
    return int(usage.get("input_tokens", 0) or 0), int(usage.get("output_tokens", 0) or 0)
