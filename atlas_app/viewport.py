"""The public registry at any size: a compact in-memory index, fast filters, and the map
data a viewport needs.

* :class:`RegistryIndex` holds only what the public pages need (no descriptions as
  Python strings, no tags lists): ids, names and places as Arrow strings, country,
  sector and kind as categoricals, Web Mercator positions as float arrays, and one folded
  search text per organisation as an Arrow array. A million organisations take a few
  hundred megabytes and load once per registry revision.
* :meth:`RegistryIndex.mask` answers any mix of country, sector, kind and words with numpy
  on category codes and RE2 (pyarrow) on the search text.
* :meth:`RegistryIndex.payload` is what the map draws. Up to ``CLIENT_LIMIT`` located
  organisations go to the browser whole (it clusters them itself, so panning costs no
  round trip); above that the server aggregates the matching organisations on a grid of
  ``CELL_PIXELS`` screen pixels for the viewport's zoom, snapped outwards so nearby views
  share a cached answer, and the browser receives a few hundred clusters whatever the
  registry's size.
"""

from __future__ import annotations

import math
import os
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy as sa

from .filters import Filters
from .schema import Taxonomy, fold
from .tables import organisations

INDEX_COLUMNS = ("id", "name", "city", "country", "sector", "kind", "latitude", "longitude",
                 "created_at")
SEARCHED_COLUMNS = ("name", "city", "tags", "description_en", "description_fr")
CLIENT_LIMIT = 5_000
CELL_PIXELS = 64
SNAP_CELLS = 8
TILE_PIXELS = 256
MAX_ZOOM = 18
POINT_ZOOM = 15  # from this zoom on, organisations are shown one by one
POINT_LIMIT = 3_000  # ... unless a view holds more than this
ASSUMED_MAP_PIXELS = (900, 480)  # before the browser has said how large the map is
MAX_VIEW_CELLS = 100 * 100  # about 6,400 px square: more than any screen
COORDINATE_DECIMALS = 5  # about a metre
SPREAD_DEGREES = 0.0009  # about 100 m between organisations that share a point
GOLDEN_ANGLE = math.pi * (3 - math.sqrt(5))
MAX_LATITUDE = 85.0511


@dataclass(frozen=True)
class Window:
    """A block of grid cells at a zoom level: what a map view is aggregated over."""

    zoom: int
    x0: int
    x1: int
    y0: int
    y1: int

    @property
    def cells(self) -> float:
        return 2.0 ** self.zoom * TILE_PIXELS / CELL_PIXELS

    @property
    def size(self) -> int:
        return (self.x1 - self.x0) * (self.y1 - self.y0)


@dataclass(frozen=True)
class Viewport:
    """What the map shows: a zoom level and the visible bounds (degrees)."""

    zoom: int
    south: float
    west: float
    north: float
    east: float

    @classmethod
    def from_map_state(cls, state: dict | None) -> "Viewport | None":
        """From streamlit-folium's returned ``bounds`` and ``zoom`` (None if missing)."""
        try:
            bounds, zoom = state["bounds"], state["zoom"]
            sw, ne = bounds["_southWest"], bounds["_northEast"]
            values = [float(v) for v in (sw["lat"], sw["lng"], ne["lat"], ne["lng"])]
            zoom = int(round(float(zoom)))
        except (KeyError, TypeError, ValueError):
            return None
        if not all(math.isfinite(v) for v in values):
            return None
        south, west, north, east = values
        return cls(max(0, min(MAX_ZOOM, zoom)), south, west, north, east)

    def window(self) -> "Window":
        """The grid cells this view needs, padded by a quarter and snapped outwards to
        blocks of ``SNAP_CELLS`` so that nearby views share one answer (and one cache
        entry)."""
        cells = 2.0 ** self.zoom * TILE_PIXELS / CELL_PIXELS  # cells around the world
        x0, x1 = _mercator_x(np.array([self.west, self.east])) * cells
        y1, y0 = _mercator_y(np.array([self.south, self.north])) * cells
        # A view larger than any screen (a hostile or confused client) is cut down to
        # MAX_VIEW_CELLS around its centre, so one request cannot allocate a huge grid.
        side = math.sqrt(MAX_VIEW_CELLS)
        if x1 - x0 > side:
            x0, x1 = (x0 + x1 - side) / 2, (x0 + x1 + side) / 2
        if y1 - y0 > side:
            y0, y1 = (y0 + y1 - side) / 2, (y0 + y1 + side) / 2
        pad_x, pad_y = (x1 - x0) * 0.25, (y1 - y0) * 0.25
        return Window(self.zoom,
                      math.floor((x0 - pad_x) / SNAP_CELLS) * SNAP_CELLS,
                      math.ceil((x1 + pad_x) / SNAP_CELLS) * SNAP_CELLS,
                      math.floor((y0 - pad_y) / SNAP_CELLS) * SNAP_CELLS,
                      math.ceil((y1 + pad_y) / SNAP_CELLS) * SNAP_CELLS)

    @classmethod
    def fitting(cls, bounds: tuple[float, float, float, float],
                pixels: tuple[int, int] = ASSUMED_MAP_PIXELS, max_zoom: int = 9) -> "Viewport":
        """The view Leaflet's ``fitBounds`` would choose for ``bounds`` (south, west,
        north, east) on a map of ``pixels``."""
        south, west, north, east = bounds
        x0, x1 = _mercator_x(np.array([west, east]))
        y1, y0 = _mercator_y(np.array([south, north]))
        width, height = max(x1 - x0, 1e-9), max(y1 - y0, 1e-9)
        zoom = math.floor(min(math.log2(pixels[0] / (TILE_PIXELS * width)),
                              math.log2(pixels[1] / (TILE_PIXELS * height))))
        return cls(max(2, min(max_zoom, zoom)), south, west, north, east)


