"""Throttles per client, so that nobody can lock a staff member out from elsewhere or use
up the site's suggestion quota alone.

``auth_log.client`` holds a pseudonym of the address a sign-in attempt came from (a
truncated SHA-256, never the address); failures are counted per e-mail address *and*
client. The audit log gets an index on (actor, at): public suggestions are counted per
client from it.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("auth_log", sa.Column("client", sa.String(64)))
    op.create_index("ix_auth_log_client_at", "auth_log", ["client", "at"])
    op.create_index("ix_audit_log_actor_at", "audit_log", ["actor", "at"])


def downgrade() -> None:
    op.drop_index("ix_audit_log_actor_at", table_name="audit_log")
    op.drop_index("ix_auth_log_client_at", table_name="auth_log")
    with op.batch_alter_table("auth_log") as batch:
        batch.drop_column("client")
