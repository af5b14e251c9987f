"""Reviewers' decisions on pairs: the matcher's labels (a merge approved or rejected, "not a duplicate")."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from odoo_triage.agent.store.tables import MatchLabelRow

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
