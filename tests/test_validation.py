"""Row validation: every field's rule, with line, field, value and fix (HOSTILE 6-9, 22-26)."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from atlas_app.intake.validation import (
    WEBSITE_RULE,
    clean_text,
    normalise_website,
    parse_number,
    validate_record,
)
from tests.support.factories import make_organisation


def check(taxonomy, **overrides):
    return validate_record(make_organisation(**overrides), taxonomy, line=7)


def errors(problems):
    return [p for p in problems if p.severity == "error"]


def test_a_good_row_becomes_a_typed_record(taxonomy):
    record, problems = check(taxonomy, latitude="48.85", longitude="2.35", tags="a; b ;a")
    assert problems == []
    assert record["latitude"] == 48.85 and record["longitude"] == 2.35
    assert record["location_source"] == "provided" and record["location_precision"] == "exact"
    assert record["tags"] == ["a", "b"]
    assert record["status"] == "published"


@pytest.mark.parametrize("website", [
    "javascript:alert(1)", "JaVaScRiPt:alert(1)", "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)",
    "https://trusted.org@evil.example", "//evil.example", 'https://ex.org/"onmouseover="x',
    "https://ex.org/ a", "update6", "ftp://example.org", "https://", "http://-bad-.org",
])
def test_unsafe_or_malformed_websites_are_rejected(taxonomy, website):
    record, problems = check(taxonomy, website=website)
    assert record is None
    [problem] = errors(problems)
    assert problem.field == "website" and problem.line == 7
    assert problem.message.startswith(WEBSITE_RULE)
    assert "https://example.org" in problem.fix


@pytest.mark.parametrize("raw, url, warned", [
    ("https://example.org/path?q=1", "https://example.org/path?q=1", False),
    ("HTTP://Example.org", "http://Example.org", False),
    ("www.example.org", "https://www.example.org", True),
    ("example.co.uk/about", "https://example.co.uk/about", True),
    ("https://café.example", "https://café.example", False),
])
def test_acceptable_websites(raw, url, warned):
    got, error, warning = normalise_website(raw)
    assert (got, error, bool(warning)) == (url, None, warned)


def test_invisible_and_bidi_characters_are_removed_and_forms_unified():
    nfd = unicodedata.normalize("NFD", "Autrêches")
    assert clean_text("\u202eAutr\u200bêches\u0007") == "Autrêches"
    assert clean_text(nfd) == clean_text("Autrêches") == "Autrêches"
    assert clean_text("a\nb", multiline=True) == "a\nb"
    assert clean_text("a\n  b") == "a b"


def test_hostile_text_is_kept_literally(taxonomy):
    name = "<img src=x onerror=alert(1)>"
    record, problems = check(taxonomy, name=name, description_en="${globalThis.PWNED=1}")
    assert record["name"] == name and record["description_en"] == "${globalThis.PWNED=1}"


@pytest.mark.parametrize("field, size, limit", [("name", 10_000, 200),
                                                ("description_en", 1_000_000, 5000)])
def test_field_limits(taxonomy, field, size, limit):
    record, problems = check(taxonomy, **{field: "x" * size})
    assert record is None
    [problem] = errors(problems)
    assert problem.field == field
    assert f"{size:,} characters" in problem.message and f"{limit:,}" in problem.message


@pytest.mark.parametrize("value, code", [("NA", "NA"), ("Österreich", "AT"), ("UK", "GB"),
                                         ("England", "GB"), ("ÖSterreich", "AT"),
                                         ("Allemagne", "DE"), ("България", "BG"),
                                         ("Czech Republic", "CZ"), ("fr", "FR")])
def test_countries_in_many_languages(taxonomy, value, code):
    record, problems = check(taxonomy, country=value)
    assert record["country"] == code


def test_misspelt_country_gets_a_suggestion(taxonomy):
    record, problems = check(taxonomy, country="Frace")
    assert record is None
    assert errors(problems)[0].fix == "did you mean France (FR)?"


def test_country_outside_europe_is_a_warning(taxonomy):
    record, problems = check(taxonomy, country="Kenya")
    assert record["country"] == "KE"
    assert [p.severity for p in problems] == ["warning"]


@pytest.mark.parametrize("value", ["None", "NULL", "N/A", "007"])
def test_placeholder_words_are_text_not_missing(taxonomy, value):
    record, _ = check(taxonomy, address=value, legal_form=value)
    assert record["address"] == value and record["legal_form"] == value
    # A word in the postcode column is read (and reported as no postal code), not blank.
    record, problems = check(taxonomy, postcode=value)
    assert record["postcode"] == value if value == "007" else \
        [p.value for p in problems if p.code == "bad_postcode"] == [value]


@pytest.mark.parametrize("lat, lon, ok, fix", [
    ("48,8566", "2,3522", True, None),
    ("2.3522", "148.8566", True, None),
    ("999", "2", False, "check the coordinates"),
    ("120", "45", False, "look swapped"),
    ("0", "0", False, "leave both empty"),
    ("48.8", "", False, "give both"),
    ("north", "2", False, "write it like"),
])
def test_coordinates(taxonomy, lat, lon, ok, fix):
    record, problems = check(taxonomy, latitude=lat, longitude=lon)
    assert (record is not None) == ok
    if fix:
        assert fix in errors(problems)[0].fix


def test_decimal_comma():
    assert parse_number("48,8566") == 48.8566
    assert parse_number("1,234.5") is None
    assert parse_number("nan") is None


def test_formula_cells_are_stored_as_given_and_our_guard_is_undone(taxonomy):
    record, _ = check(taxonomy, name="=HYPERLINK(\"http://x\")", legal_form="'=SUM(1)")
    assert record["name"] == '=HYPERLINK("http://x")'
    assert record["legal_form"] == "=SUM(1)"


@pytest.mark.parametrize("field", ["name", "kind", "sector", "country", "city"])
def test_required_fields(taxonomy, field):
    record, problems = check(taxonomy, **{field: ""})
    assert record is None
    assert [(p.field, p.message) for p in errors(problems)] == [(field, "is required and empty")]


@pytest.mark.parametrize("kind, expected", [("Solution", "solution"), ("accompagnement", "support")])
def test_kind_synonyms(taxonomy, kind, expected):
    assert check(taxonomy, kind=kind)[0]["kind"] == expected


@pytest.mark.parametrize("sector, expected", [("Santé et soin", "health"), ("health", "health"),
                                              ("EDUCATION & SKILLS", "education")])
def test_sector_by_id_or_label(taxonomy, sector, expected):
    assert check(taxonomy, sector=sector)[0]["sector"] == expected


def test_unknown_sector_lists_the_choices(taxonomy):
    record, problems = check(taxonomy, sector="space")
    assert "digital-inclusion" in errors(problems)[0].fix


def test_every_problem_of_a_row_is_reported(taxonomy):
    record, problems = check(taxonomy, website="javascript:x", email="nope", kind="?",
                             country="Atlantis")
    assert {p.field for p in errors(problems)} == {"website", "email", "kind", "country"}
    assert all(p.line == 7 and p.fix for p in problems)


def _clean_text_reference(value: str, *, multiline: bool = False) -> str:
    """The character-by-character definition clean_text's fast path must agree with."""
    import re
    import unicodedata

    text = unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n"))
    kept = []
    for ch in text:
        if ch in "\n\t":
            kept.append(ch if multiline else " ")
        elif unicodedata.category(ch) not in ("Cc", "Cf", "Co", "Cs"):
            kept.append(ch)
    cleaned = "".join(kept)
    return (cleaned if multiline else re.sub(r"\s+", " ", cleaned)).strip()


