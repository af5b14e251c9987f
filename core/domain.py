"""The domain model: the records every stage hands to the next.

These pydantic models are the contract between detectors/, matchers/, agent/, app/ and evals/.
Inner loops may use plain tuples or DataFrames for speed, but anything crossing a module
boundary, the store or the CLI is one of these.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from odoo_triage.core.calendar import FlowCalendar
from odoo_triage.core.clock import utcnow


def stable_id(prefix: str, *parts: object) -> str:
    """Deterministic id, so re-running on the same input updates rather than duplicates."""
    digest = hashlib.sha1("\x1f".join(str(p) for p in parts).encode()).hexdigest()[:16]
    return f"{prefix}-{digest}"


def payload_hash(payload: Any) -> str:
    """SHA-256 of a canonical JSON form: approvals are bound to this exact value."""
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


class _Model(BaseModel):
    model_config = ConfigDict(use_enum_values=False, extra="forbid")


# --------------------------------------------------------------------------- log events


class EventStatus(StrEnum):
    ok = "ok"
    error = "error"
    retry = "retry"


class LogEvent(_Model):
    """One integration message or job execution, whatever format it was read from."""

    event_id: str
    timestamp: datetime
    flow: str
    source_system: str = ""
    target_system: str = ""
    operation: str = ""
    status: EventStatus
    latency_ms: float | None = None
    http_status: int | None = None
    error: str | None = None
    retry_count: int = 0
    correlation_id: str | None = None
    idempotency_key: str | None = None
    record_ids: list[str] = Field(default_factory=list)  # "res.partner:42", "queue.job:<uuid>"
    source_file: str | None = None
    line_no: int | None = None

    @field_validator("timestamp")
    @classmethod
    def _aware(cls, v: datetime) -> datetime:
        return v if v.tzinfo else v.replace(tzinfo=UTC)


class RejectedLine(_Model):
    """A line a reader could not parse: kept aside with where it came from, never dropped."""

    source_file: str
    line_no: int
    reason: str
    raw: str


# --------------------------------------------------------------------------- anomalies


class AnomalyKind(StrEnum):
    error_spike = "error_spike"
    latency_shift = "latency_shift"
    volume_drop = "volume_drop"
    silent_flow = "silent_flow"
    retry_storm = "retry_storm"
    duplicate_delivery = "duplicate_delivery"
    new_error_signature = "new_error_signature"
    multivariate = "multivariate"


#: The failed events an anomaly hands its remedies (every failed job is requeued, in proposals of at most 500
#: each, or handed over with an escalation of at most ESCALATION_RECORDS): as many as an escalation carries.
MAX_REMEDY_EVENTS = 5000


class Anomaly(_Model):
    anomaly_id: str
    kind: AnomalyKind
    flow: str
    window_start: datetime
    window_end: datetime
    score: float = Field(ge=0.0, le=1.0)
    reason: str
    evidence_event_ids: list[str] = Field(default_factory=list)
    signature: str | None = None  # error template, where the anomaly is about one
    metrics: dict[str, float] = Field(default_factory=dict)
    related_kinds: list[AnomalyKind] = Field(default_factory=list)  # filled by the combiner
    # Every event a remediation acts on (each job that gave up, each repeated delivery), beyond the
    # readable sample above, so a proposal can cover all affected records and still be grounded.
    remedy_event_ids: list[str] = Field(default_factory=list, max_length=MAX_REMEDY_EVENTS)

    def cited_event_ids(self) -> list[str]:
        """The evidence sample, then the remedy events not already in it."""
        seen = set(self.evidence_event_ids)
        return [*self.evidence_event_ids, *(e for e in self.remedy_event_ids if e not in seen)]


# --------------------------------------------------------------------------- duplicates


class RecordModel(StrEnum):
    partner = "res.partner"
    project = "project.project"


class FieldVerdict(StrEnum):
    agree = "agree"
    disagree = "disagree"
    missing = "missing"


class FieldComparison(_Model):
    field: str
    left: str | None
    right: str | None
    score: float = Field(ge=0.0, le=1.0)
    verdict: FieldVerdict


class DuplicateCandidate(_Model):
    model: RecordModel
    left_id: int
    right_id: int
    probability: float = Field(ge=0.0, le=1.0)
    fields: list[FieldComparison] = Field(default_factory=list)
    reason: str = ""


class DuplicateCluster(_Model):
    cluster_id: str
    model: RecordModel
    record_ids: list[int]
    suggested_master_id: int
    probability: float = Field(ge=0.0, le=1.0)
    pairs: list[DuplicateCandidate] = Field(default_factory=list)
    reason: str = ""


# --------------------------------------------------------------------------- incidents


class Severity(StrEnum):
    critical = "critical"
    high = "high"
    medium = "medium"
    low = "low"


class Cause(StrEnum):
    credential_auth = "credential_auth"
    schema_validation = "schema_validation"
    rate_limit = "rate_limit"
    upstream_outage = "upstream_outage"
    configuration = "configuration"
    data_quality = "data_quality"
    unknown = "unknown"


class IncidentStatus(StrEnum):
    """open -> proposed -> mitigating -> resolved -> closed; reopened when it returns (agent/lifecycle.py)."""

    open = "open"
    proposed = "proposed"
    acknowledged = "acknowledged"  # a reviewer owns it (with a reason)
    snoozed = "snoozed"  # out of the queue until a time (with a reason)
    mitigating = "mitigating"  # a fix was executed; waiting for a run to show it worked
    resolved = "resolved"  # a later run saw the flow healthy, or the duplicates gone
    closed = "closed"
    reopened = "reopened"  # resolved or closed, then the problem came back
    dismissed = "dismissed"


#: What a reviewer still has to look at: the queue, digest and console count only these.
OPEN_WORK_STATUSES = frozenset({IncidentStatus.open, IncidentStatus.proposed, IncidentStatus.acknowledged,
                                IncidentStatus.reopened})


class EvidenceItem(_Model):
    """Something a claim may cite: an event, an anomaly, a record or an error signature."""

    evidence_id: str
    kind: str  # "event" | "anomaly" | "record" | "signature" | "cluster"
    text: str
    record_ids: list[str] = Field(default_factory=list)


class Incident(_Model):
    incident_id: str
    title: str
    flow: str
    kinds: list[str] = Field(default_factory=list)
    window_start: datetime
    window_end: datetime
    severity: Severity = Severity.medium
    severity_score: float = Field(default=0.5, ge=0.0, le=1.0)
    cause: Cause = Cause.unknown
    cause_confidence: float = Field(default=0.0, ge=0.0, le=1.0)
    status: IncidentStatus = IncidentStatus.open
    anomaly_ids: list[str] = Field(default_factory=list)
    cluster_ids: list[str] = Field(default_factory=list)
    evidence: list[EvidenceItem] = Field(default_factory=list)
    affected_records: list[str] = Field(default_factory=list)
    signatures: list[str] = Field(default_factory=list)
    summary: str = ""
    started_at: datetime | None = None  # when the problem began (first anomaly window), not when stored


# --------------------------------------------------------------------------- remediation


class ActionName(StrEnum):
    """The allow-list. Nothing outside it is ever proposed, approved or executed."""

    requeue_jobs = "requeue_jobs"
    merge_partners = "merge_partners"
    archive_project = "archive_project"
    set_field = "set_field"
    post_note = "post_note"
    escalate = "escalate"


WRITE_ACTIONS = frozenset(
    {ActionName.requeue_jobs, ActionName.merge_partners, ActionName.archive_project, ActionName.set_field}
)


class ProposalStatus(StrEnum):
    proposed = "proposed"
    approved = "approved"
    rejected = "rejected"
    executed = "executed"
    failed = "failed"


def proposal_target(params: dict[str, Any]) -> str:
    """What an action touches, in one short phrase (CLI tables, console batch view)."""
    if "job_uuids" in params:
        return f"{len(params['job_uuids'])} queue.job"
    if "partner_ids" in params:
        return f"res.partner {params['partner_ids']} -> {params.get('destination_id')}"
    if "project_id" in params:
        return f"project.project:{params['project_id']}"
    if "record_id" in params:
        return f"{params.get('model')}:{params['record_id']}"
    if "owner" in params:
        return f"to {params['owner']}"
    return str(params.get("flow", ""))


class RemediationProposal(_Model):
    proposal_id: str
    incident_id: str
    action: ActionName
    params: dict[str, Any]
    rationale: str = ""
    evidence_ids: list[str] = Field(default_factory=list)
    proposed_by: str
    created_at: datetime = Field(default_factory=utcnow)
    status: ProposalStatus = ProposalStatus.proposed

    @property
    def payload(self) -> dict[str, Any]:
        return {"action": str(self.action), "params": self.params}

    @property
    def payload_hash(self) -> str:
        return payload_hash(self.payload)

    @property
    def target(self) -> str:
        return proposal_target(self.params)


class Decision(StrEnum):
    approved = "approved"
    rejected = "rejected"


class Approval(_Model):
    proposal_id: str
    decision: Decision
    decided_by: str
    reason: str = ""
    payload_hash: str
    decided_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime | None = None


class AuditEntry(_Model):
    at: datetime = Field(default_factory=utcnow)
    actor: str
    event: str  # "proposed", "approved", "refused:expired", "executed", ...
    proposal_id: str | None = None
    incident_id: str | None = None
    detail: dict[str, Any] = Field(default_factory=dict)


# --------------------------------------------------------------------------- flows


class Criticality(StrEnum):
    """Business weight of a flow: quote-to-cash and invoicing above reporting feeds."""

    critical = "critical"
    high = "high"
    medium = "medium"
    low = "low"


class FlowInfo(_Model):
    """One integration flow, as the firm's catalog (`flows.json`) describes it."""

    name: str
    source_system: str
    target_system: str
    owner: str  # who an escalation goes to
    criticality: Criticality = Criticality.medium
    description: str = ""
    country: str | None = None  # ISO 3166 code whose public holidays the flow keeps
    # what the flow's business counts in ("event", or e.g. "batch", "report", "delivery"): a flow whose
    # events come in bursts is judged on units (one burst or one correlation id = one unit)
    unit: str = "event"
    calendar: FlowCalendar | None = None
    # Attribution: which log sources belong to this flow, so the readers need no naming convention.
    aliases: list[str] = Field(default_factory=list)  # other names the logs use for it ("webshop-orders")
    loggers: list[str] = Field(default_factory=list)  # Odoo logger prefixes ("odoo.addons.peppol_connector")
    channels: list[str] = Field(default_factory=list)  # queue.job channels ("root.vendor_bills")
    endpoints: list[str] = Field(default_factory=list)  # URL paths or routes it is called on ("/api/orders")
    models: list[str] = Field(default_factory=list)  # Odoo models of its queue.job records ("account.move")
