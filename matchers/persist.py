"""Writing match results to the store, idempotently (same pairs and clusters update in place)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from odoo_triage.agent.store.tables import DuplicateCandidateRow, DuplicateClusterRow


def save_matches(store: Any, result: Any) -> dict[str, int]:
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
            row = known.get(cl.cluster_id)
            if row is None:
                s.add(DuplicateClusterRow(cluster_id=cl.cluster_id, model=model, probability=cl.probability,
                                          data=data))
            else:
                row.probability, row.data = cl.probability, data
    return {"candidates_inserted": inserted, "candidates_updated": updated, "clusters": len(result.clusters)}
