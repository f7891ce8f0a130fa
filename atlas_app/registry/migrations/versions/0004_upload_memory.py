"""What uploads remember: column mappings per source, and duplicate decisions.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "source_mappings",
        sa.Column("name", sa.String(200), primary_key=True),
        sa.Column("columns", sa.JSON, nullable=False),
        sa.Column("constants", sa.JSON, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(254)),
    )
    op.create_table(
        "duplicate_decisions",
        sa.Column("key", sa.String(600), primary_key=True),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(254)),
    )


def downgrade() -> None:
    op.drop_table("duplicate_decisions")
    op.drop_table("source_mappings")
