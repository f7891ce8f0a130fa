"""The registry for notebooks and scripts.

>>> from atlas_app.research.notebook import open_registry
>>> atlas = open_registry()                  # ATLAS_DATABASE_URL, else var/atlas.db
>>> health = atlas.organisations(countries=["PT", "BE"], sectors=["health"])
>>> atlas.counts_by_country()                # organisations and per million inhabitants
>>> print(atlas.citation(countries=["PT"]).bibtex())
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence

import pandas as pd

from atlas_app.public.filters import Filters, apply_filters, describe_filters, query_words
from atlas_app.registry.lookups import count_in
from atlas_app.registry.schema import Taxonomy, load_taxonomy
from atlas_app.registry.store import Store, rows_frame
from atlas_app.research.exports import Citation
from atlas_app.research.numbers import country_counts, crosstab, growth, sector_shares
from atlas_app.settings import load_settings


def view_batches(store: Store, filters: Filters,
                 statuses: Sequence[str] | None = ("published",),
                 bounds: tuple[float, float, float, float] | None = None
                 ) -> Iterator[pd.DataFrame]:
    """The organisations of a view, frame by frame, streamed from the database: it
    narrows by status, country, sector, kind and box with its indexes; the words of the
    free text are matched on each frame as it passes (memory stays flat)."""
    words = Filters(q=filters.q) if query_words(filters.q) else None
    for frame in store.batches(statuses, countries=filters.countries, sectors=filters.sectors,
                               kinds=filters.kinds, bounds=bounds):
        if words is not None:
            frame = apply_filters(frame, words)
        if len(frame):
            yield frame.reset_index(drop=True)


def count_view(store: Store, filters: Filters,
               statuses: Sequence[str] | None = ("published",)) -> int:
    """How many organisations a view holds: counted by the database unless free text
    has to be matched."""
    if not query_words(filters.q):
        return count_in(store, statuses, countries=filters.countries,
                        sectors=filters.sectors, kinds=filters.kinds)
    return sum(len(frame) for frame in view_batches(store, filters, statuses))


class Registry:
    """Read-only access to the registry as pandas DataFrames."""

    def __init__(self, store: Store, taxonomy: Taxonomy) -> None:
        self.store, self.taxonomy = store, taxonomy

    def _filters(self, countries: Iterable[str], sectors: Iterable[str],
                 kinds: Iterable[str], q: str) -> Filters:
        return Filters(tuple(c.upper() for c in countries), tuple(sectors), tuple(kinds), q)

    def organisations(self, countries: Iterable[str] = (), sectors: Iterable[str] = (),
                      kinds: Iterable[str] = (), q: str = "",
                      statuses: Iterable[str] | None = ("published",),
                      bounds: tuple[float, float, float, float] | None = None
                      ) -> pd.DataFrame:
        """Organisations matching every filter given (all published ones by default);
        ``bounds`` is a bounding box (south, west, north, east) in degrees. The database
        narrows by status, country, sector, kind and box with its indexes; the words of
        ``q`` are matched here."""
        f = self._filters(countries, sectors, kinds, q)
        statuses = None if statuses is None else tuple(statuses)
        if not query_words(f.q):
            return self.store.frame(statuses, countries=f.countries, sectors=f.sectors,
                                    kinds=f.kinds, bounds=bounds)
        frames = list(view_batches(self.store, f, statuses, bounds))
        return pd.concat(frames, ignore_index=True) if frames else rows_frame([])

    def counts_by_country(self, lang: str = "en", **filters) -> pd.DataFrame:
        return country_counts(self.organisations(**filters), lang)

    def crosstab(self, lang: str = "en", **filters) -> pd.DataFrame:
        return crosstab(self.organisations(**filters), self.taxonomy, lang)

    def sector_shares(self, lang: str = "en", **filters) -> pd.DataFrame:
        return sector_shares(self.organisations(**filters), self.taxonomy, lang)

    def growth(self, **filters) -> pd.DataFrame:
        return growth(self.organisations(**filters))

    def citation(self, countries: Iterable[str] = (), sectors: Iterable[str] = (),
                 kinds: Iterable[str] = (), q: str = "") -> Citation:
        """How to cite this view of the registry, as of today."""
        f = self._filters(countries, sectors, kinds, q)
        return Citation(self.store.revision(), dt.date.today(),
                        describe_filters(f, count_view(self.store, f),
                                         count_in(self.store, ("published",)), self.taxonomy))


def open_registry(database_url: str | None = None) -> Registry:
    """Open the registry (the configured database unless ``database_url`` is given)."""
    settings = load_settings()
    store = Store(database_url or settings.resolved_database_url)
    return Registry(store, load_taxonomy(settings.data_dir))
