"""Staff search without caring for accents or case: ``Montreal`` finds ``Montréal``.

A ``search_key`` (name and city folded: accents, case and punctuation) is stored beside each
organisation and searched instead of the raw name and city. SQLite: the FTS5 trigram table
of migration 0007 now indexes the key; PostgreSQL: one pg_trgm GIN index on the key
replaces the two on ``lower(name)`` and ``lower(city)``. Existing rows are keyed here, in
batches.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

BATCH = 5000
SQLITE_SEARCH = [
    "CREATE VIRTUAL TABLE organisations_search USING fts5(search_key, "
    "content='organisations', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER organisations_search_insert AFTER INSERT ON organisations BEGIN "
    "INSERT INTO organisations_search(rowid, search_key) VALUES (new.id, new.search_key); "
    "END",
    "CREATE TRIGGER organisations_search_delete AFTER DELETE ON organisations BEGIN "
    "INSERT INTO organisations_search(organisations_search, rowid, search_key) "
    "VALUES ('delete', old.id, old.search_key); END",
    "CREATE TRIGGER organisations_search_update AFTER UPDATE OF search_key ON organisations "
    "BEGIN INSERT INTO organisations_search(organisations_search, rowid, search_key) "
    "VALUES ('delete', old.id, old.search_key); "
    "INSERT INTO organisations_search(rowid, search_key) VALUES (new.id, new.search_key); "
    "END",
    "INSERT INTO organisations_search(organisations_search) VALUES ('rebuild')",
]


def _drop_sqlite_search(conn) -> None:
    for name in ("insert", "delete", "update"):
        conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS organisations_search_{name}")
    conn.exec_driver_sql("DROP TABLE IF EXISTS organisations_search")


def _has_pg_trgm(conn) -> bool:
    return bool(conn.exec_driver_sql(
        "SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'").scalar())


def upgrade() -> None:
    from atlas_app.registry.keys import search_key

    conn = op.get_bind()
    if conn.dialect.name == "sqlite":
        _drop_sqlite_search(conn)  # its triggers would fire on every row keyed below
    op.add_column("organisations", sa.Column("search_key", sa.String(400)))
    table = sa.table("organisations", sa.column("id", sa.Integer), sa.column("name", sa.String),
                     sa.column("city", sa.String), sa.column("search_key", sa.String))
    last = 0
    while True:
        rows = conn.execute(sa.select(table.c.id, table.c.name, table.c.city)
                            .where(table.c.id > last).order_by(table.c.id).limit(BATCH)).all()
        if not rows:
            break
        conn.execute(table.update().where(table.c.id == sa.bindparam("row_id"))
                     .values(search_key=sa.bindparam("key")),
                     [{"row_id": row.id, "key": search_key(row.name, row.city)}
                      for row in rows])
        last = rows[-1].id
    if conn.dialect.name == "sqlite":
        for statement in SQLITE_SEARCH:
            conn.exec_driver_sql(statement)
    elif _has_pg_trgm(conn):
        conn.exec_driver_sql("DROP INDEX IF EXISTS ix_organisations_name_trgm")
        conn.exec_driver_sql("DROP INDEX IF EXISTS ix_organisations_city_trgm")
        conn.exec_driver_sql("CREATE INDEX ix_organisations_search_trgm ON organisations "
                             "USING gin (search_key gin_trgm_ops)")


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "sqlite":
        _drop_sqlite_search(conn)
    else:
        conn.exec_driver_sql("DROP INDEX IF EXISTS ix_organisations_search_trgm")
    op.drop_column("organisations", "search_key")
    if conn.dialect.name == "sqlite":  # migration 0007's search, on name and city
        for statement in SQLITE_SEARCH:
            conn.exec_driver_sql(statement.replace("search_key, content", "name, city, content")
                                 .replace("OF search_key", "OF name, city")
                                 .replace("rowid, search_key)", "rowid, name, city)")
                                 .replace("new.search_key", "new.name, new.city")
                                 .replace("old.search_key", "old.name, old.city"))
    elif _has_pg_trgm(conn):
        conn.exec_driver_sql("CREATE INDEX ix_organisations_name_trgm ON organisations "
                             "USING gin (lower(name) gin_trgm_ops)")
        conn.exec_driver_sql("CREATE INDEX ix_organisations_city_trgm ON organisations "
                             "USING gin (lower(city) gin_trgm_ops)")
