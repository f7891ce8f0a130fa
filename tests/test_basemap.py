"""The offline basemap: files current, no ring across the date line, colours that stand
out against it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from atlas_app.maps.basemap import (
    BASEMAP_FOLDER,
    LARGE_POPULATION,
    basemap_places,
    geonames_cities_path,
    places_json,
)

STATIC = Path(__file__).resolve().parent.parent / "atlas_app" / "ui" / "static"


def contrast(a: str, b: str) -> float:
    def luminance(colour: str) -> float:
        rgb = [int(colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
        r, g, b = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
        return 0.2126 * r + 0.7152 * g + 0.0722 * b
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_every_sector_colour_stands_out_against_land_and_sea(taxonomy):
    script = (STATIC / "atlas" / "layer.js").read_text(encoding="utf-8")
    land = re.search(r'LAND = "(#[0-9a-fA-F]{6})"', script).group(1)
    sea = re.search(r'SEA = "(#[0-9a-fA-F]{6})"', script).group(1)
    weak = {s.id: (round(contrast(s.colour, land), 2), round(contrast(s.colour, sea), 2))
            for s in taxonomy.sectors
            if min(contrast(s.colour, land), contrast(s.colour, sea)) < 3}
    assert weak == {}, f"sector colours under 3:1 against land {land} / sea {sea}: {weak}"


@pytest.mark.parametrize("name", ["countries.json", "countries-10m.json"])
def test_no_outline_crosses_the_date_line(name):
    data = json.loads((STATIC / "basemap" / name).read_text(encoding="utf-8"))
    jumps = []
    for feature in data["features"]:
        geometry = feature["geometry"]
        polygons = ([geometry["coordinates"]] if geometry["type"] == "Polygon"
                    else geometry["coordinates"])
        for polygon in polygons:
            for ring in polygon:
                if any(abs(b[0] - a[0]) > 180 for a, b in zip(ring, ring[1:])):
                    jumps.append(feature["properties"]["name"])
    assert jumps == []
    names = {f["properties"]["name"] for f in data["features"]}
    assert {"France", "Norway", "Russia", "Iceland"} <= names


def test_place_names_are_ranked_by_population_and_stay_in_europe():
    cities = {1: {"name": "Big", "latitude": 48.85, "longitude": 2.35, "countrycode": "FR",
                  "population": 2_000_000},
              2: {"name": "Small", "latitude": 45.0, "longitude": 5.0, "countrycode": "FR",
                  "population": 6_000},
              3: {"name": "Tiny", "latitude": 45.0, "longitude": 5.0, "countrycode": "FR",
                  "population": 900},
              4: {"name": "Far", "latitude": 40.7, "longitude": -74.0, "countrycode": "US",
                  "population": 8_000_000},
              5: {"name": "Vladivostok", "latitude": 43.1, "longitude": 131.9,
                  "countrycode": "RU", "population": 600_000}}
    assert basemap_places(cities) == [["Big", 48.85, 2.35, 2_000_000], ["Small", 45.0, 5.0, 6000]]


def test_the_shipped_place_names_are_current():
    cities = json.loads(geonames_cities_path().read_text(encoding="utf-8"))
    for name, text in places_json(cities).items():
        assert (BASEMAP_FOLDER / name).read_text(encoding="utf-8") == text, \
            f"run `make basemap` to regenerate ui/static/basemap/{name}"


def test_a_first_visit_fetches_only_the_large_places():
    """The places named up to zoom 6 are a file of their own, small; together the two
    files are every place, most populous first."""
    files = places_json(json.loads(geonames_cities_path().read_text(encoding="utf-8")))
    large, others = (json.loads(text) for text in files.values())
    assert large and others
    assert min(p[3] for p in large) >= LARGE_POPULATION > max(p[3] for p in others)
    assert len(files["places-large.json"]) < len(files["places.json"]) / 10
    together = large + others
    assert [p[3] for p in together] == sorted((p[3] for p in together), reverse=True)


def test_districts_named_after_their_city_are_left_out():
    cities = {1: {"name": "Paris", "latitude": 48.85, "longitude": 2.35, "countrycode": "FR",
                  "population": 2_000_000},
              2: {"name": "Paris 18 Buttes-Montmartre", "latitude": 48.89, "longitude": 2.34,
                  "countrycode": "FR", "population": 200_000},
              3: {"name": "Paris", "latitude": 33.6, "longitude": -95.5, "countrycode": "US",
                  "population": 25_000},
              4: {"name": "Saint-Ouen", "latitude": 48.91, "longitude": 2.33,
                  "countrycode": "FR", "population": 50_000}}
    assert [p[0] for p in basemap_places(cities)] == ["Paris", "Saint-Ouen"]


def test_the_shipped_place_names_in_each_language_are_current():
    from atlas_app.maps.basemap import name_languages, names_file, names_json

    cities = json.loads(geonames_cities_path().read_text(encoding="utf-8"))
    assert set(name_languages()) == {"fr", "de", "es", "it", "pt", "pl"}
    for lang in name_languages():
        assert names_file(lang).read_text(encoding="utf-8") == names_json(cities, lang), \
            f"run `make basemap` to regenerate ui/static/basemap/names-{lang}.json"


@pytest.mark.parametrize("lang, expected", [
    ("fr", {"Warsaw": "Varsovie", "Moscow": "Moscou", "Vienna": "Vienne"}),
    ("de", {"Warsaw": "Warschau", "Moscow": "Moskau", "Vienna": "Wien"}),
    ("pl", {"Warsaw": "Warszawa", "Moscow": "Moskwa", "Vienna": "Wiedeń"}),
    ("pt", {"Warsaw": "Varsóvia", "Moscow": "Moscovo", "Vienna": "Viena"}),
])
def test_basemap_names_follow_the_language_in_the_places_own_country(lang, expected):
    from atlas_app.maps.basemap import basemap_names

    cities = {1: {"name": "Warsaw", "latitude": 52.23, "longitude": 21.01, "countrycode": "PL",
                  "population": 1_702_139},
              2: {"name": "Moscow", "latitude": 55.75, "longitude": 37.62, "countrycode": "RU",
                  "population": 10_381_222},
              3: {"name": "Vienna", "latitude": 48.21, "longitude": 16.37, "countrycode": "AT",
                  "population": 1_691_468},
              4: {"name": "Vienne", "latitude": 45.52, "longitude": 4.87, "countrycode": "FR",
                  "population": 29_000},   # not Vienna: keeps its name on every map
              5: {"name": "Valletta", "latitude": 35.9, "longitude": 14.51, "countrycode": "MT",
                  "population": 6_000},    # CLDR's "city" for Malta is the country
              6: {"name": "Lyon", "latitude": 45.76, "longitude": 4.83, "countrycode": "FR",
                  "population": 500_000}}
    names = basemap_names(cities, lang)
    assert {k: v for k, v in names.items() if k in expected} == expected
    assert "Vienne" not in names and "Valletta" not in names and "Lyon" not in names


def test_the_map_asks_for_the_names_of_its_language():
    from atlas_app.maps.elements import build_base_map

    french = build_base_map(lang="fr").get_root().render()
    assert "basemap/names-fr.json" in french
    assert "basemap/names-" not in build_base_map(lang="en").get_root().render()