def _mercator_x(lon: np.ndarray) -> np.ndarray:
    return (np.asarray(lon, dtype="float64") + 180.0) / 360.0


def _mercator_y(lat: np.ndarray) -> np.ndarray:
    rad = np.radians(np.clip(np.asarray(lat, dtype="float64"), -MAX_LATITUDE, MAX_LATITUDE))
    return (1.0 - np.log(np.tan(rad) + 1.0 / np.cos(rad)) / math.pi) / 2.0


def _latitude(y: np.ndarray) -> np.ndarray:
    return np.degrees(np.arctan(np.sinh(math.pi * (1.0 - 2.0 * y))))


def fold_array(values: pa.Array) -> pa.Array:
    """:func:`atlas_app.schema.fold` for a whole Arrow string array at once."""
    ascii_only = pc.string_is_ascii(values)
    if not pc.all(ascii_only).as_py():
        decomposed = pc.utf8_normalize(pc.replace_substring(values, "ß", "ss"), "NFKD")
        bare = pc.replace_substring_regex(decomposed, r"\p{M}+", "")
        values = pc.if_else(ascii_only, values, bare)
    lowered = pc.replace_substring(pc.utf8_lower(values), "ς", "σ")
    return pc.utf8_trim_whitespace(pc.replace_substring_regex(lowered, r"\s+", " "))


PARALLEL_FROM = 100_000
_POOL = ThreadPoolExecutor(max_workers=max(1, min(4, os.cpu_count() or 1)),
                           thread_name_prefix="atlas-search")


