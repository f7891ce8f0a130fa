"""Search for the staff pages at any size: organisations found by a part of their name or
city, and the most recently changed ones, without reading every row.

SQLite: an FTS5 table with the trigram tokenizer over name and city (kept in step by
triggers), which answers ``LIKE '%lab%'``-style searches from its index. PostgreSQL:
pg_trgm GIN indexes on ``lower(name)`` and ``lower(city)`` when the extension can be
created (else searches still work, by reading the table). Both: an index on updated_at.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

SQLITE_SEARCH = [
    "CREATE VIRTUAL TABLE organisations_search USING fts5(name, city, "
    "content='organisations', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER organisations_search_insert AFTER INSERT ON organisations BEGIN "
    "INSERT INTO organisations_search(rowid, name, city) VALUES (new.id, new.name, new.city); "
    "END",
    "CREATE TRIGGER organisations_search_delete AFTER DELETE ON organisations BEGIN "
    "INSERT INTO organisations_search(organisations_search, rowid, name, city) "
    "VALUES ('delete', old.id, old.name, old.city); END",
    "CREATE TRIGGER organisations_search_update AFTER UPDATE OF name, city ON organisations "
    "BEGIN INSERT INTO organisations_search(organisations_search, rowid, name, city) "
    "VALUES ('delete', old.id, old.name, old.city); "
    "INSERT INTO organisations_search(rowid, name, city) VALUES (new.id, new.name, new.city); "
    "END",
    "INSERT INTO organisations_search(organisations_search) VALUES ('rebuild')",
]


def upgrade() -> None:
    op.create_index("ix_organisations_updated_at", "organisations", ["updated_at"])
    conn = op.get_bind()
    if conn.dialect.name == "sqlite":
        for statement in SQLITE_SEARCH:
            conn.exec_driver_sql(statement)
        return
    savepoint = conn.begin_nested()
    try:
        conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except sa.exc.DBAPIError:  # not allowed here: searches read the table instead
        savepoint.rollback()
        return
    savepoint.commit()
    conn.exec_driver_sql("CREATE INDEX ix_organisations_name_trgm ON organisations "
                         "USING gin (lower(name) gin_trgm_ops)")
    conn.exec_driver_sql("CREATE INDEX ix_organisations_city_trgm ON organisations "
                         "USING gin (lower(city) gin_trgm_ops)")


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "sqlite":
        for name in ("insert", "delete", "update"):
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS organisations_search_{name}")
        conn.exec_driver_sql("DROP TABLE IF EXISTS organisations_search")
    else:
        conn.exec_driver_sql("DROP INDEX IF EXISTS ix_organisations_city_trgm")
        conn.exec_driver_sql("DROP INDEX IF EXISTS ix_organisations_name_trgm")
    op.drop_index("ix_organisations_updated_at", table_name="organisations")
