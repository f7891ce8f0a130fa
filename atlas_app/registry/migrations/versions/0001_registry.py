"""The registry: organisations, import batches and the revision counter.

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "import_batches",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("filename", sa.String(500), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("source", sa.String(500)),
        sa.Column("row_count", sa.Integer, nullable=False),
        sa.Column("created_by", sa.String(254)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_import_batches_sha256", "import_batches", ["sha256"])
    op.create_table(
        "organisations",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("description_en", sa.Text),
        sa.Column("description_fr", sa.Text),
        sa.Column("website", sa.String(500)),
        sa.Column("email", sa.String(254)),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("sector", sa.String(64), nullable=False),
        sa.Column("tags", sa.JSON, nullable=False),
        sa.Column("legal_form", sa.String(200)),
        sa.Column("country", sa.String(2), nullable=False),
        sa.Column("city", sa.String(200), nullable=False),
        sa.Column("postcode", sa.String(20)),
        sa.Column("address", sa.Text),
        sa.Column("latitude", sa.Float),
        sa.Column("longitude", sa.Float),
        sa.Column("location_precision", sa.String(16), nullable=False),
        sa.Column("location_source", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("source", sa.String(500)),
        sa.Column("batch_id", sa.Integer, sa.ForeignKey("import_batches.id")),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('support', 'solution')", name="ck_organisations_kind"),
        sa.CheckConstraint("status IN ('published', 'pending', 'archived')",
                           name="ck_organisations_status"),
        sa.CheckConstraint("location_precision IN ('exact', 'address', 'locality', 'region', "
                           "'country', 'none')", name="ck_organisations_location_precision"),
        sa.CheckConstraint("location_source IN ('provided', 'manual', 'gazetteer', 'online', "
                           "'none')", name="ck_organisations_location_source"),
        sa.CheckConstraint("(latitude IS NULL) = (longitude IS NULL)",
                           name="ck_organisations_coordinates_pair"),
        sqlite_autoincrement=True,
    )
    for column in ("sector", "country", "status"):
        op.create_index(f"ix_organisations_{column}", "organisations", [column])
    op.create_table(
        "registry_meta",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.String(200), nullable=False),
    )
    op.bulk_insert(sa.table("registry_meta", sa.column("key"), sa.column("value")),
                   [{"key": "revision", "value": "0"}])


def downgrade() -> None:
    op.drop_table("registry_meta")
    op.drop_table("organisations")
    op.drop_table("import_batches")
