"""The public registry at any size: a compact in-memory index, fast filters, and the map
data a viewport needs.

* :class:`RegistryIndex` holds only what the public pages need (no descriptions as
  Python strings, no tags lists): ids, names and places as Arrow strings, country,
  sector and kind as categoricals, Web Mercator positions as float arrays, and one folded
  search text per organisation as an Arrow array. A million organisations take a few
  hundred megabytes and load once per registry revision.
* :meth:`RegistryIndex.mask` answers any mix of country, sector, kind and words with numpy
  on category codes and, for words, the index of the texts' distinct words
  (:mod:`atlas_app.public.words`) — or, in a small registry, RE2 (pyarrow) on the
  search texts of the organisations the other filters leave.
* :meth:`RegistryIndex.payload` is what the map draws. Up to ``CLIENT_LIMIT`` located
  organisations go to the browser whole (it clusters them itself, so panning costs no
  round trip); above that the server aggregates the matching organisations on a grid of
  ``CELL_PIXELS`` screen pixels for the viewport's zoom, snapped outwards so nearby views
  share a cached answer, and the browser receives a few hundred clusters whatever the
  registry's size.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from atlas_app.places.exonyms import city_in
from atlas_app.public.arrow import (
    INDEX_COLUMNS,
    categorical,
    contains,
    coordinates,
    fold_array,
    from_dictionary,
    give_back_memory,
    search_text,
    years,
)
from atlas_app.public.filters import Filters, query_words
from atlas_app.public.viewport import (
    COORDINATE_DECIMALS,
    Viewport,
    Window,
    latitude_of,
    mercator_x,
    mercator_y,
    merge_neighbours,
    spread_duplicates,
)
from atlas_app.public.words import WordIndex
from atlas_app.registry.batches import BATCH_ROWS, index_batches
from atlas_app.registry.schema import DESCRIPTION_FIELDS, Taxonomy

CLIENT_LIMIT = 5_000
POINT_ZOOM = 15  # from this zoom on, organisations are shown one by one
POINT_LIMIT = 3_000  # ... unless a view holds more than this
FIT_ALL_BELOW = 1_000  # organisations; above, the map fits where nearly all of them are
FIT_SAMPLE = 50_000  # organisations whose spread frames a larger selection
# Registries smaller than this scan the texts the other filters leave; larger ones always
# look words up (scanning a few thousand texts of a large registry is as fast, but
# touches their pages all over the mapped snapshot, which then stay in memory).
SCAN_BELOW = 20_000


CATEGORY_COLUMNS = ("city", "country", "sector", "kind")


class RegistryIndex:
    """The published registry, compact, for the public pages (see the module's doc)."""

    revision: int  # the registry revision it was built from (set by its loader)
    watermark = None  # how far it has seen the registry (registry.batches.Watermark)

    def __init__(self, batches: Iterable[pa.RecordBatch]) -> None:
        light, search = [], []
        for batch in batches:
            if batch.num_rows:
                light.append(batch.select([c for c in batch.schema.names
                                           if c in INDEX_COLUMNS]))
                search.append(search_text(pa.Table.from_batches([batch])))
        table = pa.Table.from_batches(light).combine_chunks() if light else \
            pa.table({c: pa.array([], pa.string()) for c in INDEX_COLUMNS})
        n = table.num_rows
        column = table.column
        names = pc.fill_null(pc.cast(column("name"), pa.string()), "")
        names = names.combine_chunks() if isinstance(names, pa.ChunkedArray) else names
        self._adopt(pd.DataFrame({
            "id": pc.cast(column("id"), pa.int64()).to_numpy(),
            "name": pd.arrays.ArrowStringArray(names),
            "city": categorical(column("city")),
            "country": categorical(column("country")),
            "sector": categorical(column("sector")),
            "kind": categorical(column("kind")),
            "latitude": coordinates(column("latitude")),
            "longitude": coordinates(column("longitude")),
            "year": (years(column("created_at")) if "created_at" in table.column_names
                     else pd.array([pd.NA] * n, dtype="Int16")),
        }, index=pd.RangeIndex(n), copy=False), pa.chunked_array(search, type=pa.string()))

    def _adopt(self, frame: pd.DataFrame, search: pa.ChunkedArray,
                words: WordIndex | None = None) -> None:
        self.revision = 0
        self.frame = frame
        self._label_arrays: dict[str, np.ndarray] = {}
        self._name_order: np.ndarray | None = None
        self._countries: list[str] | None = None
        self.located = (self.frame["latitude"].notna() & self.frame["longitude"].notna()).to_numpy()
        self.x = mercator_x(self.frame["longitude"].to_numpy())
        self.y = mercator_y(self.frame["latitude"].to_numpy())
        self.search = search
        self.words = words if words is not None else WordIndex.build(search)

    def to_table(self) -> pa.Table:
        """The index as an Arrow table (what :mod:`atlas_app.public.snapshot` saves)."""
        f = self.frame
        columns = {"id": pa.array(f["id"].to_numpy()), "name": pa.array(f["name"].array)}
        for name in ("city", "country", "sector", "kind"):
            columns[name] = pa.array(f[name].array)  # dictionary-encoded
        for name in ("latitude", "longitude"):
            columns[name] = pa.array(f[name].to_numpy())
        columns["year"] = pa.array(f["year"].array)
        columns["search"] = self.search
        columns["name_order"] = pa.array(self.name_order())
        return pa.table(columns)

    @classmethod
    def from_table(cls, table: pa.Table, words: pa.Table | None = None) -> "RegistryIndex":
        """An index from :meth:`to_table`'s table and its word index's
        (:attr:`WordIndex.table`; built when None), e.g. memory-mapped from a file: its
        names, search text and words stay in the file's pages, not copied)."""
        n = table.num_rows

        def codes(name: str) -> pd.Categorical:
            return from_dictionary(table.column(name).combine_chunks()) if n \
                else pd.Categorical([])

        # A snapshot holds one chunk per column: the arrays below share the file's pages
        # (copy=False: pandas would otherwise copy every column into its own blocks).
        return cls.from_parts(pd.DataFrame({
            "id": table.column("id").to_numpy(),
            "name": pd.arrays.ArrowStringArray(table.column("name").combine_chunks()),
            "city": codes("city"), "country": codes("country"), "sector": codes("sector"),
            "kind": codes("kind"),
            "latitude": table.column("latitude").to_numpy(),
            "longitude": table.column("longitude").to_numpy(),
            "year": pd.array(table.column("year").to_pandas(), dtype="Int16"),
        }, index=pd.RangeIndex(n), copy=False), table.column("search"),
            WordIndex(words, n) if words is not None else None,
            table.column("name_order").to_numpy() if "name_order" in table.column_names
            else None)

    @classmethod
    def from_parts(cls, frame: pd.DataFrame, search: pa.ChunkedArray,
                   words: WordIndex | None = None,
                   name_order: np.ndarray | None = None) -> "RegistryIndex":
        """An index over ``frame`` (the columns of :attr:`frame`), its search text, its
        word index (built when None) and its rows in name order (sorted when first
        needed when None)."""
        index = cls.__new__(cls)
        index._adopt(frame, search, words)
        index._name_order = name_order
        return index

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> "RegistryIndex":
        """From a DataFrame with the store's columns (tags as lists or JSON text)."""
        columns = {}
        descriptions = [frame[c] for c in DESCRIPTION_FIELDS if c in frame]
        if descriptions:  # every language's text in one, as the database gives it
            columns["descriptions"] = pa.array(
                [" ".join(str(v) for v in texts if v is not None and v == v)
                 for texts in zip(*descriptions)], type=pa.string())
        for name in (*INDEX_COLUMNS, "tags"):
            if name not in frame:
                continue
            values = frame[name]
            if name in ("latitude", "longitude"):
                columns[name] = pa.array(pd.to_numeric(values).to_numpy(dtype="float64"))
            elif name == "created_at":
                columns[name] = pa.array(pd.to_datetime(values, utc=True))
            elif name == "tags":
                columns[name] = pa.array([" ".join(map(str, v)) if isinstance(v, list)
                                          else (v or "") for v in values], type=pa.string())
            elif name == "id":
                columns[name] = pa.array(values.to_numpy(dtype="int64"))
            else:
                columns[name] = pa.array([None if v is None or v != v else str(v)
                                          for v in values], type=pa.string())
        return cls(pa.table(columns).to_batches(max_chunksize=BATCH_ROWS))

    @classmethod
    def load(cls, store) -> "RegistryIndex":
        index = cls(index_batches(store))
        give_back_memory()
        return index

    def __len__(self) -> int:
        return len(self.frame)

    # -- filters --------------------------------------------------------------------------

    def _codes_in(self, column: str, values: tuple[str, ...]) -> np.ndarray:
        """Which organisations have one of ``values`` in ``column``: one table lookup per
        organisation (its category code), the missing value (code -1) never wanted."""
        categorical = self.frame[column].array  # .codes: a view (Series.cat.codes copies)
        wanted = np.zeros(len(categorical.categories) + 1, dtype=bool)
        wanted[[i for i, v in enumerate(categorical.categories) if v in set(values)]] = True
        return wanted[categorical.codes]

    def mask(self, filters: Filters) -> np.ndarray:
        """Which organisations match every active filter (a boolean array)."""
        mask = np.ones(len(self), dtype=bool)
        for column, values in (("country", filters.countries), ("sector", filters.sectors),
                               ("kind", filters.kinds)):
            if values:
                mask &= self._codes_in(column, values)
        for word in sorted(query_words(filters.q), key=len, reverse=True):
            # The longest word first (usually the rarest).
            rows = np.flatnonzero(mask)
            if not len(rows):
                break
            if len(self) > SCAN_BELOW:
                mask &= self.words.rows_with(word, self.search)
            else:
                mask[rows[~contains(self._search_rows(rows), word)]] = False
        return mask

    def _search_rows(self, rows: np.ndarray) -> pa.Array:
        """The search texts of ``rows`` (sorted), taken chunk by chunk (a take across a
        chunked array is many times slower)."""
        starts = np.cumsum([0] + [len(c) for c in self.search.chunks])
        bounds = np.searchsorted(rows, starts)
        parts = [self.search.chunk(k).take(rows[bounds[k]:bounds[k + 1]] - starts[k])
                 for k in range(self.search.num_chunks) if bounds[k + 1] > bounds[k]]
        return pa.concat_arrays(parts) if parts else pa.array([], pa.string())

    def select(self, mask: np.ndarray) -> pd.DataFrame:
        return self.frame[mask]

    def counts(self, mask: np.ndarray, column: str) -> dict[str, int]:
        """How many of the organisations in ``mask`` have each value of ``column`` (the
        sector legend's numbers)."""
        categorical = self.frame[column].array  # .codes: a view (Series.cat.codes copies)
        codes = categorical.codes[mask]
        counts = np.bincount(codes[codes >= 0], minlength=len(categorical.categories))
        return {str(c): int(n) for c, n in zip(categorical.categories, counts) if n}

    def countries(self) -> list[str]:
        """The countries that have at least one organisation."""
        if self._countries is None:
            categorical = self.frame["country"].array
            counts = np.bincount(categorical.codes + 1,
                                 minlength=len(categorical.categories) + 1)[1:]
            self._countries = [str(c) for c, n in zip(categorical.categories, counts) if n]
        return self._countries

    # -- map ------------------------------------------------------------------------------

    def fit_bounds(self, mask: np.ndarray) -> tuple[float, float, float, float] | None:
        """(south, west, north, east) around the matching located organisations: all of
        them for a small selection; for a large one, where nearly all of them are (the
        0.5th to 99.5th percentiles), so a few outliers (Greenland, overseas territories)
        do not shrink Europe to a corner."""
        located = mask & self.located
        count = int(np.count_nonzero(located))
        if not count:
            return None
        lat = self.frame["latitude"].to_numpy()[located]
        lon = self.frame["longitude"].to_numpy()[located]
        if count <= FIT_ALL_BELOW:
            return (float(lat.min()), float(lon.min()), float(lat.max()), float(lon.max()))
        # The percentiles of an evenly spaced sample of about FIT_SAMPLE organisations:
        # the same frame to a few hundred metres, at a fraction of the cost.
        step = max(1, count // FIT_SAMPLE)
        (south, north), (west, east) = (np.quantile(lat[::step], [0.005, 0.995]),
                                        np.quantile(lon[::step], [0.005, 0.995]))
        return (float(south), float(west), float(north), float(east))

    def needs_window(self, mask: np.ndarray) -> bool:
        """Whether this view is aggregated on the server (and so depends on the viewport)."""
        return int(np.count_nonzero(mask & self.located)) > CLIENT_LIMIT

    def payload(self, mask: np.ndarray, window: Window | None, taxonomy: Taxonomy,
                lang: str = "en", fit: bool = False) -> dict:
        """The data layer's JSON for this view.

        ``{"sectors": [[id, label, colour]…], "rows": [[id, lat, lon, sector, name,
        city]…], "clusters": [[lat, lon, count]…] or None, "fit": [[s, w], [n, e]] or
        None}``. ``clusters`` is None when every matching organisation is in ``rows``
        (the browser clusters them); otherwise the view has been aggregated here.
        """
        sectors = list(taxonomy.sectors)
        located = np.flatnonzero(mask & self.located)
        bounds = self.fit_bounds(mask) if fit or window is None else None
        payload = {"sectors": [[s.id, s.label(lang), s.colour] for s in sectors],
                   "rows": [], "clusters": None,
                   "fit": [[bounds[0], bounds[1]], [bounds[2], bounds[3]]]
                   if fit and bounds else None}
        if len(located) <= CLIENT_LIMIT:
            payload["rows"] = self._rows(located, sectors, lang)
            return payload
        if window is None or fit:
            window = Viewport.fitting(bounds).window()
        payload["clusters"], singles = self._aggregate(mask & self.located, window)
        payload["rows"] = self._rows(singles, sectors, lang)
        return payload

    def _rows(self, rows: np.ndarray, sectors, lang: str = "en") -> list[list]:
        f = self.frame
        lat = f["latitude"].to_numpy()[rows].round(COORDINATE_DECIMALS)
        lon = f["longitude"].to_numpy()[rows].round(COORDINATE_DECIMALS)
        points = spread_duplicates(list(zip(lat.tolist(), lon.tolist())))
        position = {s.id: i for i, s in enumerate(sectors)}
        sector_of_code = np.array([position.get(c, -1) for c in f["sector"].array.categories]
                                  + [-1])
        sector = sector_of_code[f["sector"].array.codes[rows]]
        names = f["name"].array.take(rows).to_numpy().tolist() if len(rows) else []
        return [[i, la, lo, s, name, city] for i, (la, lo), s, name, city in zip(
            f["id"].to_numpy()[rows].tolist(), points, sector.tolist(), names,
            self._labels("city", rows, lang))]

    def _labels(self, column: str, rows: np.ndarray, lang: str | None = None) -> list[str]:
        """A categorical column's values for ``rows`` (without materialising it); cities
        as written in ``lang`` when given (Lisboa → Lisbon)."""
        categorical = self.frame[column].array  # .codes: a view (Series.cat.codes copies)
        key = (column, lang)
        if key not in self._label_arrays:
            values = categorical.categories.astype(object).tolist()
            if lang is not None:
                values = [city_in(v, lang) for v in values]
            self._label_arrays[key] = np.asarray(values + [""], dtype=object)
        return self._label_arrays[key][categorical.codes[rows]].tolist()

    def _aggregate(self, chosen: np.ndarray, window: Window
                   ) -> tuple[list[list], np.ndarray]:
        """Grid clusters of the ``chosen`` (boolean) organisations inside ``window``, and
        the row numbers of those alone in their cell (or of all of them, one by one, when
        zoomed in far enough)."""
        cells = window.cells
        # The window's test on the positions as they are (no product per organisation),
        # then only the organisations inside are gathered.
        x0, x1, y0, y1 = (window.x0 / cells, window.x1 / cells, window.y0 / cells,
                          window.y1 / cells)
        with np.errstate(invalid="ignore"):
            rows = np.flatnonzero(chosen & (self.x >= x0) & (self.x < x1) & (self.y >= y0)
                                  & (self.y < y1))
        px, py = self.x[rows] * cells, self.y[rows] * cells
        # A product can round across the window's edge: keep the cells in range.
        np.clip(px, window.x0, np.nextafter(window.x1, window.x0), out=px)
        np.clip(py, window.y0, np.nextafter(window.y1, window.y0), out=py)
        if window.zoom >= POINT_ZOOM and len(rows) <= POINT_LIMIT:
            return [], rows
        width, size = window.x1 - window.x0, window.size
        key = ((py.astype("int64") - window.y0) * width + (px.astype("int64") - window.x0))
        counts = np.bincount(key, minlength=size)
        sum_x = np.bincount(key, weights=px, minlength=size)
        sum_y = np.bincount(key, weights=py, minlength=size)
        alone = counts[key] == 1
        singles, sx, sy = rows[alone], px[alone], py[alone]
        many = counts > 1
        n = counts[many]
        cx, cy = sum_x[many] / n, sum_y[many] / n
        cx, cy, n, keep = merge_neighbours(cx, cy, n, sx, sy)
        singles = singles[keep]
        lat = latitude_of(cy / cells).round(4)
        lon = (cx / cells * 360.0 - 180.0).round(4)
        clusters = [[la, lo, c] for la, lo, c in zip(lat.tolist(), lon.tolist(), n.tolist())]
        return clusters, singles

    # -- lookups --------------------------------------------------------------------------

    def clicked(self, mask: np.ndarray, name: str | None, point: dict | None) -> int | None:
        """The organisation a click on the map meant: the one with the dot's tooltip (its
        name) nearest the click. A click on a cluster (no tooltip) means none."""
        if not name:
            return None
        f = self.frame
        same_name = (f["name"] == name).to_numpy(dtype=bool, na_value=False)
        rows = np.flatnonzero(mask & self.located & same_name)
        if not len(rows):
            return None
        if point is None or len(rows) == 1:
            return int(f["id"].iat[rows[0]])
        try:
            lat, lng = float(point.get("lat", 0)), float(point.get("lng", 0))
        except (TypeError, ValueError):
            return int(f["id"].iat[rows[0]])
        dlat = f["latitude"].to_numpy()[rows] - lat
        dlng = (f["longitude"].to_numpy()[rows] - lng) * math.cos(math.radians(lat))
        return int(f["id"].iat[rows[int(np.argmin(dlat ** 2 + dlng ** 2))]])

    @property
    def sorted_by_name(self) -> np.ndarray | None:
        """The name order if it is already known (else None: :meth:`name_order` sorts)."""
        return self._name_order

    def name_order(self) -> np.ndarray:
        """The organisations' rows in name order (case- and accent-insensitive): sorted
        once per index, and saved with its snapshot."""
        if self._name_order is None:
            self._name_order = pc.sort_indices(
                fold_array(pa.array(self.frame["name"].array))).to_numpy().astype(np.uint32)
        return self._name_order

    def by_name(self, mask: np.ndarray, limit: int) -> pd.DataFrame:
        """The first ``limit`` matching organisations in name order."""
        order = self.name_order()
        return self.frame.iloc[order[mask[order]][:limit]]


SYNC_REBUILD_BELOW = 50_000  # organisations; larger indexes are rebuilt in the background


class LiveIndex:
    """A process's newest :class:`RegistryIndex`, rebuilt when the registry's revision
    changes: at once while the registry is small (well under a second), in a background
    thread when it is large, the previous index serving every visitor meanwhile (a write
    shows a few seconds later instead of stalling every page for the rebuild)."""

    def __init__(self, load: Callable[[int], RegistryIndex],
                 sync_below: int = SYNC_REBUILD_BELOW,
                 update: Callable[[RegistryIndex, int], RegistryIndex | None] | None = None
                 ) -> None:
        self._load = load
        self._update = update  # a few changes applied in place of a build, when it can
        self.sync_below = sync_below
        self._lock = threading.Lock()
        self._current: RegistryIndex | None = None
        self._building: int | None = None
        self.last_error: BaseException | None = None

    def get(self, revision: int) -> RegistryIndex:
        with self._lock:
            current = self._current
            if current is not None and current.revision == revision:
                return current
            if current is not None and revision > current.revision and self._update:
                updated = self._update(current, revision)
                if updated is not None:
                    self._current = updated
                    return updated
            if current is None or len(current) < self.sync_below:
                self._current = self._build(revision)
                return self._current
            if self._building is None:
                self._building = revision
                threading.Thread(target=self._build_in_background, args=(revision,),
                                 name="atlas-index", daemon=True).start()
            return current

    def _build(self, revision: int) -> RegistryIndex:
        index = self._load(revision)
        index.revision = revision
        return index

    def _build_in_background(self, revision: int) -> None:
        try:
            index = self._build(revision)
        except Exception as exc:  # noqa: BLE001 — kept for the next visitor to retry
            self.last_error = exc
            index = None
        with self._lock:
            if index is not None and (self._current is None
                                      or self._current.revision < index.revision):
                self._current = index
            self._building = None
