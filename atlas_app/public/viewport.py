"""Map geometry for the public index: the browser's viewport, the grid windows views are
aggregated over (Web Mercator cells of ``CELL_PIXELS`` screen pixels, snapped outwards so
that nearby views share a cached answer), organisations sharing a point spread apart, and
neighbouring clusters merged."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

CELL_PIXELS = 64
SNAP_CELLS = 8
TILE_PIXELS = 256
MAX_ZOOM = 18
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
        x0, x1 = mercator_x(np.array([self.west, self.east])) * cells
        y1, y0 = mercator_y(np.array([self.south, self.north])) * cells
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
        x0, x1 = mercator_x(np.array([west, east]))
        y1, y0 = mercator_y(np.array([south, north]))
        width, height = max(x1 - x0, 1e-9), max(y1 - y0, 1e-9)
        zoom = math.floor(min(math.log2(pixels[0] / (TILE_PIXELS * width)),
                              math.log2(pixels[1] / (TILE_PIXELS * height))))
        return cls(max(2, min(max_zoom, zoom)), south, west, north, east)


def mercator_x(lon: np.ndarray) -> np.ndarray:
    return (np.asarray(lon, dtype="float64") + 180.0) / 360.0


def mercator_y(lat: np.ndarray) -> np.ndarray:
    rad = np.radians(np.clip(np.asarray(lat, dtype="float64"), -MAX_LATITUDE, MAX_LATITUDE))
    return (1.0 - np.log(np.tan(rad) + 1.0 / np.cos(rad)) / math.pi) / 2.0


def latitude_of(y: np.ndarray) -> np.ndarray:
    return np.degrees(np.arctan(np.sinh(math.pi * (1.0 - 2.0 * y))))


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


MERGE_RADIUS = 0.75  # cells (48 px): clusters closer than this would overlap on screen
MERGE_LIMIT = 2_000_000  # pairs compared at most; beyond, the grid is left as it is


def merge_neighbours(cx: np.ndarray, cy: np.ndarray, n: np.ndarray, sx: np.ndarray,
                      sy: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Grid cells' clusters that would overlap on screen (centroids near a shared cell
    edge) become one, the largest first; organisations alone in their cell but within
    reach of a cluster join it. Positions are in cells. Returns the clusters (x, y,
    count) and which lone organisations stay dots."""
    keep = np.ones(len(sx), dtype=bool)
    if len(n) < 2 and not (len(n) and len(sx)):
        return cx, cy, n, keep
    if len(n) ** 2 <= MERGE_LIMIT:
        taken = np.zeros(len(n), dtype=bool)
        merged = []
        for i in np.argsort(-n, kind="stable"):
            if taken[i]:
                continue
            group = ~taken & ((cx - cx[i]) ** 2 + (cy - cy[i]) ** 2 <= MERGE_RADIUS ** 2)
            taken |= group
            weight = n[group]
            total = weight.sum()
            merged.append((cx[group] @ weight / total, cy[group] @ weight / total, total))
        cx, cy, n = (np.array(v, dtype=float) for v in zip(*merged))
        n = n.astype("int64")
    if len(n) and len(sx) and len(n) * len(sx) <= MERGE_LIMIT:
        d2 = (sx[:, None] - cx[None, :]) ** 2 + (sy[:, None] - cy[None, :]) ** 2
        nearest = d2.argmin(axis=1)
        joins = d2[np.arange(len(sx)), nearest] <= MERGE_RADIUS ** 2
        if joins.any():
            target = nearest[joins]
            add = np.bincount(target, minlength=len(n))
            cx = (cx * n + np.bincount(target, weights=sx[joins], minlength=len(n))) / (n + add)
            cy = (cy * n + np.bincount(target, weights=sy[joins], minlength=len(n))) / (n + add)
            n = n + add
            keep = ~joins
    return cx, cy, n, keep
