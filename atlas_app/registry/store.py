"""The one module that talks to the database: SQLite by default, PostgreSQL when configured."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from atlas_app.errors import StoreError
from atlas_app.registry.engine import sqlite_engine
from atlas_app.registry.keys import identity_keys
from atlas_app.registry.schema import DESCRIPTION_FIELDS, FIELD_NAMES, FIELDS
from atlas_app.registry.tables import geocode_cache, import_batches, organisations, registry_meta

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
INSERT_CHUNK = 1000
# Rows per frame when the registry is streamed (exports, notebook counts).
BATCH_ROWS = 5000
# How each field's values leave the store in a frame: the one place where missing values
# are decided. Text stays Python ``str`` or ``None`` in an object column (pandas 3 would
# otherwise infer its ``str`` dtype and hand NaN floats to code that expects ``None``).
FRAME_DTYPES = {f.name: {"integer": "int64", "number": "float64"}.get(f.type, object)
                for f in FIELDS}
DATETIME_FIELDS = tuple(f.name for f in FIELDS if f.type == "datetime")
# The columns a read selects, in this order: FIELD_NAMES with the description_<lang>
# fields replaced by the one ``descriptions`` map that holds them.
STORED_NAMES = tuple(dict.fromkeys("descriptions" if name in DESCRIPTION_FIELDS else name
                                   for name in FIELD_NAMES))
_PUBLIC_CHANGE = "atlas_public_change"
# Rows per multi-row INSERT on PostgreSQL. psycopg parses every statement's placeholders
# and caches the result only for short statements: 1,000 rows × 26 columns was parsed
# anew each time and cost a third of a large import.
PG_INSERT_PAGE = 100


@dataclass(frozen=True)
class Batch:
    """One committed import: which file, when, and how many rows it added."""

    id: int
    filename: str
    sha256: str
    source: str | None
    row_count: int
    created_at: dt.datetime


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def _as_utc(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=dt.timezone.utc) if value.tzinfo is None \
        else value.astimezone(dt.timezone.utc)


def _first_line(error: object) -> str:
    """A database message without PostgreSQL's multi-line DETAIL (which echoes the row)."""
    return (str(error).strip().splitlines() or [""])[0]


def records_frame(rows: Sequence[dict]) -> pd.DataFrame:
    """Organisation records as a frame with FIELD_NAMES columns and fixed types.

    ``id`` is int64, coordinates float64 (NaN when missing), timestamps UTC datetimes,
    and every text, enum and list column holds Python objects with ``None`` when
    missing — never NaN — whatever pandas' own string inference would choose.
    """
    return columns_frame({name: [row.get(name) for row in rows] for name in FIELD_NAMES})


def rows_frame(rows: Sequence[Sequence]) -> pd.DataFrame:
    """Rows whose values are in STORED_NAMES order (as the store reads them) as a typed
    frame — see :func:`records_frame`."""
    columns = dict(zip(STORED_NAMES, list(zip(*rows)) if rows else [()] * len(STORED_NAMES)))
    maps = _description_maps(columns.pop("descriptions"))
    for name in DESCRIPTION_FIELDS:
        lang = name.removeprefix("description_")
        columns[name] = [m.get(lang) for m in maps]
    return columns_frame(columns)


def _description_maps(values: Sequence) -> list[dict]:
    """Description maps ({lang: text}) from maps or JSON text (as the database hands them)."""
    return [json.loads(v) or {} if isinstance(v, str) else (v or {}) for v in values]


def pack_descriptions(record: dict, stored: dict | None = None) -> dict:
    """The ``descriptions`` map for a record's description_<lang> values, over ``stored``
    (the map already in the database: languages the record does not name are kept). An
    empty or missing text removes its language."""
    packed = dict(stored or {})
    for name in DESCRIPTION_FIELDS:
        if name in record:
            lang = name.removeprefix("description_")
            if record[name] in (None, ""):
                packed.pop(lang, None)
            else:
                packed[lang] = record[name]
    return packed


