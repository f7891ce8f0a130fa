"""Descriptions in any number of languages: one JSON map ``descriptions`` ({lang: text})
replaces the two columns ``description_en`` and ``description_fr`` (issue 17).

The map is filled by one set-based UPDATE in the database (no row passes through Python:
seconds at a million organisations), keeping every text as it was — an empty text too,
only NULLs are left out. SQLite's ``json_patch`` over ``{}`` drops the members whose value
is null (RFC 7396); PostgreSQL's ``json_strip_nulls`` does the same. The old columns are
then dropped: SQLite 3.35+ drops a column in place (no copy of the table, so the staff
search's triggers and AUTOINCREMENT stay as they are), PostgreSQL only in its catalogue.

The downgrade puts the English and French texts back in their columns; descriptions in
other languages have no column to go to and are lost.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01
"""
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

LEGACY = ("en", "fr")


def _drop(conn, column: str) -> None:
    # Not op.drop_column: on SQLite Alembic would copy the whole table (batch mode).
    conn.exec_driver_sql(f"ALTER TABLE organisations DROP COLUMN {column}")


def upgrade() -> None:
    conn = op.get_bind()
    conn.exec_driver_sql("ALTER TABLE organisations ADD COLUMN descriptions JSON "
                         "NOT NULL DEFAULT '{}'")
    pairs = ", ".join(f"'{lang}', description_{lang}" for lang in LEGACY)
    where = " OR ".join(f"description_{lang} IS NOT NULL" for lang in LEGACY)
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(f"UPDATE organisations SET descriptions = "
                             f"json_patch('{{}}', json_object({pairs})) WHERE {where}")
    else:
        conn.exec_driver_sql(f"UPDATE organisations SET descriptions = "
                             f"json_strip_nulls(json_build_object({pairs})) WHERE {where}")
    for lang in LEGACY:
        _drop(conn, f"description_{lang}")


def downgrade() -> None:
    conn = op.get_bind()
    for lang in LEGACY:
        conn.exec_driver_sql(f"ALTER TABLE organisations ADD COLUMN description_{lang} TEXT")
    if conn.dialect.name == "sqlite":
        values = ", ".join(f"description_{lang} = json_extract(descriptions, '$.{lang}')"
                           for lang in LEGACY)
    else:
        values = ", ".join(f"description_{lang} = descriptions ->> '{lang}'" for lang in LEGACY)
    empty = "descriptions::text" if conn.dialect.name == "postgresql" else "descriptions"
    conn.exec_driver_sql(f"UPDATE organisations SET {values} WHERE {empty} <> '{{}}'")
    _drop(conn, "descriptions")
