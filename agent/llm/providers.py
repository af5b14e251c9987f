"""The provider registry: `offline` (deterministic, agent/llm/offline.py) and `openai` (any
OpenAI-compatible server, agent/llm/openai_provider.py). The default is openai when an API key or
an LLM base URL is configured, else offline."""

from __future__ import annotations

from typing import Any

from odoo_triage.agent.llm.cache import LlmCache
from odoo_triage.agent.llm.offline import (
    OFFLINE_LABEL,
    OfflineProvider,
    offline_actions,
    offline_report,
    records_of_cause,
)
from odoo_triage.agent.llm.openai_provider import OpenAIProvider, render_variables
from odoo_triage.agent.llm.report import ProviderResult
from odoo_triage.core.errors import InputError
from odoo_triage.core.settings import load_settings

PROVIDERS = ("offline", "openai")

__all__ = ["OFFLINE_LABEL", "PROVIDERS", "OfflineProvider", "OpenAIProvider", "ProviderResult", "default_provider_name",
           "get_provider", "offline_actions", "offline_report", "records_of_cause", "render_variables"]


def default_provider_name() -> str:
    llm = load_settings().llm
    return "openai" if llm.api_key or llm.base_url else "offline"


def get_provider(name: str | None = None, *, cache: LlmCache | None = None,
                 **kwargs: Any) -> OfflineProvider | OpenAIProvider:
    name = name or default_provider_name()
    if name == "offline":
        return OfflineProvider()
    if name == "openai":
        return OpenAIProvider(cache=cache, **kwargs)
    raise InputError(f"unknown provider {name!r}: use {' or '.join(PROVIDERS)}")
