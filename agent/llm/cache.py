"""The LLM answer cache, keyed by the hash of everything that shapes an answer (provider,
model, prompt version, the rendered messages, the schema): a re-run on the same incident
costs no tokens. Backed by `LlmCacheRow` when a store is given, a dict otherwise.
It also remembers, per server and model, which structured-output mode worked."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from odoo_triage.agent.store import Store
from odoo_triage.agent.store.tables import LlmCacheRow
from odoo_triage.core.redact import redact_obj


def prompt_hash(*parts: Any) -> str:
    blob = json.dumps(parts, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


class LlmCache:
    def __init__(self, store: Store | None = None) -> None:
        self.store = store
        self._memory: dict[str, dict[str, Any]] = {}

    def get(self, key: str) -> dict[str, Any] | None:
        if key in self._memory:
            return self._memory[key]
        if self.store is None:
            return None
        with self.store.session() as s:
            row = s.get(LlmCacheRow, key)
            if row is None:
                return None
            hit = {"response": row.response, "prompt_tokens": row.prompt_tokens,
                   "completion_tokens": row.completion_tokens, "cost_usd": row.cost_usd,
                   "provider": row.provider, "model": row.model}
        self._memory[key] = hit
        return hit

    def put(self, key: str, *, provider: str, model: str, response: dict[str, Any],
            prompt_tokens: int, completion_tokens: int, cost_usd: float) -> None:
        response = redact_obj(response)  # a model's answer is untrusted text: masked before it is kept
        hit = {"response": response, "prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
               "cost_usd": cost_usd, "provider": provider, "model": model}
        self._memory[key] = hit
        if self.store is None:
            return
        with self.store.session() as s:
            row = s.get(LlmCacheRow, key)
            if row is None:
                s.add(LlmCacheRow(prompt_hash=key, provider=provider, model=model, response=response,
                                  prompt_tokens=prompt_tokens, completion_tokens=completion_tokens,
                                  cost_usd=cost_usd))
            else:
                row.response, row.prompt_tokens, row.completion_tokens = response, prompt_tokens, completion_tokens
                row.cost_usd, row.provider, row.model = cost_usd, provider, model


MODE_PROVIDER = "structured-mode"


def remembered_mode(cache: LlmCache, base_url: str, model: str) -> str | None:
    """The structured-output mode that last worked on this server and model, if any."""
    hit = cache.get(prompt_hash(MODE_PROVIDER, base_url.rstrip("/"), model))
    return str(hit["response"].get("mode")) if hit else None


def remember_mode(cache: LlmCache, base_url: str, model: str, mode: str) -> None:
    if remembered_mode(cache, base_url, model) == mode:
        return
    cache.put(prompt_hash(MODE_PROVIDER, base_url.rstrip("/"), model), provider=MODE_PROVIDER, model=model,
              response={"mode": mode}, prompt_tokens=0, completion_tokens=0, cost_usd=0.0)