@given(st.text(), st.booleans())
def test_clean_text_fast_path_agrees_with_its_definition(value, multiline):
    from atlas_app.intake.validation import clean_text

    assert clean_text(value, multiline=multiline) == \
        _clean_text_reference(value, multiline=multiline)


@pytest.mark.parametrize("overrides, field, code", [
    ({"name": ""}, "name", "required"),
    ({"name": "x" * 201}, "name", "too_long"),
    ({"id": "-3"}, "id", "bad_id"),
    ({"website": "javascript:alert(1)"}, "website", "bad_website"),
    ({"website": "www.example.org"}, "website", "website_check"),
    ({"email": "nobody"}, "email", "bad_email"),
    ({"kind": "both"}, "kind", "unknown_kind"),
    ({"sector": "astrology"}, "sector", "unknown_sector"),
    ({"country": "Frace"}, "country", "unknown_country"),
    ({"country": "Brazil"}, "country", "outside_europe"),
    ({"status": "live"}, "status", "unknown_status"),
    ({"created_at": "yesterday"}, "created_at", "bad_datetime"),
    ({"tags": "t" * 61}, "tags", "tag_too_long"),
    ({"latitude": "north", "longitude": "2"}, "latitude", "not_a_number"),
    ({"latitude": "120", "longitude": "2"}, "latitude", "out_of_range"),
    ({"latitude": "0", "longitude": "0"}, "latitude", "null_island"),
    ({"latitude": "48.8", "longitude": ""}, "longitude", "half_coordinates"),
])
def test_each_problem_carries_its_stable_code(taxonomy, overrides, field, code):
    """Surfaces choose and word problems by code, never by their English text."""
    from atlas_app.intake.validation import PROBLEM_CODES

    _record, problems = check(taxonomy, **overrides)
    assert [(p.field, p.code) for p in problems] == [(field, code)]
    assert code in PROBLEM_CODES and problems[0].as_dict()["code"] == code


