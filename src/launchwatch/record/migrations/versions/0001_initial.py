"""Initial launch record schema: events, reports, reconstructions.

Revision ID: 0001
Revises:
Create Date: 2025-11-20
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("dedupe_key", sa.String(120), nullable=False),
        sa.Column("launch_date", sa.Date(), nullable=False),
        sa.Column("launch_time_local", sa.String(8)),
        sa.Column("utc_offset", sa.String(6)),
        sa.Column("launch_time_utc", sa.DateTime()),
        sa.Column("site_name", sa.String(80)),
        sa.Column("site_lat_deg", sa.Float()),
        sa.Column("site_lon_deg", sa.Float()),
        sa.Column("missile_name", sa.String(80)),
        sa.Column("missile_class", sa.String(16)),
        sa.Column("n_missiles", sa.Integer()),
        sa.Column("landing_area", sa.String(300)),
        sa.Column("landing_lat_deg", sa.Float()),
        sa.Column("landing_lon_deg", sa.Float()),
        sa.Column("zone_kind", sa.String(20)),
        sa.Column("zone_country", sa.String(3)),
        sa.Column("confidence", sa.String(12), nullable=False),
        sa.Column("created_utc", sa.DateTime(), nullable=False),
        sa.Column("updated_utc", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_events_dedupe_key", "events", ["dedupe_key"], unique=True)
    op.create_index("ix_events_launch_date", "events", ["launch_date"])
    op.create_index("ix_events_site_name", "events", ["site_name"])
    op.create_index("ix_events_missile_class", "events", ["missile_class"])
    op.create_table(
        "reports",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "event_id", sa.Integer(), sa.ForeignKey("events.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("text_hash", sa.String(64), nullable=False),
        sa.Column("authority", sa.String(40)),
        sa.Column("outlet", sa.String(40)),
        sa.Column("published_utc", sa.DateTime()),
        sa.Column("source", sa.String(500)),
        sa.Column("launch_time_local", sa.String(8)),
        sa.Column("utc_offset", sa.String(6)),
        sa.Column("site_name", sa.String(80)),
        sa.Column("missile_name", sa.String(80)),
        sa.Column("missile_class", sa.String(16)),
        sa.Column("n_missiles", sa.Integer()),
        sa.Column("range_km", sa.Float()),
        sa.Column("apogee_km", sa.Float()),
        sa.Column("flight_time_s", sa.Float()),
        sa.Column("landing_area", sa.String(300)),
        sa.Column("eez_claim", sa.String(8), nullable=False),
        sa.Column("missing", sa.JSON(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("created_utc", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_reports_event_id", "reports", ["event_id"])
    op.create_index("ix_reports_text_hash", "reports", ["text_hash"], unique=True)
    op.create_table(
        "reconstructions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "report_id",
            sa.Integer(),
            sa.ForeignKey("reports.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("impact_lat_deg", sa.Float()),
        sa.Column("impact_lon_deg", sa.Float()),
        sa.Column("range_km", sa.Float()),
        sa.Column("apogee_km", sa.Float()),
        sa.Column("flight_time_s", sa.Float()),
        sa.Column("min_energy_range_km", sa.Float()),
        sa.Column("range_class", sa.String(8)),
        sa.Column("zone_kind", sa.String(20)),
        sa.Column("zone_country", sa.String(3)),
        sa.Column("result", sa.JSON(), nullable=False),
    )
    op.create_index("ix_reconstructions_report_id", "reconstructions", ["report_id"], unique=True)


def downgrade() -> None:
    op.drop_table("reconstructions")
    op.drop_table("reports")
    op.drop_table("events")
