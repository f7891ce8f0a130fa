"""The review queue's questions, in SQL: which pending organisations match a filter (by
upload, source, country, sector, kind), a page of them, and what the filters can offer."""

from __future__ import annotations

from dataclasses import dataclass, fields

import sqlalchemy as sa

from atlas_app.registry.store import Store
from atlas_app.registry.tables import import_batches, organisations

REVIEW_PAGE = 200
REVIEW_COLUMNS = (organisations.c.id, organisations.c.name, organisations.c.city,
                  organisations.c.country, organisations.c.kind, organisations.c.sector,
                  organisations.c.source, organisations.c.batch_id,
                  organisations.c.latitude, organisations.c.longitude)


@dataclass(frozen=True)
class ReviewFilter:
    """Which pending organisations to show and act on; None means any."""

    batch: int | None = None
    source: str | None = None
    country: str | None = None
    sector: str | None = None
    kind: str | None = None
    status: str = "pending"
    unclassified: bool = False  # only those still without a sector or a kind

    def where(self) -> list:
        c = organisations.c
        columns = {"batch": c.batch_id, "source": c.source, "country": c.country,
                   "sector": c.sector, "kind": c.kind, "status": c.status}
        found = [columns[f.name] == getattr(self, f.name) for f in fields(self)
                 if f.name in columns and getattr(self, f.name) is not None]
        if self.unclassified:
            found.append(sa.or_(c.sector.is_(None), c.kind.is_(None)))
        return found


def review_page(store: Store, flt: ReviewFilter, limit: int = REVIEW_PAGE
                ) -> tuple[list[dict], int]:
    """The oldest ``limit`` matching organisations, and how many match in all."""
    c = organisations.c
    with store.engine.connect() as conn:
        total = conn.execute(sa.select(sa.func.count()).select_from(organisations)
                             .where(*flt.where())).scalar()
        rows = conn.execute(sa.select(*REVIEW_COLUMNS).where(*flt.where())
                            .order_by(c.created_at, c.id).limit(limit)).mappings()
        return [dict(r) for r in rows], total


def review_ids(conn: sa.Connection, flt: ReviewFilter) -> list[int]:
    """Every matching organisation's id, read inside the caller's transaction."""
    return list(conn.execute(sa.select(organisations.c.id).where(*flt.where())
                             .order_by(organisations.c.id)).scalars())


def review_facets(store: Store, status: str = "pending") -> dict[str, list]:
    """The values the filters offer: those the waiting organisations actually have
    (uploads as (id, file name), newest first), and how many wait unclassified."""
    c = organisations.c
    facets: dict[str, list] = {}
    with store.engine.connect() as conn:
        for name, column in (("source", c.source), ("country", c.country),
                             ("sector", c.sector), ("kind", c.kind)):
            facets[name] = [v for v in conn.execute(
                sa.select(column).where(c.status == status).distinct().order_by(column)
            ).scalars() if v is not None]
        facets["unclassified"] = conn.execute(
            sa.select(sa.func.count()).select_from(organisations).where(
                c.status == status, sa.or_(c.sector.is_(None), c.kind.is_(None)))).scalar()
        facets["batch"] = [tuple(r) for r in conn.execute(
            sa.select(import_batches.c.id, import_batches.c.filename)
            .where(import_batches.c.id.in_(
                sa.select(c.batch_id).where(c.status == status, c.batch_id.is_not(None))))
            .order_by(import_batches.c.id.desc())).all()]
    return facets