def _contains(values: pa.Array, word: str) -> np.ndarray:
    """Which of ``values`` contain ``word`` (RE2 finds a literal faster than pyarrow's
    plain substring kernel); long arrays are searched in slices on every core (pyarrow
    releases the GIL)."""
    pattern = re.escape(word)

    def search(part: pa.Array) -> np.ndarray:
        return pc.match_substring_regex(part, pattern).to_numpy(zero_copy_only=False)
    workers = _POOL._max_workers
    if len(values) < PARALLEL_FROM or workers == 1:
        return search(values)
    step = -(-len(values) // workers)
    parts = [values.slice(start, step) for start in range(0, len(values), step)]
    return np.concatenate(list(_POOL.map(search, parts)))


def load_index_frame(store) -> pd.DataFrame:
    """The published organisations with the index's columns and one ``search`` text."""
    c = organisations.c
    query = (sa.select(*[c[n] for n in INDEX_COLUMNS], sa.cast(c.tags, sa.Text).label("tags"),
                       c.description_en, c.description_fr)
             .where(c.status == "published").order_by(c.id))
    with store.engine.connect() as conn:
        result = conn.execution_options(yield_per=50_000).execute(query)
        keys = list(result.keys())
        columns: list[list] = [[] for _ in keys]
        for chunk in result.partitions():
            for i, values in enumerate(zip(*chunk)):
                columns[i].extend(values)
    return pd.DataFrame({k: pd.Series(v, dtype="object") for k, v in zip(keys, columns)})


def _tags_text(raw: pd.Series) -> pa.Array:
    """Tags as stored (JSON text, ``\\u`` escapes included) → plain words."""
    import json

    def words(value):
        if not value or value == "[]":
            return ""
        if "\\u" not in value:
            return value
        try:
            return " ".join(json.loads(value))
        except (TypeError, ValueError):
            return value
    return pa.array(raw.map(words), type=pa.string())


def spread_duplicates(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Display positions: organisations sharing a point (say, a city centre) are laid out
    on a small sunflower spiral around it (about 100 m apart) so each can be clicked.
    Only the map moves them; the registry keeps the real coordinates."""
    seen: dict[tuple[float, float], int] = {}
    out = []
    for lat, lon in points:
        k = seen.get((lat, lon), 0)
        seen[(lat, lon)] = k + 1
        if k:
            radius, angle = SPREAD_DEGREES * math.sqrt(k), k * GOLDEN_ANGLE
            lat_out = lat + radius * math.sin(angle)
            lon_out = lon + radius * math.cos(angle) / max(math.cos(math.radians(lat)), 0.2)
            lat, lon = round(lat_out, COORDINATE_DECIMALS), round(lon_out, COORDINATE_DECIMALS)
        out.append((lat, lon))
    return out


class RegistryIndex:
    """The published registry, compact, for the public pages (see the module's doc)."""

    def __init__(self, frame: pd.DataFrame) -> None:
        n = len(frame)
        self.frame = pd.DataFrame({
            "id": frame["id"].to_numpy(dtype="int64") if n else np.zeros(0, "int64"),
            "name": pd.array(frame["name"].fillna("").to_numpy(), dtype="string[pyarrow]"),
            "city": pd.Categorical(frame["city"].fillna("").to_numpy()),
            "country": pd.Categorical(frame["country"].to_numpy()),
            "sector": pd.Categorical(frame["sector"].to_numpy()),
            "kind": pd.Categorical(frame["kind"].to_numpy()),
            "latitude": pd.to_numeric(frame["latitude"]).to_numpy(dtype="float64"),
            "longitude": pd.to_numeric(frame["longitude"]).to_numpy(dtype="float64"),
            "year": (pd.to_datetime(frame["created_at"], utc=True).dt.year.astype("Int16").array
                     if "created_at" in frame else pd.array([pd.NA] * n, dtype="Int16")),
        }, index=pd.RangeIndex(n))
        self._label_arrays: dict[str, np.ndarray] = {}
        self._name_order: np.ndarray | None = None
        located = self.frame["latitude"].notna() & self.frame["longitude"].notna()
        self.located = located.to_numpy()
        self.x = _mercator_x(self.frame["longitude"].to_numpy())
        self.y = _mercator_y(self.frame["latitude"].to_numpy())
        parts = []
        for column in SEARCHED_COLUMNS:
            if column not in frame:
                continue
            values = frame[column]
            if column == "tags":
                parts.append(_tags_text(values) if values.map(lambda v: isinstance(v, str)).all()
                             else pa.array(values.map(
                                 lambda t: " ".join(t) if isinstance(t, list) else ""),
                                 type=pa.string()))
            else:
                parts.append(pa.array(values.fillna("").astype(str), type=pa.string()))
        joined = pc.binary_join_element_wise(*parts, " ") if parts else pa.array([""] * n)
        self.search = fold_array(joined)

    @classmethod
    def load(cls, store) -> "RegistryIndex":
        return cls(load_index_frame(store))

    def __len__(self) -> int:
        return len(self.frame)

    @property
    def nbytes(self) -> int:
        return int(self.frame.memory_usage(deep=True).sum() + self.x.nbytes + self.y.nbytes
                   + self.search.nbytes + self.located.nbytes)

    # -- filters --------------------------------------------------------------------------

    def _codes_in(self, column: str, values: tuple[str, ...]) -> np.ndarray:
        categorical = self.frame[column].cat
        wanted = [i for i, v in enumerate(categorical.categories) if v in set(values)]
        return np.isin(categorical.codes.to_numpy(), wanted)

    def mask(self, filters: Filters) -> np.ndarray:
        """Which organisations match every active filter (a boolean array)."""
        mask = np.ones(len(self), dtype=bool)
        for column, values in (("country", filters.countries), ("sector", filters.sectors),
                               ("kind", filters.kinds)):
            if values:
                mask &= self._codes_in(column, values)
        for word in fold(filters.q).split():
            rows = np.flatnonzero(mask)
            if not len(rows):
                break
            candidates = self.search if len(rows) == len(self) else self.search.take(rows)
            mask[rows[~_contains(candidates, word)]] = False
        return mask

    def select(self, mask: np.ndarray) -> pd.DataFrame:
        return self.frame[mask]

    def countries(self) -> list[str]:
        return [str(c) for c in self.frame["country"].cat.categories
                if (self.frame["country"] == c).any()]

    # -- map ------------------------------------------------------------------------------

    def fit_bounds(self, mask: np.ndarray) -> tuple[float, float, float, float] | None:
        """(south, west, north, east) of the matching located organisations."""
        located = mask & self.located
        if not located.any():
            return None
        lat = self.frame["latitude"].to_numpy()[located]
        lon = self.frame["longitude"].to_numpy()[located]
        return (float(lat.min()), float(lon.min()), float(lat.max()), float(lon.max()))

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
            payload["rows"] = self._rows(located, sectors)
            return payload
        if window is None or fit:
            window = Viewport.fitting(bounds).window()
        payload["clusters"], singles = self._aggregate(mask & self.located, window)
        payload["rows"] = self._rows(singles, sectors)
        return payload

    def _rows(self, rows: np.ndarray, sectors) -> list[list]:
        f = self.frame
        lat = f["latitude"].to_numpy()[rows].round(COORDINATE_DECIMALS)
        lon = f["longitude"].to_numpy()[rows].round(COORDINATE_DECIMALS)
        points = spread_duplicates(list(zip(lat.tolist(), lon.tolist())))
        position = {s.id: i for i, s in enumerate(sectors)}
        sector_of_code = np.array([position.get(c, -1) for c in f["sector"].cat.categories]
                                  + [-1])
        sector = sector_of_code[f["sector"].cat.codes.to_numpy()[rows]]
        names = f["name"].array.take(rows).to_numpy().tolist() if len(rows) else []
        return [[i, la, lo, s, name, city] for i, (la, lo), s, name, city in zip(
            f["id"].to_numpy()[rows].tolist(), points, sector.tolist(), names,
            self._labels("city", rows))]

    def _labels(self, column: str, rows: np.ndarray) -> list[str]:
        """A categorical column's values for ``rows`` (without materialising it)."""
        categorical = self.frame[column].cat
        if column not in self._label_arrays:
            self._label_arrays[column] = np.asarray(
                categorical.categories.astype(object).tolist() + [""], dtype=object)
        return self._label_arrays[column][categorical.codes.to_numpy()[rows]].tolist()

    def _aggregate(self, chosen: np.ndarray, window: Window
                   ) -> tuple[list[list], np.ndarray]:
        """Grid clusters of the ``chosen`` (boolean) organisations inside ``window``, and
        the row numbers of those alone in their cell (or of all of them, one by one, when
        zoomed in far enough)."""
        cells = window.cells
        px, py = self.x * cells, self.y * cells
        with np.errstate(invalid="ignore"):
            chosen = chosen & (px >= window.x0) & (px < window.x1) & \
                (py >= window.y0) & (py < window.y1)
        rows = np.flatnonzero(chosen)
        if window.zoom >= POINT_ZOOM and len(rows) <= POINT_LIMIT:
            return [], rows
        px, py = px[rows], py[rows]
        width, size = window.x1 - window.x0, window.size
        key = ((py.astype("int64") - window.y0) * width + (px.astype("int64") - window.x0))
        counts = np.bincount(key, minlength=size)
        sum_x = np.bincount(key, weights=px, minlength=size)
        sum_y = np.bincount(key, weights=py, minlength=size)
        singles = rows[counts[key] == 1]
        many = counts > 1
        n = counts[many]
        lat = _latitude(sum_y[many] / n / cells).round(4)
        lon = (sum_x[many] / n / cells * 360.0 - 180.0).round(4)
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

    def by_name(self, mask: np.ndarray, limit: int) -> pd.DataFrame:
        """The first ``limit`` matching organisations in name order (case- and
        accent-insensitive); the order is sorted once per index."""
        if self._name_order is None:
            self._name_order = pc.sort_indices(
                fold_array(pa.array(self.frame["name"].array))).to_numpy()
        ordered = self._name_order[mask[self._name_order]]
        return self.frame.iloc[ordered[:limit]]
