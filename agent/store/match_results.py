"""Match results in the store (idempotent upserts) and reviewers' decisions on pairs (the matcher's labels)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from odoo_triage.agent.store.tables import DuplicateCandidateRow, DuplicateClusterRow, MatchLabelRow


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


# --------------------------------------------------------------------------- reviewer labels

LABEL_SOURCES = ("merge_approved", "merge_rejected", "not_duplicate")


def record_label(store: Any, model: str, left_id: int, right_id: int, is_duplicate: bool, source: str,
                 decided_by: str = "", database: str = "", proposal_id: str | None = None) -> None:
    """Store one reviewer decision on a pair (the latest one on a pair is the one that counts)."""
    if source not in LABEL_SOURCES:
        raise ValueError(f"label source must be one of {LABEL_SOURCES}, not {source!r}")
    lo, hi = sorted((int(left_id), int(right_id)))
    with store.session() as s:
        s.add(MatchLabelRow(database=database, model=model, left_id=lo, right_id=hi, is_duplicate=is_duplicate,
                            source=source, decided_by=decided_by, proposal_id=proposal_id))


def record_merge_decision(store: Any, partner_ids: list[int], approved: bool, decided_by: str,
                          proposal_id: str | None = None, database: str = "") -> int:
    """Every pair of a merge proposal as a label: approved = duplicates, rejected = not. Returns pairs stored."""
    ids = sorted({int(i) for i in partner_ids})
    pairs = [(a, b) for k, a in enumerate(ids) for b in ids[k + 1:]]
    for a, b in pairs:
        record_label(store, "res.partner", a, b, approved, "merge_approved" if approved else "merge_rejected",
                     decided_by, database, proposal_id)
    return len(pairs)


def labels_for(store: Any, model: str, database: str = "") -> list[tuple[int, int, bool]]:
    """(left, right, is_duplicate) of this database's labeled pairs, the latest decision per pair."""
    with store.session() as s:
        rows = s.execute(select(MatchLabelRow.left_id, MatchLabelRow.right_id, MatchLabelRow.is_duplicate)
                         .where(MatchLabelRow.model == model, MatchLabelRow.database == database)
                         .order_by(MatchLabelRow.created_at, MatchLabelRow.id)).all()
    latest = {(int(a), int(b)): bool(y) for a, b, y in rows}
    return [(a, b, y) for (a, b), y in sorted(latest.items())]
