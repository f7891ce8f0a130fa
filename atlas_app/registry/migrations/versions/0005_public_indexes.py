"""Indexes for the public queries: filters and map bounds over published organisations.

With several replicas on one PostgreSQL, each replica reads the published registry by
country, sector and kind (downloads, the notebook API, exports) and by position (a map
view's bounding box); these composite indexes let the database answer without reading
every row.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28
"""
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_organisations_public_filters", "organisations",
                    ["status", "country", "sector", "kind"])
    op.create_index("ix_organisations_public_position", "organisations",
                    ["status", "latitude", "longitude"])


def downgrade() -> None:
    op.drop_index("ix_organisations_public_position", table_name="organisations")
    op.drop_index("ix_organisations_public_filters", table_name="organisations")
