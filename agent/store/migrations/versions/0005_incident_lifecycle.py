"""incident lifecycle: when a problem started, who changed its status and why, snooze and resolution times

Revision ID: 0005_incident_lifecycle
Revises: 0003_audit_chain
Create Date: 2026-12-01 10:30:00
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0005_incident_lifecycle"
down_revision = "0003_audit_chain"
branch_labels = None
depends_on = None

COLUMNS: list[tuple[str, sa.types.TypeEngine[Any]]] = [
    ("started_at", sa.DateTime(timezone=True)),
    ("status_reason", sa.Text()),
    ("status_by", sa.String(length=120)),
    ("status_changed_at", sa.DateTime(timezone=True)),
    ("snoozed_until", sa.DateTime(timezone=True)),
    ("resolved_as_of", sa.DateTime(timezone=True)),
]


def upgrade() -> None:
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        for name, type_ in COLUMNS:
            batch_op.add_column(sa.Column(name, type_, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        for name, _ in reversed(COLUMNS):
            batch_op.drop_column(name)
