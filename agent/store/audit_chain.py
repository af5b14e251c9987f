"""The audit log as a hash chain: each row carries the previous row's hash and its own.

The append-only triggers (migration 0002) stop ordinary UPDATE/DELETE, but the owning connection
can drop them; the chain is what makes such an edit visible afterwards. `append` serialises writers
on the one `audit_head` row (a row lock on PostgreSQL, the write lock on SQLite) so the chain never
forks; `verify` walks it and names the first broken link.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from odoo_triage.agent.store.database import Store
from odoo_triage.agent.store.tables import AuditHeadRow, AuditRow
from odoo_triage.core.clock import utcnow

TRIGGERS = {"sqlite": {"audit_log_no_update", "audit_log_no_delete"}, "postgresql": {"audit_log_append_only"}}


def _utc(dt: datetime) -> str:
    dt = dt if dt.tzinfo else dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")


def row_digest(seq: int, prev_hash: str, at: datetime, actor: str, event: str, proposal_id: str | None,
               incident_id: str | None, detail: dict[str, Any] | None) -> str:
    body = json.dumps({"seq": seq, "prev": prev_hash, "at": _utc(at), "actor": actor, "event": event,
                       "proposal_id": proposal_id, "incident_id": incident_id, "detail": detail or {}},
                      sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(body.encode()).hexdigest()


def append(s: Session, actor: str, event: str, proposal_id: str | None = None, incident_id: str | None = None,
           detail: dict[str, Any] | None = None) -> AuditRow:
    """Add one chained audit row in the session's transaction (the caller has already redacted `detail`)."""
    s.execute(update(AuditHeadRow).where(AuditHeadRow.id == 1).values(seq=AuditHeadRow.seq + 1))
    seq, prev = s.execute(select(AuditHeadRow.seq, AuditHeadRow.last_hash).where(AuditHeadRow.id == 1)).one()
    at = utcnow()
    detail = detail or {}
    digest = row_digest(seq, prev, at, actor, event, proposal_id, incident_id, detail)
    row = AuditRow(at=at, actor=actor, event=event, proposal_id=proposal_id, incident_id=incident_id, detail=detail,
                   seq=seq, prev_hash=prev, row_hash=digest)
    s.add(row)
    s.execute(update(AuditHeadRow).where(AuditHeadRow.id == 1).values(last_hash=digest))
    return row


@dataclass
class ChainReport:
    rows: int
    ok: bool
    first_broken_seq: int | None = None  # the chain position where it first breaks
    first_broken_id: int | None = None  # that row's id, when there is a row
    reason: str = ""
    triggers_missing: list[str] = field(default_factory=list)
    anchor: str = ""  # "<seq>:<hash>" of the last row: keep it elsewhere, pass it back to --anchor later

    def line(self) -> str:
        if self.ok:
            return (f"audit log intact: {self.rows} rows, hash chain verified, append-only triggers in place; "
                    f"anchor {self.anchor or '-'}")
        where = f"row id {self.first_broken_id}" if self.first_broken_id is not None else "the end"
        return f"audit log BROKEN at seq {self.first_broken_seq} ({where}): {self.reason}"


def installed_triggers(store: Store) -> set[str]:
    with store.engine.connect() as conn:
        if store.dialect == "sqlite":
            q = text("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_log'")
        elif store.dialect == "postgresql":
            q = text("SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit_log'::regclass AND NOT tgisinternal "
                     "AND tgenabled <> 'D'")
        else:
            return set()
        return {r[0] for r in conn.execute(q)}


def verify(store: Store, anchor: str | None = None) -> ChainReport:
    """Walk the chain in order; the first row whose position, link or content does not check out breaks it.

    The chain alone cannot tell a wholesale rewrite (every hash recomputed) from the original; an
    `anchor` ("<seq>:<hash>", printed by an earlier verify and kept outside the database) can.
    """
    with store.session() as s:
        rows = list(s.scalars(select(AuditRow).order_by(AuditRow.seq, AuditRow.id)))
        head = s.get(AuditHeadRow, 1)
    report = ChainReport(rows=len(rows), ok=True)
    prev, last_id = "", None
    for n, r in enumerate(rows, 1):
        problem = ""
        if r.seq is None or r.row_hash is None:
            problem = "row is not chained (inserted around the audit writer)"
        elif r.seq != n:
            problem = f"expected seq {n}, found {r.seq}: rows before it were deleted"
        elif r.prev_hash != prev:
            problem = "its previous-hash link does not match the row before it (deleted, inserted or reordered)"
        elif row_digest(r.seq, r.prev_hash or "", r.at, r.actor, r.event, r.proposal_id, r.incident_id,
                        r.detail) != r.row_hash:
            problem = "its content no longer matches its hash (edited)"
        elif last_id is not None and r.id < last_id:
            problem = "row ids run backwards along the chain (reordered)"
        if problem:
            report.ok, report.first_broken_seq, report.first_broken_id, report.reason = False, n, r.id, problem
            break
        prev, last_id = r.row_hash or "", r.id
    if report.ok and (head is None or head.seq != len(rows) or head.last_hash != prev):
        report.ok, report.first_broken_seq = False, len(rows) + 1
        report.reason = (f"the chain head says {head.seq if head else 'nothing'} rows, {len(rows)} remain: "
                         "rows were cut off the end")
    if report.ok and anchor:
        seq_text, _, want = anchor.partition(":")
        at = rows[int(seq_text) - 1] if seq_text.isdigit() and 0 < int(seq_text) <= len(rows) else None
        if at is None or at.row_hash != want:
            report.ok, report.first_broken_seq = False, int(seq_text) if seq_text.isdigit() else None
            report.first_broken_id = at.id if at is not None else None
            report.reason = f"the chain no longer holds the anchored hash at seq {seq_text} (rewritten or cut)"
    if rows:
        report.anchor = f"{rows[-1].seq}:{rows[-1].row_hash}"
    report.triggers_missing = sorted(TRIGGERS.get(store.dialect, set()) - installed_triggers(store))
    if report.ok and report.triggers_missing:
        report.ok = False
        report.reason = f"append-only trigger(s) dropped or disabled: {', '.join(report.triggers_missing)}"
        report.first_broken_seq = None
    return report
