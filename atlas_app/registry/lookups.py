"""What the staff pages ask of the registry, answered in SQL at any size: counts by
status, organisations found by name, city or number, the review queue — never the whole
registry in memory."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import sqlalchemy as sa

from atlas_app.registry.store import Store
from atlas_app.registry.tables import organisations
from atlas_app.text import place_key

PICK_LIMIT = 50
SUMMARY_COLUMNS = (organisations.c.id, organisations.c.name, organisations.c.city,
                   organisations.c.country, organisations.c.status, organisations.c.source)


def status_counts(store: Store) -> dict[str, int]:
    """How many organisations are in each status."""
    c = organisations.c
    with store.engine.connect() as conn:
        return dict(conn.execute(sa.select(c.status, sa.func.count()).group_by(c.status)).all())


def find_organisations(store: Store, text: str = "", limit: int = PICK_LIMIT) -> list[dict]:
    """Organisations whose name or city contains ``text`` (ignoring case, accents and
    punctuation: ``montreal`` finds ``Montréal``), or whose number it is (``12`` or
    ``#12``); without text, the most recently changed. At most ``limit``, as summaries
    (id, name, city, country, status, source)."""
    c = organisations.c
    text = text.strip()
    query = sa.select(*SUMMARY_COLUMNS).limit(limit)
    number = text.removeprefix("#")
    if not text:
        query = query.order_by(c.updated_at.desc(), c.id.desc())
    elif number.isdigit() and len(number) <= 12:
        query = query.where(c.id == int(number))
    elif not (key := place_key(text)):
        return []
    elif store.dialect == "sqlite" and len(key) >= 3:
        # The trigram index (migrations 0007–0008) finds the substring in the folded key.
        phrase = '"' + key.replace('"', '""') + '"'
        query = query.where(c.id.in_(sa.text(
            "SELECT rowid FROM organisations_search WHERE organisations_search MATCH :phrase"
        ).bindparams(phrase=phrase))).order_by(c.name, c.id)
    else:  # PostgreSQL's pg_trgm index answers LIKE; short keys on SQLite read the table
        pattern = "%" + key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(c.search_key.like(pattern, escape="\\")).order_by(c.name, c.id)
    with store.engine.connect() as conn:
        return [dict(r) for r in conn.execute(query).mappings()]


def organisations_by_status(store: Store, statuses: Sequence[str], limit: int = 200,
                            first_source: str | None = None) -> list[dict]:
    """Organisations in these statuses, as summaries: those from ``first_source`` (the
    public's suggestions, one at a time, which a large upload would otherwise bury)
    first, then the oldest first (the review queue)."""
    c = organisations.c
    order = [c.created_at, c.id]
    if first_source is not None:
        order.insert(0, sa.case((c.source == first_source, 0), else_=1))
    query = (sa.select(*SUMMARY_COLUMNS).where(c.status.in_(list(statuses)))
             .order_by(*order).limit(limit))
    with store.engine.connect() as conn:
        return [dict(r) for r in conn.execute(query).mappings()]


def count_unlocated(store: Store, geocode_statuses: Sequence[str]) -> int:
    """How many organisations have no location, in these geocoding states."""
    c = organisations.c
    with store.engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(organisations).where(
            c.location_source == "none", c.geocode_status.in_(list(geocode_statuses)))).scalar()


def names_of(store: Store, ids: Sequence[int]) -> dict[int, str]:
    """The names of these organisations (a page's worth)."""
    c = organisations.c
    with store.engine.connect() as conn:
        return dict(conn.execute(sa.select(c.id, c.name).where(c.id.in_(list(ids)))).all())


def registry_stats(store: Store) -> dict:
    """Counts by status, country, sector, kind and location, in SQL (the same answer as
    :func:`atlas_app.research.stats.compute_stats` over the whole registry's frame)."""
    c = organisations.c
    published = c.status == "published"

    def grouped(conn, column, *where) -> dict[str, int]:
        rows = conn.execute(sa.select(column, sa.func.count()).where(column.is_not(None), *where)
                            .group_by(column)).all()
        return {str(k): int(v) for k, v in sorted(rows, key=lambda kv: str(kv[0]))}

    if store.dialect == "postgresql":
        return _registry_stats_in_one_scan(store)
    with store.engine.connect() as conn:
        total = conn.execute(sa.select(sa.func.count()).select_from(organisations)).scalar()
        located = conn.execute(sa.select(sa.func.count()).select_from(organisations)
                               .where(c.latitude.is_not(None))).scalar()
        return {
            "total": int(total),
            "by_status": grouped(conn, c.status),
            "published_by_country": grouped(conn, c.country, published),
            "published_by_sector": grouped(conn, c.sector, published),
            "published_by_kind": grouped(conn, c.kind, published),
            "located": int(located),
            "unlocated": int(total - located),
            "by_location_precision": grouped(conn, c.location_precision),
        }


# PostgreSQL answers every count of registry_stats from one pass over the table.
_STATS_IN_ONE_SCAN = sa.text("""
SELECT status, country, sector, kind, location_precision, latitude IS NOT NULL AS located,
       GROUPING(country) AS no_country, GROUPING(sector) AS no_sector,
       GROUPING(kind) AS no_kind, GROUPING(location_precision) AS no_precision,
       GROUPING(latitude IS NOT NULL) AS no_located, COUNT(*) AS n
FROM organisations
GROUP BY GROUPING SETS ((status), (status, country), (status, sector), (status, kind),
                        (location_precision), (latitude IS NOT NULL))
""")


def _registry_stats_in_one_scan(store: Store) -> dict:
    found: dict[str, dict[str, int]] = {key: {} for key in (
        "by_status", "published_by_country", "published_by_sector", "published_by_kind",
        "by_location_precision")}
    located = {True: 0, False: 0}
    with store.engine.connect() as conn:
        for row in conn.execute(_STATS_IN_ONE_SCAN).mappings():
            n = int(row["n"])
            if not row["no_located"]:
                located[bool(row["located"])] = n
            elif not row["no_precision"]:
                if row["location_precision"] is not None:
                    found["by_location_precision"][str(row["location_precision"])] = n
            else:
                for column in ("country", "sector", "kind"):
                    if not row[f"no_{column}"]:
                        if row["status"] == "published" and row[column] is not None:
                            found[f"published_by_{column}"][str(row[column])] = n
                        break
                else:
                    if row["status"] is not None:
                        found["by_status"][str(row["status"])] = n
    total = located[True] + located[False]
    return {"total": total, **{k: dict(sorted(v.items())) for k, v in found.items()},
            "located": located[True], "unlocated": located[False]}


def count_in(store: Store, statuses: Sequence[str] | None, *, countries: Sequence[str] = (),
             sectors: Sequence[str] = (), kinds: Sequence[str] = ()) -> int:
    """How many organisations are in these statuses (None: every status), and in these
    countries, sectors and kinds when given."""
    c = organisations.c
    query = sa.select(sa.func.count()).select_from(organisations)
    for column, values in (("status", statuses), ("country", countries),
                           ("sector", sectors), ("kind", kinds)):
        if values is not None and (values or column == "status"):
            query = query.where(c[column].in_(list(values)))
    with store.engine.connect() as conn:
        return conn.execute(query).scalar()


def identities(store: Store, statuses: Sequence[str] = ("published", "pending")
               ) -> list[tuple[int, str, str | None, str | None, str | None]]:
    """(id, name, country, city, website) of the organisations in these statuses, by
    id: what duplicate detection compares, without reading whole rows."""
    c = organisations.c
    query = (sa.select(c.id, c.name, c.country, c.city, c.website)
             .where(c.status.in_(list(statuses))).order_by(c.id))
    with store.engine.connect() as conn:
        return [tuple(row) for row in conn.execute(query)]

def duplicate_candidates(store: Store, hosts: Iterable[str], places: Iterable[tuple[str, str]],
                         statuses: Sequence[str] = ("published", "pending")
                         ) -> list[tuple[int, str, str | None, str | None, str | None]]:
    """:func:`identities` of the organisations that share a website host or a place
    (country, city key) with incoming rows — looked up with the indexes of migration
    0006, never by reading the whole registry."""
    c = organisations.c
    hosts, places = sorted(set(hosts)), sorted(set(places))
    wanted = set(statuses)
    found: dict[int, tuple] = {}
    # The status is checked here, not in SQL: given a status condition, SQLite's
    # planner prefers the status index and reads every published row.
    columns = (c.id, c.name, c.country, c.city, c.website, c.status)
    with store.engine.connect() as conn:
        for start in range(0, len(hosts), 500):
            query = sa.select(*columns).where(c.website_host.in_(hosts[start:start + 500]))
            found.update((row[0], tuple(row[:5])) for row in conn.execute(query)
                         if row[5] in wanted)
        for start in range(0, len(places), 500):
            query = sa.select(*columns).where(
                sa.tuple_(c.country, c.city_key).in_(places[start:start + 500]))
            found.update((row[0], tuple(row[:5])) for row in conn.execute(query)
                         if row[5] in wanted)
    return [found[i] for i in sorted(found)]
