"""Writing each stage's results to the store, idempotently: ids are deterministic, so a re-run updates.

Detectors and matchers do not know the store (they sit below agent/); this is where their results land.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from odoo_triage.agent.store.database import Store
from odoo_triage.agent.store.tables import AnomalyRow, DuplicateCandidateRow, DuplicateClusterRow
from odoo_triage.core.domain import Anomaly
from odoo_triage.core.redact import redact, redact_obj

if TYPE_CHECKING:
    from odoo_triage.matchers.pipeline import MatchResult


def save_anomalies(store: Store, anomalies: list[Anomaly]) -> int:
    """Insert or update anomalies by id (ids are deterministic: a re-run updates). Returns how many were new."""
    new = 0
    with store.session() as s:
        for a in anomalies:
            data: dict[str, Any] = redact_obj(a.model_dump(mode="json"))
            reason = redact(a.reason)
            row = s.get(AnomalyRow, a.anomaly_id)
            if row is None:
                new += 1
                s.add(AnomalyRow(anomaly_id=a.anomaly_id, kind=str(a.kind), flow=a.flow, window_start=a.window_start,
                                 window_end=a.window_end, score=a.score, reason=reason, data=data))
            else:
                row.kind, row.flow, row.score, row.reason, row.data = str(a.kind), a.flow, a.score, reason, data
                row.window_start, row.window_end = a.window_start, a.window_end
    return new


def save_matches(store: Store, result: MatchResult) -> dict[str, int]:
    """Upsert the candidates and clusters: a re-run on the same data updates, never duplicates."""
    model = result.model.value
    cluster_of: dict[tuple[int, int], str] = {}
    for cl in result.clusters:
        for pair in cl.pairs:
            cluster_of[(pair.left_id, pair.right_id)] = cl.cluster_id
    inserted = updated = 0
    with store.session() as s:
        existing = {(r.left_id, r.right_id): r for r in
                    s.scalars(select(DuplicateCandidateRow).where(DuplicateCandidateRow.model == model))}
        for c in result.candidates:
            key = (c.left_id, c.right_id)
            data = c.model_dump(mode="json")
            row = existing.get(key)
            if row is None:
                s.add(DuplicateCandidateRow(model=model, left_id=c.left_id, right_id=c.right_id,
                                            probability=c.probability, cluster_id=cluster_of.get(key),
                                            reason=c.reason, data=data))
                inserted += 1
            else:
                row.probability, row.cluster_id, row.reason, row.data = (
                    c.probability, cluster_of.get(key), c.reason, data)
                updated += 1
        known = {r.cluster_id: r for r in
                 s.scalars(select(DuplicateClusterRow).where(DuplicateClusterRow.model == model))}
        for cl in result.clusters:
            data = cl.model_dump(mode="json")
            cluster_row = known.get(cl.cluster_id)
            if cluster_row is None:
                s.add(DuplicateClusterRow(cluster_id=cl.cluster_id, model=model, probability=cl.probability,
                                          data=data))
            else:
                cluster_row.probability, cluster_row.data = cl.probability, data
    return {"candidates_inserted": inserted, "candidates_updated": updated, "clusters": len(result.clusters)}
