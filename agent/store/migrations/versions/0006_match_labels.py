"""match_labels: reviewers' decisions on duplicate pairs, the matcher's labels

Revision ID: 0006_match_labels
Revises: 0005_incident_lifecycle
Create Date: 2026-12-01 11:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_match_labels"
down_revision = "0005_incident_lifecycle"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "match_labels",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("database", sa.String(length=120), nullable=False),
        sa.Column("model", sa.String(length=40), nullable=False),
        sa.Column("left_id", sa.Integer(), nullable=False),
        sa.Column("right_id", sa.Integer(), nullable=False),
        sa.Column("is_duplicate", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("decided_by", sa.String(length=120), nullable=False),
        sa.Column("proposal_id", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_match_labels_database", "match_labels", ["database"])
    op.create_index("ix_match_labels_model", "match_labels", ["model"])


def downgrade() -> None:
    op.drop_index("ix_match_labels_model", table_name="match_labels")
    op.drop_index("ix_match_labels_database", table_name="match_labels")
    op.drop_table("match_labels")