@pytest.mark.parametrize("field, value, code", [
    ("email", "contact(at)example.org", "bad_email"),
    ("website", "see our facebook page", "bad_website"),
    ("postcode", "n/a", "bad_postcode"),
])
def test_an_import_keeps_the_row_and_drops_the_bad_optional_value(taxonomy, field, value,
                                                                  code):
    cells = make_organisation(**{field: value})
    record, problems = validate_record(cells, taxonomy, line=7, drop_bad_optional=True)
    assert record is not None and record[field] is None
    [problem] = [p for p in problems if p.code == code]
    assert problem.severity == "warning" and problem.value == value
    refused, problems = validate_record(cells, taxonomy, line=7)
    assert refused is None and [p.severity for p in problems if p.code == code] == ["error"]


@pytest.mark.parametrize("city, postcode, expected", [
    ("75011 Paris", "", ("Paris", "75011")),
    ("F-75011 Paris", "", ("Paris", "F-75011")),
    ("00-950 Warszawa", "", ("Warszawa", "00-950")),
    ("Wien 1010", "", ("Wien", "1010")),
    ("75011 Paris", "75012", ("Paris", "75012")),
    ("Paris", "", ("Paris", None)),
])
def test_a_postcode_in_the_city_cell_is_taken_out(taxonomy, city, postcode, expected):
    record, problems = check(taxonomy, city=city, postcode=postcode)
    assert (record["city"], record["postcode"]) == expected
    assert ("postcode_in_city" in {p.code for p in problems}) == (city != "Paris")


@pytest.mark.parametrize("value, code", [
    ("Turkey", "TR"), ("Russian Federation", "RU"), ("Moldova, Republic of", "MD"),
    ("Bosnia and Herzegovina", "BA"), ("Bosnia & Herzegovina", "BA"),
    ("Korea, Republic of", "KR"), ("Netherlands, The", "NL"), ("Holy See", "VA"),
])
def test_iso_short_names_and_common_aliases(taxonomy, value, code):
    record, _ = check(taxonomy, country=value)
    assert record["country"] == code


def test_an_ambiguous_qualified_name_is_not_guessed(taxonomy):
    record, problems = check(taxonomy, country="Congo, Democratic Republic of the")
    assert record is None and problems[0].code == "unknown_country"
