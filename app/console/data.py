"""What the console shows, read from the store as plain data (no Streamlit here, so it is testable)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pandas as pd
from pydantic import ValidationError
from sqlalchemy import select

from odoo_triage.agent.store import Store
from odoo_triage.agent.store.match_results import record_label
from odoo_triage.agent.store.tables import AnomalyRow, DuplicateClusterRow, IncidentRow, ProposalRow
from odoo_triage.core.clock import utcnow
from odoo_triage.core.domain import Severity

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
) -> pd.DataFrame:
    """The review queue, most severe first; empty filters mean "all"."""
    now = now or utcnow()
    with store.session() as s:
        q = select(IncidentRow)
        if flows:
            q = q.where(IncidentRow.flow.in_(flows))
        if severities:
            q = q.where(IncidentRow.severity.in_(severities))
        if statuses:
            q = q.where(IncidentRow.status.in_(statuses))
        rows = s.scalars(q).all()
        waiting = Counter(s.scalars(select(ProposalRow.incident_id).where(ProposalRow.status == "proposed")))
    records = []
    for r in rows:
        created = _aware(r.created_at) or now
        age_h = (now - created).total_seconds() / 3600
        if max_age_h is not None and age_h > max_age_h:
            continue
        records.append({
            "incident_id": r.incident_id, "severity": r.severity, "title": r.title, "flow": r.flow,
            "cause": r.cause, "status": r.status, "score": round(r.severity_score, 2),
            "age_h": round(age_h, 1), "waiting": waiting.get(r.incident_id, 0),
            "window_start": _aware(r.window_start),
        })
    df = pd.DataFrame(records, columns=["incident_id", "severity", "title", "flow", "cause", "status", "score",
                                        "age_h", "waiting", "window_start"])
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


def _proposal_view(p: ProposalRow) -> ProposalView:
    """Calls come from agent.approvals.proposal_calls, the same rendering the CLI shows."""
    from odoo_triage.agent.approvals import proposal_calls

    payload = p.payload or {}
    params = dict(payload.get("params") or {})
    try:
        calls = [c.render() for c in proposal_calls(p)] or ["(no Odoo call: nothing is written to Odoo)"]
        invalid = ""
    except ValidationError as exc:
        calls, invalid = [], f"not on the allow-list as stored: {exc.errors()[0]['msg']}"
    return ProposalView(proposal_id=p.proposal_id, action=p.action, params=params, status=p.status,
                        proposed_by=p.proposed_by, rationale=p.rationale, payload_hash=p.payload_hash,
                        created_at=_aware(p.created_at), result=p.result, odoo_calls=calls, invalid=invalid)


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
            proposals=[_proposal_view(p) for p in props],
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
