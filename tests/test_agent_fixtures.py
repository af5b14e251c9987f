"""Hand-built detection and matching results shaped like the real ones (no tests here)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from odoo_triage.core.domain import (
    Anomaly,
    AnomalyKind,
    Criticality,
    DuplicateCluster,
    EventStatus,
    FlowInfo,
    LogEvent,
    RecordModel,
)

T0 = datetime(2026, 10, 21, 9, 0, tzinfo=UTC)
SECRET = "sk-live-abcdefghijklmnopqrstuvwx"


@dataclass
class FakeDetection:
    anomalies: list[Anomaly]
    evidence: dict[str, LogEvent]
    templates: dict[str, tuple[str, int]] = field(default_factory=dict)


@dataclass
class FakeMatch:
    clusters: list[DuplicateCluster]
    candidates: list[Any] = field(default_factory=list)


FLOWS = [
    FlowInfo(name="invoice_export", source_system="odoo", target_system="datev", owner="finance-it@firm.test",
             criticality=Criticality.critical),
    FlowInfo(name="crm_partner_sync", source_system="hubspot", target_system="odoo", owner="crm-team@firm.test",
             criticality=Criticality.high),
    FlowInfo(name="hr_employee_sync", source_system="personio", target_system="odoo", owner="hr-it@firm.test",
             criticality=Criticality.medium),
    FlowInfo(name="payroll_export", source_system="odoo", target_system="bank", owner="payroll@firm.test",
             criticality=Criticality.critical),
    FlowInfo(name="esign_project_webhook", source_system="docusign", target_system="odoo", owner="pmo@firm.test",
             criticality=Criticality.medium),
    FlowInfo(name="psa_timesheet_import", source_system="psa", target_system="odoo", owner="ops@firm.test",
             criticality=Criticality.low),
]


def ev(file: str, line: int, flow: str, minutes: float, status: str = "error", **kw: Any) -> LogEvent:
    return LogEvent(event_id=f"{file}:{line}", timestamp=T0 + timedelta(minutes=minutes), flow=flow,
                    status=EventStatus(status), source_file=file, line_no=line, **kw)


def anomaly(aid: str, kind: str, flow: str, start_min: float, end_min: float, events: list[LogEvent],
            reason: str = "", signature: str | None = None, score: float = 0.8) -> Anomaly:
    return Anomaly(anomaly_id=aid, kind=AnomalyKind(kind), flow=flow, window_start=T0 + timedelta(minutes=start_min),
                   window_end=T0 + timedelta(minutes=end_min), score=score, reason=reason or f"{kind} on {flow}",
                   evidence_event_ids=[e.event_id for e in events], signature=signature)


UUIDS = [f"5f0c{i:04d}-aaaa-bbbb-cccc-00000000000{i}" for i in range(6)]


def world() -> tuple[FakeDetection, FakeMatch, FakeMatch]:
    events: list[LogEvent] = []
    anomalies: list[Anomaly] = []
    # retry storm on invoice_export: 5 jobs failed after 429s, one later succeeded
    q = [ev("queue_job.csv", 10 + i, "invoice_export", i, http_status=429, retry_count=5,
            error="429 Too Many Requests: retry after 60 seconds", record_ids=[f"queue.job:{UUIDS[i]}"])
         for i in range(6)]
    q.append(ev("queue_job.csv", 30, "invoice_export", 20, status="ok", record_ids=[f"queue.job:{UUIDS[5]}"]))
    events += q
    anomalies.append(anomaly("an-retry", "retry_storm", "invoice_export", 0, 15, q[:4], signature="sig-429"))
    anomalies.append(anomaly("an-spike-inv", "error_spike", "invoice_export", 15, 30, q[3:], signature="sig-429"))
    # error spike on crm_partner_sync: HTTP 410 after an upstream API change
    c = [ev("middleware.jsonl", 100 + i, "crm_partner_sync", 120 + i, http_status=410,
            error="410 Gone: /v1/contacts was removed, use /v3", record_ids=[f"res.partner:{700 + i}"]) for i in range(4)]
    events += c
    anomalies.append(anomaly("an-410", "error_spike", "crm_partner_sync", 120, 150, c, signature="sig-410"))
    # expired credential on hr_employee_sync, with a secret in the error text
    h = [ev("middleware.jsonl", 200 + i, "hr_employee_sync", 300 + i, http_status=401,
            error=f"401 Invalid apikey; request had Authorization: Bearer {SECRET}") for i in range(3)]
    events += h
    anomalies.append(anomaly("an-401", "error_spike", "hr_employee_sync", 300, 330, h))
    # new error signature on payroll_export
    p = [ev("odoo-server.log", 400 + i, "payroll_export", 500 + i,
            error="odoo.exceptions.ValidationError: IBAN does not match SEPA schema",
            record_ids=[f"hr.employee:{12 + i}"]) for i in range(3)]
    events += p
    anomalies.append(anomaly("an-iban", "new_error_signature", "payroll_export", 500, 510, p, signature="sig-iban"))
    # duplicate delivery on esign_project_webhook: same key twice, project 51 is the duplicate
    d = [ev("middleware.jsonl", 600, "esign_project_webhook", 700, status="ok", idempotency_key="env-77",
            record_ids=["project.project:50"]),
         ev("middleware.jsonl", 601, "esign_project_webhook", 701, status="ok", idempotency_key="env-77",
            record_ids=["project.project:51"])]
    events += d
    anomalies.append(anomaly("an-dup", "duplicate_delivery", "esign_project_webhook", 700, 702, d,
                             reason="idempotency key env-77 delivered twice"))
    templates = {"sig-429": ("429 Too Many Requests: retry after <*> seconds", 6),
                 "sig-410": ("410 Gone: <*> was removed, use <*>", 4),
                 "sig-iban": ("odoo.exceptions.ValidationError: IBAN does not match SEPA schema", 3)}
    detection = FakeDetection(anomalies=anomalies, evidence={e.event_id: e for e in events}, templates=templates)
    partners = FakeMatch(clusters=[DuplicateCluster(cluster_id="pc-1", model=RecordModel.partner, record_ids=[41, 42, 43],
                                                    suggested_master_id=42, probability=0.97, reason="same VAT and email")])
    projects = FakeMatch(clusters=[DuplicateCluster(cluster_id="jc-1", model=RecordModel.project, record_ids=[50, 51],
                                                    suggested_master_id=50, probability=0.95, reason="same name, same customer")])
    return detection, partners, projects