def unpack_descriptions(row: dict) -> dict:
    """A row read from the table with its description_<lang> fields (missing ones None);
    the ``descriptions`` map stays beside them, with any language not configured."""
    stored = row.get("descriptions")
    stored = (json.loads(stored) if isinstance(stored, str) else stored) or {}
    row["descriptions"] = stored
    for name in DESCRIPTION_FIELDS:
        row[name] = stored.get(name.removeprefix("description_"))
    return row


def _tag_lists(values: Sequence) -> list[list]:
    """Tags as lists, from lists or JSON text (each distinct text decoded once; every row
    gets its own list)."""
    decoded: dict[str, list] = {}
    out = []
    for value in values:
        if value is None:
            out.append([])
        elif isinstance(value, str):
            if value not in decoded:
                decoded[value] = json.loads(value) or []
            out.append(list(decoded[value]))
        else:
            out.append(list(value))
    return out


def columns_frame(columns: dict[str, Sequence]) -> pd.DataFrame:
    """The one place where the types of a frame of organisations are decided."""
    data = {}
    for name, dtype in FRAME_DTYPES.items():
        values = columns[name]
        if name == "tags":
            values = _tag_lists(values)
        if name in DATETIME_FIELDS:
            data[name] = pd.Series(pd.to_datetime(list(values), utc=True)
                                   .astype("datetime64[us, UTC]"), name=name)
        else:
            data[name] = pd.Series(list(values), dtype=dtype, name=name)
    return pd.DataFrame(data, columns=list(FIELD_NAMES))


