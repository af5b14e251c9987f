"""The LLM answer cache, keyed by the hash of everything that shapes an answer (provider,
model, prompt version, the rendered messages, the schema): a re-run on the same incident
costs no tokens. Backed by `LlmCacheRow` when a store is given, a dict otherwise."""

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
