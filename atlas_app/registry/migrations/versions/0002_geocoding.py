"""Geocoding: a location note and status per organisation, and the geocoding cache.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("organisations") as batch:
        batch.add_column(sa.Column("location_note", sa.Text))
        batch.add_column(sa.Column("geocode_status", sa.String(16), nullable=False,
                                   server_default="todo"))
        batch.create_index("ix_organisations_geocode_status", ["geocode_status"])
    op.execute("UPDATE organisations SET geocode_status = 'located' "
               "WHERE latitude IS NOT NULL")
    op.create_table(
        "geocode_cache",
        sa.Column("provider", sa.String(32), primary_key=True),
        sa.Column("query", sa.String(700), primary_key=True),
        sa.Column("found", sa.Boolean, nullable=False),
        sa.Column("latitude", sa.Float),
        sa.Column("longitude", sa.Float),
        sa.Column("precision", sa.String(16)),
        sa.Column("label", sa.String(500)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.bulk_insert(sa.table("registry_meta", sa.column("key"), sa.column("value")),
                   [{"key": "online_geocoder_next_at", "value": "0"}])


def downgrade() -> None:
    op.execute("DELETE FROM registry_meta WHERE key = 'online_geocoder_next_at'")
    op.drop_table("geocode_cache")
    with op.batch_alter_table("organisations") as batch:
        batch.drop_index("ix_organisations_geocode_status")
        batch.drop_column("geocode_status")
        batch.drop_column("location_note")
