"""An organisation may wait for review unclassified: kind and sector may be empty while it
is pending or archived, never once it is published (issue 15: a file without a sector or
a kind goes to the review queue, where staff classify it in bulk).

PostgreSQL changes the columns and adds the check in place. SQLite cannot, so the table
is copied (alembic's batch mode) as in 0011: the triggers that keep the staff search
index in step are created again, AUTOINCREMENT and the highest id given are kept.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

CHECK = "ck_organisations_classified"
RULE = "status <> 'published' OR (kind IS NOT NULL AND sector IS NOT NULL)"


def _change(batch, nullable: bool) -> None:
    for name, size in (("kind", 16), ("sector", 64)):
        batch.alter_column(name, existing_type=sa.String(size), nullable=nullable)
    if nullable:
        batch.create_check_constraint(CHECK, RULE)
    else:
        batch.drop_constraint(CHECK, type_="check")


def _alter(nullable: bool) -> None:
    conn = op.get_bind()
    if conn.dialect.name != "sqlite":
        with op.batch_alter_table("organisations") as batch:
            _change(batch, nullable)
        return
    seq = conn.exec_driver_sql("SELECT seq FROM sqlite_sequence WHERE name = "
                               "'organisations'").scalar()
    triggers = [row[0] for row in conn.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'organisations'")]
    with op.batch_alter_table("organisations", recreate="always",
                              table_kwargs={"sqlite_autoincrement": True}) as batch:
        _change(batch, nullable)
    for statement in triggers:
        conn.exec_driver_sql(statement)
    if seq is not None:
        conn.exec_driver_sql("UPDATE sqlite_sequence SET seq = MAX(seq, ?) "
                             "WHERE name = 'organisations'", (seq,))


def upgrade() -> None:
    _alter(nullable=True)


def downgrade() -> None:
    # Rows still unclassified cannot stay: they are archived, with a kind and sector
    # that say so, rather than lost.
    op.execute(sa.text("UPDATE organisations SET status = 'archived', "
                       "kind = COALESCE(kind, 'support'), "
                       "sector = COALESCE(sector, 'unclassified') "
                       "WHERE kind IS NULL OR sector IS NULL"))
    _alter(nullable=False)
