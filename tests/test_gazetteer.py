"""Offline gazetteer lookups: spellings, accents, exonyms, scripts, ambiguity."""

from __future__ import annotations

import pytest

from atlas_app.text import place_key


@pytest.mark.parametrize("city, country, expected", [
    ("Autrêches", "FR", "Autrêches"), ("Autreches", "FR", "Autrêches"),
    ("AUTRECHES", "FR", "Autrêches"),
    ("München", "DE", "Munich"), ("Munich", "DE", "Munich"), ("Muenchen", "DE", "Munich"),
    ("Den Haag", "NL", "The Hague"), ("The Hague", "NL", "The Hague"),
    ("'s-Gravenhage", "NL", "The Hague"), ("La Haye", "NL", "The Hague"),
    ("Lisboa", "PT", "Lisbon"), ("Lisbon", "PT", "Lisbon"), ("Lisbonne", "PT", "Lisbon"),
    ("Bruxelles", "BE", "Brussels"), ("Brussel", "BE", "Brussels"),
    ("Brussels", "BE", "Brussels"), ("София", "BG", "Sofia"), ("Sofia", "BG", "Sofia"),
    ("Αθήνα", "GR", "Athens"), ("Athína", "GR", "Athens"), ("Praha", "CZ", "Prague"),
    ("Wien", "AT", "Vienna"), ("Vienne", "AT", "Vienna"), ("København", "DK", "Copenhagen"),
    ("Frankfurt-am-Main", "DE", "Frankfurt am Main"), ("Köln", "DE", "Köln"),
    ("Cologne", "DE", "Köln"), ("Warszawa", "PL", "Warsaw"), ("Bucureşti", "RO", "Bucharest"),
    ("București", "RO", "Bucharest"), ("Genève", "CH", "Geneva"), ("Genf", "CH", "Geneva"),
])
def test_spellings_find_the_same_place(gazetteer, city, country, expected):
    result = gazetteer.lookup(city, country)
    assert result.status == "found", result.note
    assert result.place.name == expected
    assert result.place.country == country


def test_country_decides_between_namesakes(gazetteer):
    athens_gr = gazetteer.lookup("Athens", "GR").place
    assert 37 < athens_gr.latitude < 39
    assert gazetteer.lookup("Paris", "FR").place.longitude == pytest.approx(2.35, abs=0.1)
    assert gazetteer.lookup("Paris", "US").status == "unsupported"


def test_ambiguous_villages_go_to_review_and_a_postcode_resolves_them(gazetteer):
    result = gazetteer.lookup("Le Pin", "FR")
    assert result.status == "ambiguous" and result.place is None
    assert "add the postcode" in result.note
    chosen = gazetteer.lookup("Le Pin", "FR", postcode="79140")
    assert chosen.status == "found" and chosen.place.admin1 == "75"
    assert "by postcode 79140" in chosen.note


def test_population_decides_when_one_namesake_dominates(gazetteer):
    result = gazetteer.lookup("Frankfurt", "DE")
    assert result.status == "found" and result.place.population > 500_000
    assert "most populous" in result.note or "only match" in result.note


@pytest.mark.parametrize("written, expected", [("Fano (PU)", "Fano"),
                                               ("Albal, Valencia", "Albal"),
                                               ("Peccioli -Pisa", "Peccioli"), ("San Casciano - Firenze", "Florence"),
                                               ("Dos Hermanas. SEVILLA", "Dos Hermanas")])
def test_qualified_city_names(gazetteer, written, expected):
    country = "ES" if written[0] in "AD" else "IT"
    result = gazetteer.lookup(written, country)
    assert result.status == "found" and result.place.name == expected
    assert "read " in result.note


def test_unknown_place(gazetteer):
    result = gazetteer.lookup("Xyzzyville", "FR")
    assert result.status == "not_found" and "Xyzzyville" in result.note


def test_country_boxes(gazetteer):
    assert gazetteer.in_country(48.85, 2.35, "FR") is True
    assert gazetteer.in_country(2.35, 48.85, "FR") is False
    assert gazetteer.in_country(0, 0, "US") is None


def test_geopy_compatible_face(gazetteer):
    location = gazetteer.geocode({"city": "Lisboa", "country": "PT"})
    assert location.address == "Lisbon, PT" and location.latitude == pytest.approx(38.72, abs=0.05)
    assert gazetteer.geocode("Nowhere-sur-Rien, FR") is None


@pytest.mark.parametrize("a, b", [("Saint-Étienne", "saint etienne"), ("Groß Gerau", "gross gerau"),
                                  ("'s-Hertogenbosch", "s hertogenbosch")])
def test_place_key(a, b):
    assert place_key(a) == b


def test_cached_index_loads_the_same_places(gazetteer, tmp_path):
    from atlas_app.places.gazetteer import Gazetteer
    from atlas_app.settings import PACKAGE_DATA, load_settings

    again = Gazetteer.load(load_settings().cache_dir, PACKAGE_DATA)
    assert len(again) == len(gazetteer)
    assert again.lookup("Lisboa", "PT").place == gazetteer.lookup("Lisbon", "PT").place


@pytest.mark.parametrize("stored, lang, shown", [
    ("Lisboa", "en", "Lisbon"), ("Lisboa", "fr", "Lisbonne"), ("Lisboa", "de", "Lissabon"),
    ("Lisboa", "pt", "Lisboa"), ("Bruxelles", "en", "Brussels"), ("Brussel", "de", "Brüssel"),
    ("BRUXELLES", "pl", "Bruksela"), ("London", "fr", "Londres"), ("Praha", "it", "Praga"),
    ("Köln", "en", "Köln"), ("Saint-Denis", "en", "Saint-Denis"), (None, "en", None),
])
def test_well_known_cities_are_shown_in_the_visitors_language(stored, lang, shown):
    """Issue 17: the data keeps its spelling; the visitor reads the city in their
    language where CLDR names it (capitals and a few large cities)."""
    from atlas_app.places.exonyms import city_in

    assert city_in(stored, lang) == shown
