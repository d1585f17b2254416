"""Scenario runs of the service, so that a run interrupted by a shutdown is still listed.

Revision ID: 0002
Revises: 0001
Create Date: 2026-01-10
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("scenario", sa.String(80), nullable=False),
        sa.Column("speed", sa.Float(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("error", sa.String(300)),
        sa.Column("event_id", sa.Integer()),
        sa.Column("created_utc", sa.DateTime(), nullable=False),
        sa.Column("updated_utc", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_runs_state", "runs", ["state"])


def downgrade() -> None:
    op.drop_index("ix_runs_state", table_name="runs")
    op.drop_table("runs")
