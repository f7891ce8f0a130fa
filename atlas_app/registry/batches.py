"""The published organisations' index columns read from the database as Arrow batches.

The public index (:mod:`atlas_app.public.index`) is built from these; reading them is
the registry's job because only the registry opens database connections.
"""

from __future__ import annotations

from collections.abc import Iterator

import pyarrow as pa

INDEX_QUERY = """
SELECT id, name, city, country, sector, kind, latitude, longitude, created_at,
       CAST(tags AS TEXT) AS tags, description_en, description_fr
FROM organisations WHERE status = 'published' ORDER BY id
"""
INDEX_SCHEMA = pa.schema([("id", pa.int64()), ("name", pa.string()), ("city", pa.string()),
                          ("country", pa.string()), ("sector", pa.string()),
                          ("kind", pa.string()), ("latitude", pa.float64()),
                          ("longitude", pa.float64()), ("created_at", pa.string()),
                          ("tags", pa.string()), ("description_en", pa.string()),
                          ("description_fr", pa.string())])
BATCH_ROWS = 50_000


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
            cursor.execute(INDEX_QUERY)
            yield from cursor.fetch_record_batch()
        return
    with store.engine.connect() as conn:
        result = conn.exec_driver_sql(INDEX_QUERY)
        for rows in result.partitions(BATCH_ROWS):
            yield pa.RecordBatch.from_arrays(
                [_arrow(values, f.type) for f, values in zip(INDEX_SCHEMA, zip(*rows))],
                schema=INDEX_SCHEMA)


def _arrow(values: tuple, type_: pa.DataType) -> pa.Array:
    try:
        return pa.array(values, type=type_)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # SQLite may hold a number in a text column
        return pa.array([None if v is None else str(v) for v in values], type=type_)
