"""The published organisations' index columns read from the database as Arrow batches.

The public index (:mod:`atlas_app.public.index`) is built from these; reading them is
the registry's job because only the registry opens database connections.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

import pyarrow as pa
import sqlalchemy as sa

# Every description of an organisation as one text (whatever its languages), for the
# public search: the database takes the texts out of the JSON map (escapes decoded).
DESCRIPTIONS_TEXT = {
    "sqlite": "(SELECT group_concat(value, ' ') FROM json_each(organisations.descriptions))",
    "postgresql": "(SELECT string_agg(value, ' ') FROM json_each_text(organisations.descriptions))",
}
_INDEX = """
SELECT id, name, city, country, sector, kind, latitude, longitude, created_at,
       CAST(tags AS TEXT) AS tags, {descriptions} AS descriptions
FROM organisations WHERE status = 'published' ORDER BY id
"""
INDEX_SCHEMA = pa.schema([("id", pa.int64()), ("name", pa.string()), ("city", pa.string()),
                          ("country", pa.string()), ("sector", pa.string()),
                          ("kind", pa.string()), ("latitude", pa.float64()),
                          ("longitude", pa.float64()), ("created_at", pa.string()),
                          ("tags", pa.string()), ("descriptions", pa.string())])
BATCH_ROWS = 50_000
_CHANGED = """
SELECT id, name, city, country, sector, kind, latitude, longitude, created_at,
       CAST(tags AS TEXT) AS tags, {descriptions} AS descriptions, status
FROM organisations WHERE {where}"""


def index_query(dialect: str) -> str:
    """The published organisations' index columns, in id order."""
    return _INDEX.format(descriptions=DESCRIPTIONS_TEXT[dialect])


def changes_query(dialect: str) -> str:
    """The organisations added (id above ``:last_id``) or changed (after ``:since``).

    Two indexed lookups (the primary key, ix_organisations_updated_at): an OR of the two
    conditions would read the whole table, and "+id" keeps SQLite from preferring the key.
    """
    text = DESCRIPTIONS_TEXT[dialect]
    return (_CHANGED.format(descriptions=text, where="id > :last_id") + " UNION ALL "
            + _CHANGED.format(descriptions=text,
                              where="updated_at > :since AND +id <= :last_id"))
# Writers stamp updated_at with their own clock: changes are looked for from this long
# before the last one seen, so that a replica whose clock lags is not missed (a change
# seen twice is applied twice, to the same effect).
CLOCK_MARGIN = dt.timedelta(minutes=2)


@dataclass(frozen=True)
class Watermark:
    """How far an index has seen the registry: its highest id and latest change."""

    last_id: int = 0
    last_change: dt.datetime | None = None


def watermark(store) -> Watermark:
    """The registry's watermark now (read before the rows it stands for)."""
    with store.engine.connect() as conn:  # two queries: each answered by an index
        last_id = conn.execute(sa.text("SELECT MAX(id) FROM organisations")).scalar()
        last_change = conn.execute(sa.text("SELECT MAX(updated_at) FROM organisations")
                                   ).scalar()
    if isinstance(last_change, str):  # SQLite hands the text back
        last_change = dt.datetime.fromisoformat(last_change)
    if last_change is not None and last_change.tzinfo is None:
        last_change = last_change.replace(tzinfo=dt.timezone.utc)
    return Watermark(int(last_id or 0), last_change)


def changes_since(store, mark: Watermark, limit: int) -> pa.Table | None:
    """The organisations added or changed since ``mark`` (every status, with the index
    columns), or None when there are more than ``limit`` of them."""
    since = (mark.last_change - CLOCK_MARGIN) if mark.last_change else \
        dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
    schema = INDEX_SCHEMA.append(pa.field("status", pa.string()))
    with store.engine.connect() as conn:
        rows = conn.execute(sa.text(changes_query(store.dialect) + f" LIMIT {int(limit) + 1}").bindparams(
            sa.bindparam("since", type_=sa.DateTime(timezone=True))),
            {"last_id": mark.last_id, "since": since}).all()
    if len(rows) > limit:
        return None
    columns = list(zip(*rows)) if rows else [()] * len(schema)
    return pa.Table.from_arrays([_arrow(values, f.type) for f, values in zip(schema, columns)],
                                schema=schema)


def index_batches(store) -> Iterator[pa.RecordBatch]:
    """The published organisations' index columns as Arrow record batches, never the
    whole registry's text in memory at once.

    PostgreSQL's rows come straight into Arrow through its ADBC driver (binary COPY, no
    Python object per value). SQLite's come through Python's own sqlite3 module, batch by
    batch: a second SQLite library in the same process (ADBC bundles one) would break
    SQLite's file locks, which the SQLite documentation warns corrupts databases.
    """
    url = store.url
    if url.get_backend_name() == "postgresql":
        import adbc_driver_postgresql.dbapi as adbc

        with adbc.connect(url.set(drivername="postgresql").render_as_string(
                hide_password=False)) as connection, connection.cursor() as cursor:
            cursor.execute(index_query("postgresql"))
            yield from cursor.fetch_record_batch()
        return
    with store.engine.connect() as conn:
        result = conn.exec_driver_sql(index_query("sqlite"))
        for rows in result.partitions(BATCH_ROWS):
            yield pa.RecordBatch.from_arrays(
                [_arrow(values, f.type) for f, values in zip(INDEX_SCHEMA, zip(*rows))],
                schema=INDEX_SCHEMA)


def _arrow(values: tuple, type_: pa.DataType) -> pa.Array:
    try:
        return pa.array(values, type=type_)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # SQLite may hold a number in a text column
        return pa.array([None if v is None else str(v) for v in values], type=type_)
