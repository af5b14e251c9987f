"""The triage report: what a provider (offline or LLM) says about one incident.

`TriageReport` is the structured-output schema the LLM fills. Actions are kept loose here
(`action` a string, `params` a dict) on purpose: an off-list action must reach the grounding
guard to be rejected and counted, not vanish in a schema error that loses the whole report.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from odoo_triage.core.domain import Cause


class ProposedAction(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: str = Field(description="One of: requeue_jobs, merge_partners, archive_project, set_field, post_note, escalate")
    params: dict[str, Any] = Field(default_factory=dict, description="The action's parameters, exactly as the allow-list types them")
    rationale: str = Field(default="", description="Why this action, citing evidence ids")
    evidence_ids: list[str] = Field(default_factory=list, description="Evidence ids this action rests on")


class TriageReport(BaseModel):
    model_config = ConfigDict(extra="forbid")

    summary: str = Field(description="Two or three sentences: what broke, where, since when")
    probable_cause: Cause = Field(description="The most probable cause category")
    business_impact: str = Field(description="Who and what is affected, in business terms")
    evidence_ids: list[str] = Field(description="Ids of the evidence items the summary rests on; only ids given in the incident")
    actions: list[ProposedAction] = Field(description="Proposed remediation, from the allow-list only")
    confidence: float = Field(ge=0.0, le=1.0, description="0..1")


@dataclass
class ProviderResult:
    """One provider's answer for one incident, with its provenance. `provider` names who actually
    wrote the report: `offline` when a model's answer was unusable, even if `openai` was asked
    (`requested_provider`); `fallback_kind` and `fallback_reason` then say why."""

    report: TriageReport
    provider: str
    requested_provider: str = ""
    model: str = ""
    prompt_name: str = ""
    prompt_version: str = ""
    prompt_hash: str = ""
    structured_mode: str = ""  # json_schema | tools | json_object: how the model was asked for JSON
    cached: bool = False
    fallback_kind: str = ""  # timeout, not_openai_compatible, truncated, invalid_tool_arguments, circuit_open, ...
    fallback_reason: str = ""
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    latency_s: float = 0.0

    @property
    def answered_by_model(self) -> bool:
        return self.provider != "offline" and not self.fallback_reason


class RejectedAction(BaseModel):
    """A proposed action the guard refused, kept for the audit: never passed on."""

    action: str
    params: dict[str, Any] = Field(default_factory=dict)
    reason: str


class ReviewedReport(BaseModel):
    """A report after the grounding guard, with where it came from and what it cost."""

    incident_id: str
    report: TriageReport
    provider: str  # who wrote the report: offline when the model's answer was unusable
    requested_provider: str = ""
    model: str = ""
    prompt_name: str = ""
    prompt_version: str = ""
    prompt_hash: str = ""
    structured_mode: str = ""
    cached: bool = False
    fallback_kind: str = ""
    fallback_reason: str = ""  # set when an LLM answer was unusable and the offline report stands in
    rejected: list[RejectedAction] = Field(default_factory=list)
    ungrounded_evidence_ids: list[str] = Field(default_factory=list)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    latency_s: float = 0.0
