"""audit log hash chain (seq, prev_hash, row_hash, the audit_head row) and HMAC seals on approvals

Revision ID: 0003_audit_chain
Revises: 0002_audit_append_only
Create Date: 2026-12-01 10:40:00
"""

import json
from datetime import datetime

import sqlalchemy as sa
from alembic import op

from odoo_triage.agent.store.audit_chain import row_digest

revision = "0003_audit_chain"
down_revision = "0002_audit_append_only"
branch_labels = None
depends_on = None

SQLITE_TRIGGERS = {verb: f"CREATE TRIGGER IF NOT EXISTS audit_log_no_{verb.lower()} BEFORE {verb} ON audit_log "
                         f"BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: {verb} refused'); END"
                   for verb in ("UPDATE", "DELETE")}


def _triggers(enable: bool) -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(f"ALTER TABLE audit_log {'ENABLE' if enable else 'DISABLE'} TRIGGER audit_log_append_only")
    elif dialect == "sqlite":
        for verb, sql in SQLITE_TRIGGERS.items():
            op.execute(sql if enable else f"DROP TRIGGER IF EXISTS audit_log_no_{verb.lower()}")


def upgrade() -> None:
    op.add_column("audit_log", sa.Column("seq", sa.Integer(), nullable=True))
    op.add_column("audit_log", sa.Column("prev_hash", sa.String(length=64), nullable=True))
    op.add_column("audit_log", sa.Column("row_hash", sa.String(length=64), nullable=True))
    op.create_index("ux_audit_log_seq", "audit_log", ["seq"], unique=True)
    op.add_column("approvals", sa.Column("signature", sa.String(length=64), nullable=True))
    head = op.create_table("audit_head",
                           sa.Column("id", sa.Integer(), nullable=False),
                           sa.Column("seq", sa.Integer(), nullable=False),
                           sa.Column("last_hash", sa.String(length=64), nullable=False),
                           sa.PrimaryKeyConstraint("id"))
    # chain the rows written before this revision, in id order
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, at, actor, event, proposal_id, incident_id, detail FROM audit_log "
                                "ORDER BY id")).fetchall()
    prev = ""
    if rows:
        _triggers(False)
        for seq, r in enumerate(rows, 1):
            detail = r.detail if isinstance(r.detail, dict) else json.loads(r.detail or "{}")
            at = datetime.fromisoformat(r.at) if isinstance(r.at, str) else r.at  # SQLite returns the text
            digest = row_digest(seq, prev, at, r.actor, r.event, r.proposal_id, r.incident_id, detail)
            bind.execute(sa.text("UPDATE audit_log SET seq = :seq, prev_hash = :prev, row_hash = :h WHERE id = :id"),
                         {"seq": seq, "prev": prev, "h": digest, "id": r.id})
            prev = digest
        _triggers(True)
    op.bulk_insert(head, [{"id": 1, "seq": len(rows), "last_hash": prev}])


def downgrade() -> None:
    op.drop_table("audit_head")
    op.drop_column("approvals", "signature")
    op.drop_index("ux_audit_log_seq", table_name="audit_log")
    _triggers(False)
    op.drop_column("audit_log", "row_hash")
    op.drop_column("audit_log", "prev_hash")
    op.drop_column("audit_log", "seq")
    _triggers(True)
