"""Location precision says what the gazetteer found: a postcode or a district as well as a
town or a region (issue 19).

PostgreSQL changes the check constraint in place. SQLite cannot, so the table is copied
(alembic's batch mode); the copy drops the triggers that keep the staff search index in
step, so they are created again as they were (the index itself is keyed by id and stays
valid), and keeps AUTOINCREMENT and the highest id given.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

NAME = "ck_organisations_location_precision"
BEFORE = ("exact", "address", "locality", "region", "country", "none")
AFTER = ("exact", "address", "postcode", "district", "locality", "region", "country", "none")


def _check(values: tuple[str, ...]) -> str:
    return "location_precision IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def _replace(values: tuple[str, ...]) -> None:
    conn = op.get_bind()
    if conn.dialect.name != "sqlite":
        op.drop_constraint(NAME, "organisations", type_="check")
        op.create_check_constraint(NAME, "organisations", _check(values))
        return
    # The copy must stay AUTOINCREMENT and remember the highest id ever given, so that
    # the ids of deleted organisations are never reused.
    seq = conn.exec_driver_sql("SELECT seq FROM sqlite_sequence WHERE name = "
                               "'organisations'").scalar()
    # The triggers that keep the staff search index in step (migrations 0007, 0008) go
    # with the old table: they are created again as they were.
    triggers = [row[0] for row in conn.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'organisations'")]
    with op.batch_alter_table("organisations", recreate="always",
                              table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.drop_constraint(NAME, type_="check")
        batch.create_check_constraint(NAME, _check(values))
    for statement in triggers:
        conn.exec_driver_sql(statement)
    if seq is not None:
        conn.exec_driver_sql("UPDATE sqlite_sequence SET seq = MAX(seq, ?) "
                             "WHERE name = 'organisations'", (seq,))


def upgrade() -> None:
    _replace(AFTER)


def downgrade() -> None:
    op.execute(sa.text("UPDATE organisations SET location_precision = 'locality' "
                       "WHERE location_precision IN ('postcode', 'district')"))
    _replace(BEFORE)
