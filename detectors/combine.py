"""One outage fires several detectors; the combiner turns overlapping anomalies of one flow into
one row: the strongest kind leads, the others become `related_kinds`, evidence is the union."""

from __future__ import annotations

from datetime import timedelta

from odoo_triage.core.domain import MAX_REMEDY_EVENTS, Anomaly, AnomalyKind, stable_id
from odoo_triage.core.settings import DetectorSettings

# On equal scores, the more specific explanation leads.
_PRIORITY = {AnomalyKind.silent_flow: 0, AnomalyKind.duplicate_delivery: 1, AnomalyKind.retry_storm: 2,
             AnomalyKind.error_spike: 3, AnomalyKind.latency_shift: 4, AnomalyKind.new_error_signature: 5,
             AnomalyKind.volume_drop: 6, AnomalyKind.multivariate: 7}


def _rank_key(a: Anomaly) -> tuple[float, int, str]:
    return (-a.score, _PRIORITY.get(a.kind, 9), a.anomaly_id)


def _merge(group: list[Anomaly], max_evidence: int) -> Anomaly:
    group = sorted(group, key=_rank_key)
    lead = group[0]
    if len(group) == 1:
        return lead
    related: list[AnomalyKind] = []
    for a in group[1:]:
        for k in (a.kind, *a.related_kinds):
            if k != lead.kind and k not in related:
                related.append(k)
    evidence: list[str] = []
    share = max(3, max_evidence // len(group))
    for i, a in enumerate(group):
        take = a.evidence_event_ids if i == 0 else a.evidence_event_ids[:share]
        evidence.extend(e for e in take if e not in evidence)
    metrics = dict(lead.metrics)
    for other in group[1:]:
        for name, v in other.metrics.items():
            metrics.setdefault(f"{other.kind}.{name}", v)
    others = "; ".join(f"{a.kind}: {a.reason}" for a in group[1:] if a.kind != lead.kind)
    score = min(1.0, lead.score + 0.05 * len(related))
    return lead.model_copy(update={
        "window_start": min(a.window_start for a in group),
        "window_end": max(a.window_end for a in group),
        "score": score,
        "reason": lead.reason + (f" | also {others}" if others else ""),
        "evidence_event_ids": evidence[:max_evidence],
        "signature": lead.signature or next((a.signature for a in group if a.signature), None),
        "metrics": metrics,
        "related_kinds": related,
        "remedy_event_ids": list(dict.fromkeys(e for a in group for e in a.remedy_event_ids))[:MAX_REMEDY_EVENTS],
    })


def combine(anomalies: list[Anomaly], cfg: DetectorSettings | None = None) -> list[Anomaly]:
    """Merge overlapping anomalies per flow, then rank: highest score first."""
    cfg = cfg or DetectorSettings()
    tolerance = timedelta(minutes=cfg.combine_within_minutes)
    by_flow: dict[str, list[Anomaly]] = {}
    for a in anomalies:
        by_flow.setdefault(a.flow, []).append(a)
    merged: list[Anomaly] = []
    for items in by_flow.values():
        items.sort(key=lambda a: (a.window_start, a.window_end))
        group: list[Anomaly] = []
        group_end = None
        for a in items:
            if group and group_end is not None and a.window_start <= group_end + tolerance:
                group.append(a)
                group_end = max(group_end, a.window_end)
            else:
                if group:
                    merged.append(_merge(group, cfg.evidence_per_anomaly))
                group, group_end = [a], a.window_end
        if group:
            merged.append(_merge(group, cfg.evidence_per_anomaly))
    ranked = sorted(merged, key=_rank_key)
    seen: dict[str, int] = {}
    for i, a in enumerate(ranked):  # ids must be unique in one result: the store upserts by id
        n = seen.get(a.anomaly_id, 0)
        seen[a.anomaly_id] = n + 1
        if n:
            ranked[i] = a.model_copy(update={"anomaly_id": stable_id("anomaly", a.anomaly_id, n)})
    return ranked
