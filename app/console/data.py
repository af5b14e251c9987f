"""What the console shows, read from the store as plain data (no Streamlit here, so it is testable)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pandas as pd
from pydantic import ValidationError
from sqlalchemy import or_, select

from odoo_triage.agent.lifecycle import open_work_clause
from odoo_triage.agent.store import Store
from odoo_triage.agent.store.match_labels import record_label
from odoo_triage.agent.store.tables import AnomalyRow, DuplicateClusterRow, IncidentRow, ProposalRow
from odoo_triage.app.ids import short_ids
from odoo_triage.core.clock import utcnow
from odoo_triage.core.domain import Severity, proposal_target

SEVERITIES = [s.value for s in Severity]


def _aware(dt: datetime | None) -> datetime | None:
    from odoo_triage.app.digest import _aware as aware

    return aware(dt)


def incident_queue(
    store: Store,
    *,
    flows: list[str] | None = None,
    severities: list[str] | None = None,
    statuses: list[str] | None = None,
    max_age_h: float | None = None,
    now: datetime | None = None,
    open_only: bool = True,
    keep: str | None = None,
) -> pd.DataFrame:
    """The review queue, most severe first; empty filters mean "all". Without a status filter only
    the open work shows (agent/lifecycle.py), unless `open_only` is off. Age counts from the start."""
    now = now or utcnow()
    with store.session() as s:
        # the columns the queue shows, never the `data` JSON (an incident's whole evidence): a roll-up
        # of a hundred duplicate clusters would be parsed on every render
        q = select(IncidentRow.incident_id, IncidentRow.severity, IncidentRow.title, IncidentRow.flow,
                   IncidentRow.cause, IncidentRow.status, IncidentRow.severity_score, IncidentRow.window_start,
                   IncidentRow.started_at, IncidentRow.created_at)
        if open_only and not statuses:  # `keep`: the incident on screen stays while its status moves on
            q = q.where(or_(open_work_clause(now), IncidentRow.incident_id == (keep or "")))
        if flows:
            q = q.where(IncidentRow.flow.in_(flows))
        if severities:
            q = q.where(IncidentRow.severity.in_(severities))
        if statuses:
            q = q.where(IncidentRow.status.in_(statuses))
        rows = s.execute(q).all()
        waiting = Counter(s.scalars(select(ProposalRow.incident_id).where(ProposalRow.status == "proposed")))
        all_incident_ids = list(s.scalars(select(IncidentRow.incident_id)))
    records = []
    short = short_ids([r.incident_id for r in rows], all_incident_ids)
    for r in rows:
        created = _aware(r.started_at) or _aware(r.window_start) or _aware(r.created_at) or now
        age_h = (now - created).total_seconds() / 3600
        if max_age_h is not None and age_h > max_age_h:
            continue
        records.append({
            "incident_id": r.incident_id, "severity": r.severity, "title": r.title, "flow": r.flow,
            "cause": r.cause, "status": r.status, "score": round(r.severity_score, 2),
            "age_h": round(age_h, 1), "waiting": waiting.get(r.incident_id, 0),
            "window_start": _aware(r.window_start), "short_id": short[r.incident_id],
        })
    df = pd.DataFrame(records, columns=["incident_id", "severity", "title", "flow", "cause", "status", "score",
                                        "age_h", "waiting", "window_start", "short_id"])
    if not df.empty:
        df["_rank"] = df["severity"].map({s: i for i, s in enumerate(SEVERITIES)}).fillna(9)
        df = df.sort_values(["_rank", "score", "incident_id"], ascending=[True, False, True]).drop(columns="_rank")
    return df.reset_index(drop=True)


def queue_options(store: Store) -> dict[str, list[str]]:
    with store.session() as s:
        rows = s.execute(select(IncidentRow.flow, IncidentRow.status)).all()
    return {"flows": sorted({r[0] for r in rows}), "statuses": sorted({r[1] for r in rows}),
            "severities": SEVERITIES}


@dataclass
class ProposalView:
    proposal_id: str
    action: str
    params: dict[str, Any]
    status: str
    proposed_by: str
    rationale: str
    payload_hash: str
    created_at: datetime | None
    result: dict[str, Any] | None
    odoo_calls: list[str]
    invalid: str = ""  # the allow-list refused the payload
    display_calls: list[str] = field(default_factory=list)  # the same calls, long id lists shortened
    evidence_ids: list[str] = field(default_factory=list)
    incident_id: str = ""


@dataclass
class IncidentView:
    incident_id: str
    title: str
    flow: str
    severity: str
    status: str
    cause: str
    cause_confidence: float
    summary: str
    business_impact: str
    report_provider: str
    window_start: datetime | None
    window_end: datetime | None
    evidence: list[dict[str, Any]]
    signatures: list[str]
    affected_records: list[str]
    anomalies: list[dict[str, Any]]
    flow_anomalies: list[dict[str, Any]]  # every anomaly of the flow, for the timeline chart
    cluster_ids: list[str]
    anomaly_count: int
    proposals: list[ProposalView] = field(default_factory=list)
    status_reason: str = ""
    status_by: str = ""
    snoozed_until: datetime | None = None


def _proposal_view(p: ProposalRow) -> ProposalView:
    """Calls come from agent.approvals.proposal_calls, the same rendering the CLI shows."""
    from odoo_triage.agent.approvals import proposal_calls

    payload = p.payload or {}
    params = dict(payload.get("params") or {})
    from odoo_triage.agent.preview import compact_call

    none = ["(no Odoo call: nothing is written to Odoo)"]
    try:
        typed = proposal_calls(p)
        calls = [c.render() for c in typed] or none
        shown = [compact_call(c) for c in typed] or none
        invalid = ""
    except ValidationError as exc:
        calls, shown, invalid = [], [], f"not on the allow-list as stored: {exc.errors()[0]['msg']}"
    return ProposalView(proposal_id=p.proposal_id, action=p.action, params=params, status=p.status,
                        proposed_by=p.proposed_by, rationale=p.rationale, payload_hash=p.payload_hash,
                        created_at=_aware(p.created_at), result=p.result, odoo_calls=calls, invalid=invalid,
                        display_calls=shown, evidence_ids=list(p.evidence_ids or []), incident_id=p.incident_id)


def incident_detail(store: Store, incident_id: str) -> IncidentView | None:
    with store.session() as s:
        r = s.get(IncidentRow, incident_id)
        if r is None:
            return None
        data = r.data or {}
        report_wrap = data.get("report") or {}
        report = report_wrap.get("report", report_wrap) if isinstance(report_wrap, dict) else {}
        anomaly_ids = data.get("anomaly_ids", [])
        flow_rows = s.scalars(select(AnomalyRow).where(AnomalyRow.flow == r.flow)).all()
        props = s.scalars(select(ProposalRow).where(ProposalRow.incident_id == incident_id)
                          .order_by(ProposalRow.created_at)).all()
        flow_anoms = [{"anomaly_id": a.anomaly_id, "kind": a.kind, "score": a.score, "reason": a.reason,
                       "window_start": _aware(a.window_start), "window_end": _aware(a.window_end),
                       "in_incident": a.anomaly_id in anomaly_ids, "metrics": (a.data or {}).get("metrics", {})}
                      for a in flow_rows]
        return IncidentView(
            incident_id=r.incident_id, title=r.title, flow=r.flow, severity=r.severity, status=r.status,
            cause=r.cause, cause_confidence=float(data.get("cause_confidence", 0.0)),
            summary=report.get("summary") or data.get("summary", ""),
            business_impact=report.get("business_impact", ""),
            report_provider=str(report_wrap.get("provider", "")) if isinstance(report_wrap, dict) else "",
            window_start=_aware(r.window_start), window_end=_aware(r.window_end),
            evidence=list(data.get("evidence", [])), signatures=list(data.get("signatures", [])),
            affected_records=list(data.get("affected_records", [])),
            anomalies=[a for a in flow_anoms if a["in_incident"]], flow_anomalies=flow_anoms,
            cluster_ids=list(data.get("cluster_ids", [])), anomaly_count=len(anomaly_ids),
            proposals=[_proposal_view(p) for p in props], status_reason=r.status_reason or "",
            status_by=r.status_by or "", snoozed_until=_aware(r.snoozed_until),
        )


def cluster_ids_all(store: Store) -> list[tuple[str, str, float]]:
    with store.session() as s:
        rows = s.scalars(select(DuplicateClusterRow).order_by(DuplicateClusterRow.probability.desc())).all()
        return [(c.cluster_id, c.model, c.probability) for c in rows]


def cluster_side_by_side(store: Store, cluster_id: str) -> tuple[pd.DataFrame, dict[str, Any]] | None:
    """One row per field, one column per record; `differs` marks fields the records disagree on."""
    with store.session() as s:
        row = s.get(DuplicateClusterRow, cluster_id)
        if row is None:
            return None
        data = dict(row.data or {})
    record_ids: list[int] = list(data.get("record_ids", []))
    values: dict[str, dict[int, str | None]] = {}
    for pair in data.get("pairs", []):
        for f in pair.get("fields", []):
            col = values.setdefault(f["field"], {})
            col.setdefault(pair["left_id"], f.get("left"))
            col.setdefault(pair["right_id"], f.get("right"))
    table = []
    for fname, by_id in values.items():
        cells = {f"#{rid}" + (" (master)" if rid == data.get("suggested_master_id") else ""): by_id.get(rid)
                 for rid in record_ids}
        distinct = {str(v).strip().lower() for v in cells.values() if v not in (None, "")}
        table.append({"field": fname, **cells, "differs": len(distinct) > 1})
    df = pd.DataFrame(table)
    meta = {"model": row.model, "probability": row.probability, "record_ids": record_ids,
            "suggested_master_id": data.get("suggested_master_id"), "reason": data.get("reason", "")}
    return df, meta


def mark_not_duplicate(store: Store, cluster_id: str, user: str, database: str = "") -> int:
    """A reviewer's "not a duplicate" on a cluster: every pair of it a label; the matcher never proposes
    them again on this database. Returns the number of pairs marked."""
    with store.session() as s:
        row = s.get(DuplicateClusterRow, cluster_id)
        if row is None:
            return 0
        model, ids = row.model, sorted(int(i) for i in (row.data or {}).get("record_ids", []))
    pairs = [(a, b) for k, a in enumerate(ids) for b in ids[k + 1:]]
    for a, b in pairs:
        record_label(store, model, a, b, False, "not_duplicate", user, database)
    return len(pairs)


def audit_rows(store: Store, *, proposal_id: str | None = None, incident_id: str | None = None,
               limit: int = 500) -> pd.DataFrame:
    """The audit log newest first, read with agent.approvals.audit_trail (the CLI's own reader)."""
    from odoo_triage.agent.approvals import audit_trail

    entries = [e.model_dump() for e in audit_trail(store, proposal_id=proposal_id, limit=limit)]
    if incident_id:
        entries = [e for e in entries if e["incident_id"] == incident_id]
    df = pd.DataFrame(entries, columns=["at", "actor", "event", "proposal_id", "incident_id", "detail"])
    if not df.empty:
        df = df.iloc[::-1]
        df["detail"] = df["detail"].map(lambda d: ", ".join(f"{k}={v}" for k, v in (d or {}).items())[:240])
    return df.reset_index(drop=True)


def age_text(then: datetime | None, now: datetime | None = None) -> str:
    if then is None:
        return "-"
    delta: timedelta = (now or utcnow()) - then
    hours = delta.total_seconds() / 3600
    return f"{hours:.1f} h" if hours < 48 else f"{hours / 24:.1f} d"


def batch_frame(view: IncidentView) -> pd.DataFrame:
    """An incident's proposals as one reviewable table: what each does, its status and hash."""
    rows = []
    for p in view.proposals:
        rows.append({"select": False, "proposal": p.proposal_id, "action": p.action, "target": proposal_target(p.params),
                     "status": p.status, "hash": p.payload_hash[:12]})
    return pd.DataFrame(rows, columns=["select", "proposal", "action", "target", "status", "hash"])


def running_executions(store: Store) -> list[dict[str, Any]]:
    """Executions still `running`: an executor may have been killed after claiming them."""
    from odoo_triage.agent.store.tables import ExecutionRow

    with store.session() as s:
        rows = s.scalars(select(ExecutionRow).where(ExecutionRow.status == "running")).all()
        return [{"proposal_id": r.proposal_id, "executed_by": r.executed_by, "started_at": _aware(r.started_at)}
                for r in rows]
