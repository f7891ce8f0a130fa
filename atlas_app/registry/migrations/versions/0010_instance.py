"""A random identity for each registry, so that what is derived from it and saved to disk
(the public index's snapshot, keyed by revision) is never mistaken for another registry's
at the same revision — a database created anew at the same path, say.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""
import uuid

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

meta = sa.table("registry_meta", sa.column("key", sa.String), sa.column("value", sa.String))


def upgrade() -> None:
    op.execute(meta.insert().values(key="instance", value=uuid.uuid4().hex))


def downgrade() -> None:
    op.execute(meta.delete().where(meta.c.key == "instance"))