class Store:
    """The registry's database. Every use case is one write transaction; the revision
    moves only when what the public sees changes."""

    def __init__(self, url: str) -> None:
        try:
            parsed = sa.make_url(url)
        except sa.exc.ArgumentError as exc:
            raise StoreError(f"ATLAS_DATABASE_URL is not a database URL: {url!r}") from exc
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        self.url = parsed
        self.engine = (sqlite_engine(parsed) if parsed.get_backend_name() == "sqlite"
                       else sa.create_engine(parsed, pool_pre_ping=True,
                                             insertmanyvalues_page_size=PG_INSERT_PAGE))

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def dispose(self) -> None:
        self.engine.dispose()

    # -- schema -------------------------------------------------------------------------

    def _alembic_config(self) -> Config:
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        cfg.set_main_option("sqlalchemy.url",
                            self.url.render_as_string(hide_password=False).replace("%", "%%"))
        return cfg

    def upgrade(self, revision: str = "head") -> str:
        """Create the schema or bring it up to date in place (to ``revision``: the latest
        unless a benchmark asks for an earlier one); return the new revision."""
        cfg = self._alembic_config()
        try:
            with self.engine.begin() as conn:
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, revision)
        except sa.exc.OperationalError as exc:
            raise StoreError(f"cannot open the database {self.url!r}: {exc.orig}") from exc
        return self.schema_revision() or ""

    def schema_revision(self) -> str | None:
        with self.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    def schema_is_current(self) -> bool:
        head = ScriptDirectory.from_config(self._alembic_config()).get_current_head()
        return self.schema_revision() == head

    # -- transactions -------------------------------------------------------------------

    @contextmanager
    def write(self, conn: sa.Connection | None = None):
        """One write transaction (BEGIN IMMEDIATE on SQLite, so writers queue instead of
        failing). Given the ``conn`` of an enclosing write, it joins that transaction:
        a use case composes several writes into one.

        The revision (every public cache's key) moves at the end only when a change the
        public sees was marked with :meth:`mark_public`.
        """
        if conn is not None:
            yield conn
            return
        try:
            with self.engine.execution_options(atlas_write=True).begin() as conn:
                conn.info[_PUBLIC_CHANGE] = False  # info outlives the checkout: reset
                yield conn
                if conn.info.pop(_PUBLIC_CHANGE, False):
                    conn.execute(registry_meta.update()
                                 .where(registry_meta.c.key == "revision")
                                 .values(value=sa.cast(sa.cast(registry_meta.c.value,
                                                               sa.Integer) + 1, sa.String)))
        except StoreError:
            raise
        except sa.exc.SQLAlchemyError as exc:
            raise StoreError(f"the database refused the change, nothing was written: "
                             f"{_first_line(getattr(exc, 'orig', exc))}") from exc

    @staticmethod
    def mark_public(conn: sa.Connection, changed: bool = True) -> None:
        """Note that this transaction changes what the public sees (moves the revision)."""
        if changed:
            conn.info[_PUBLIC_CHANGE] = True

    def rewrite_organisation(self, conn: sa.Connection, org_id: int, values: dict,
                             current: dict) -> dt.datetime:
        """Write new ``values`` over one organisation (as ``current``, read inside
        ``conn``), with its duplicate keys and ``updated_at``; the revision moves when the
        organisation is public. Returns the time written."""
        now = utcnow()
        values = dict(values)
        if any(name in values for name in DESCRIPTION_FIELDS):
            values["descriptions"] = pack_descriptions(values, current.get("descriptions"))
            for name in DESCRIPTION_FIELDS:
                values.pop(name, None)
        conn.execute(organisations.update().where(organisations.c.id == org_id)
                     .values(**values, **identity_keys({**current, **values}), updated_at=now))
        self.mark_public(conn, current.get("status") == "published")
        return now

    def organisations_in(self, conn: sa.Connection, ids: Iterable[int]) -> dict[int, dict]:
        """Whole rows of these organisations, read inside ``conn``'s transaction and
        locked against concurrent writers until it ends (PostgreSQL ``FOR UPDATE``;
        SQLite's write transaction already holds the database)."""
        ids = list(ids)
        found: dict[int, dict] = {}
        for start in range(0, len(ids), INSERT_CHUNK):
            query = sa.select(organisations).where(
                organisations.c.id.in_(ids[start:start + INSERT_CHUNK]))
            if self.dialect == "postgresql":
                query = query.with_for_update()
            for row in conn.execute(query).mappings():
                found[row["id"]] = self._normalise(dict(row))
        return found

    def revision(self) -> int:
        """A number that changes whenever what the public sees does (cache key for the
        public views, version of the citations)."""
        with self.engine.connect() as conn:
            value = conn.execute(sa.select(registry_meta.c.value)
                                 .where(registry_meta.c.key == "revision")).scalar()
        return int(value or 0)

    def instance(self) -> str:
        """This registry's random identity (set when it was created; migration 0010)."""
        with self.engine.connect() as conn:
            return conn.execute(sa.select(registry_meta.c.value)
                                .where(registry_meta.c.key == "instance")).scalar() or ""

    # -- writes -------------------------------------------------------------------------

    def add_organisations(self, records: Sequence[dict], *, filename: str | None = None,
                          sha256: str | None = None, source: str | None = None,
                          created_by: str | None = None, conn: sa.Connection | None = None
                          ) -> tuple[list[int], int | None]:
        """Insert validated records atomically; return (their ids, the batch id).

        Records that carry an ``id`` keep it (restoring an export); others are numbered by
        the database. Either every record is written or none is (``conn``: as part of an
        enclosing write).
        """
        now = utcnow()
        ids: list[int] = []
        with self.write(conn) as conn:
            self.mark_public(conn, any(r.get("status", "published") == "published"
                                       for r in records))
            batch_id = None
            if filename is not None:
                batch_id = conn.execute(import_batches.insert().values(
                    filename=filename, sha256=sha256 or "", source=source,
                    row_count=len(records), created_by=created_by, created_at=now)
                ).inserted_primary_key[0]
            rows = [self._row(r, now, batch_id) for r in records]
            with_id = [r for r in rows if r.get("id") is not None]
            if with_id:
                taken = self._existing_ids(conn, [r["id"] for r in with_id])
                if taken:
                    raise StoreError(f"{'id' if len(taken) == 1 else 'ids'} already in the "
                                     "registry: "
                                     f"{', '.join(map(str, sorted(taken)[:10]))}")
                for start in range(0, len(with_id), INSERT_CHUNK):
                    self._insert_chunk(conn, with_id[start:start + INSERT_CHUNK], rows,
                                       returning=False)
                self._advance_id_sequence(conn)
            without_id = [r for r in rows if r.get("id") is None]
            for start in range(0, len(without_id), INSERT_CHUNK):
                chunk = without_id[start:start + INSERT_CHUNK]
                for row in chunk:
                    row.pop("id")
                new_ids = self._insert_chunk(conn, chunk, rows, returning=True)
                for row, new_id in zip(chunk, new_ids):
                    row["id"] = new_id
            ids = [r["id"] for r in rows]
        return ids, batch_id

    @staticmethod
    def _insert_chunk(conn: sa.Connection, chunk: list[dict], rows: list[dict], *,
                      returning: bool) -> list[int]:
        """Insert a chunk; when the database refuses it, find and name the refused row."""
        statement = organisations.insert()
        if returning:
            statement = statement.returning(organisations.c.id, sort_by_parameter_order=True)
        try:
            with conn.begin_nested():
                result = conn.execute(statement, chunk)
                return list(result.scalars()) if returning else []
        except sa.exc.DBAPIError as exc:
            for row in chunk:
                try:
                    with conn.begin_nested():
                        conn.execute(organisations.insert(), [row])
                except sa.exc.DBAPIError as row_exc:
                    index = next(i for i, r in enumerate(rows) if r is row)
                    raise StoreError(f"the database refused row {index + 1} "
                                     f"({row.get('name')!r}): {_first_line(row_exc.orig)} — nothing was "
                                     "written", row_index=index) from row_exc
            raise StoreError(f"the database refused the change, nothing was written: "
                             f"{_first_line(exc.orig)}") from exc

    @staticmethod
    def _row(record: dict, now: dt.datetime, batch_id: int | None) -> dict:
        row = {name: record.get(name) for name in FIELD_NAMES if name not in DESCRIPTION_FIELDS}
        row["descriptions"] = pack_descriptions(record, record.get("descriptions"))
        row["tags"] = list(record.get("tags") or [])
        row["created_at"] = record.get("created_at") or now
        row["updated_at"] = record.get("updated_at") or row["created_at"]
        row["batch_id"] = batch_id
        row.update(identity_keys(row))
        row["geocode_status"] = record.get("geocode_status") or (
            "located" if row.get("latitude") is not None else "todo")
        return row

    def _advance_id_sequence(self, conn: sa.Connection) -> None:
        if self.dialect == "postgresql":
            conn.exec_driver_sql(
                "SELECT setval(pg_get_serial_sequence('organisations', 'id'), "
                "GREATEST((SELECT MAX(id) FROM organisations), "
                "(SELECT last_value FROM organisations_id_seq)))")

    @staticmethod
    def _existing_ids(conn: sa.Connection, ids: Iterable[int]) -> set[int]:
        ids = list(ids)
        found: set[int] = set()
        for start in range(0, len(ids), INSERT_CHUNK):
            chunk = ids[start:start + INSERT_CHUNK]
            found.update(conn.execute(sa.select(organisations.c.id)
                                      .where(organisations.c.id.in_(chunk))).scalars())
        return found

    # -- reads --------------------------------------------------------------------------

    def existing_ids(self, ids: Iterable[int]) -> set[int]:
        with self.engine.connect() as conn:
            return self._existing_ids(conn, ids)

    def count(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(organisations)).scalar()

    def find_batch(self, sha256: str) -> Batch | None:
        """The earlier import of the file with this SHA-256, if any."""
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(import_batches)
                               .where(import_batches.c.sha256 == sha256)
                               .order_by(import_batches.c.id)).mappings().first()
        if row is None:
            return None
        return Batch(row["id"], row["filename"], row["sha256"], row["source"],
                     row["row_count"], _as_utc(row["created_at"]))

    def get_organisation(self, org_id: int) -> dict | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(organisations)
                               .where(organisations.c.id == org_id)).mappings().first()
        return self._normalise(dict(row)) if row else None

    def frame(self, statuses: Sequence[str] | None = ("published",), *,
              countries: Sequence[str] = (), sectors: Sequence[str] = (),
              kinds: Sequence[str] = (),
              bounds: tuple[float, float, float, float] | None = None) -> pd.DataFrame:
        """The registry as a DataFrame (one row per organisation, FIELD_NAMES columns),
        narrowed in the database (with its indexes) to the statuses, countries, sectors,
        kinds and bounding box (south, west, north, east) given."""
        query = self.frame_query(statuses, countries=countries, sectors=sectors, kinds=kinds,
                                 bounds=bounds)
        with self.engine.connect() as conn:
            return rows_frame(conn.execute(query).all())

    def batches(self, statuses: Sequence[str] | None = ("published",), *,
                countries: Sequence[str] = (), sectors: Sequence[str] = (),
                kinds: Sequence[str] = (),
                bounds: tuple[float, float, float, float] | None = None,
                size: int | None = None) -> Iterator[pd.DataFrame]:
        """:meth:`frame` in frames of at most ``size`` rows (BATCH_ROWS), streamed from the database
        (a server-side cursor on PostgreSQL): memory stays flat whatever the registry's
        size."""
        query = self.frame_query(statuses, countries=countries, sectors=sectors, kinds=kinds,
                                 bounds=bounds)
        size = size or BATCH_ROWS
        with self.engine.connect() as conn:
            result = conn.execution_options(stream_results=True, yield_per=size).execute(query)
            for rows in result.partitions(size):
                yield rows_frame(rows)

    @staticmethod
    def frame_query(statuses: Sequence[str] | None = ("published",), *,
                    countries: Sequence[str] = (), sectors: Sequence[str] = (),
                    kinds: Sequence[str] = (),
                    bounds: tuple[float, float, float, float] | None = None) -> sa.Select:
        """The SELECT behind :meth:`frame`."""
        c = organisations.c
        # Tags and descriptions come as JSON text, decoded by rows_frame (the drivers would
        # decode every row's: a third of a large read on PostgreSQL).
        query = sa.select(*[sa.cast(c[name], sa.Text).label(name)
                            if name in ("tags", "descriptions") else c[name]
                            for name in STORED_NAMES])
        for column, values in (("status", statuses), ("country", countries),
                               ("sector", sectors), ("kind", kinds)):
            if values is not None and (values or column == "status"):
                query = query.where(c[column].in_(list(values)))
        if bounds is not None:
            south, west, north, east = bounds
            query = query.where(c.latitude.between(south, north),
                                c.longitude.between(west, east))
        return query.order_by(c.id)

    @staticmethod
    def _normalise(row: dict) -> dict:
        for key in ("created_at", "updated_at"):
            if key in row:
                row[key] = _as_utc(row[key])
        if row.get("tags") is None:
            row["tags"] = []
        return unpack_descriptions(row)

    # -- geocoding ------------------------------------------------------------------------

    def unlocated(self, geocode_statuses: Sequence[str], limit: int | None = None) -> list[dict]:
        """Organisations without coordinates in the given geocoding states, by id."""
        query = (sa.select(organisations.c.id, organisations.c.name, organisations.c.city,
                           organisations.c.country, organisations.c.postcode,
                           organisations.c.address, organisations.c.geocode_status,
                           organisations.c.location_note)
                 .where(organisations.c.location_source == "none",
                        organisations.c.geocode_status.in_(list(geocode_statuses)))
                 .order_by(organisations.c.id))
        if limit:
            query = query.limit(limit)
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]

    def apply_locations(self, updates: Sequence[tuple[int, object]]) -> int:
        """Record geocoding outcomes in one transaction; return how many rows changed.

        Only rows still without a location are touched, so coordinates set by hand (or
        by a concurrent run) are never overwritten.
        """
        now = utcnow()
        changed = 0
        with self.write() as conn:
            self.mark_public(conn, self._any_published(conn, [i for i, _ in updates]))
            for org_id, outcome in updates:
                if outcome.status == "paused":
                    continue
                values = {"geocode_status": outcome.status, "updated_at": now,
                          "location_note": outcome.note[:500] or None}
                if outcome.status == "located":
                    values.update(latitude=outcome.latitude, longitude=outcome.longitude,
                                  location_precision=outcome.precision,
                                  location_source=outcome.source)
                changed += conn.execute(
                    organisations.update()
                    .where(organisations.c.id == org_id,
                           organisations.c.location_source == "none")
                    .values(**values)).rowcount
        return changed

    @staticmethod
    def _any_published(conn: sa.Connection, ids: Sequence[int]) -> bool:
        for start in range(0, len(ids), INSERT_CHUNK):
            if conn.execute(sa.select(organisations.c.id).where(
                    organisations.c.id.in_(list(ids[start:start + INSERT_CHUNK])),
                    organisations.c.status == "published").limit(1)).first():
                return True
        return False

    def cached_answer(self, provider: str, query: str) -> dict | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(geocode_cache).where(
                geocode_cache.c.provider == provider,
                geocode_cache.c.query == query)).mappings().first()
        return dict(row) if row else None

    def cached_answers(self, provider: str, queries: Sequence[str]) -> dict[str, dict]:
        """:meth:`cached_answer` for many queries (those with an answer)."""
        found: dict[str, dict] = {}
        with self.engine.connect() as conn:
            for start in range(0, len(queries), INSERT_CHUNK):
                chunk = list(queries[start:start + INSERT_CHUNK])
                for row in conn.execute(sa.select(geocode_cache).where(
                        geocode_cache.c.provider == provider,
                        geocode_cache.c.query.in_(chunk))).mappings():
                    found[row["query"]] = dict(row)
        return found

    def cache_answer(self, provider: str, query: str, outcome) -> None:
        """Remember an online answer (or "not found"); the first answer stored wins."""
        row = {"provider": provider, "query": query, "found": outcome.status == "located",
               "latitude": outcome.latitude, "longitude": outcome.longitude,
               "precision": outcome.precision, "label": outcome.note[:500],
               "created_at": utcnow()}
        try:
            with self.engine.execution_options(atlas_write=True).begin() as conn:
                conn.execute(geocode_cache.insert().values(**row))
        except sa.exc.IntegrityError:
            pass

    def get_meta(self, key: str) -> str | None:
        with self.engine.connect() as conn:
            return conn.execute(sa.select(registry_meta.c.value)
                                .where(registry_meta.c.key == key)).scalar()

    def set_meta(self, key: str, value: str | None) -> None:
        """Set (or with None, remove) a registry setting such as the online pause."""
        with self.engine.execution_options(atlas_write=True).begin() as conn:
            conn.execute(registry_meta.delete().where(registry_meta.c.key == key))
            if value is not None:
                conn.execute(registry_meta.insert().values(key=key, value=value[:200]))

    def reserve_slot(self, key: str, interval: float) -> float:
        """App-wide rate limit: reserve the next free slot; return seconds to wait for it.

        The slot lives in the database, so every process (app replicas, CLI runs) shares
        one budget of one request per ``interval``.
        """
        query = sa.select(registry_meta.c.value).where(registry_meta.c.key == key)
        if self.dialect == "postgresql":
            query = query.with_for_update()
        with self.engine.execution_options(atlas_write=True).begin() as conn:
            now = time.time()
            start = max(now, float(conn.execute(query).scalar() or 0))
            conn.execute(registry_meta.update().where(registry_meta.c.key == key)
                         .values(value=repr(start + interval)))
        return start - now
