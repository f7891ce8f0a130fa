"""Column mapping: synonyms, explicit mappings, constants, missing columns (HOSTILE 19)."""

from __future__ import annotations

import pytest

from atlas_app.errors import MappingError
from atlas_app.intake.columns import ColumnMapping, resolve_columns
from atlas_app.intake.reader import RawRow, RawTable


def table(headers, *rows):
    return RawTable("csv", list(headers),
                    [RawRow(i + 2, dict(zip(headers, r))) for i, r in enumerate(rows)])


def test_french_headers_are_mapped():
    t = table(["nom", "ville", "pays", "site web", "type", "secteur", "Code postal"],
              ["Lab", "Lyon", "France", "https://lab.fr", "support", "health", "69001"])
    cells = resolve_columns(t).cells(t.rows[0])
    assert (cells["name"], cells["city"], cells["country"], cells["website"],
            cells["postcode"]) == ("Lab", "Lyon", "France", "https://lab.fr", "69001")


def test_missing_required_column_is_named_with_the_header():
    t = table(["name", "country", "kind", "sector"], ["Lab", "FR", "support", "health"])
    with pytest.raises(MappingError, match=r"missing required column: city — header "
                                           r"was: name, country, kind, sector"):
        resolve_columns(t)


def test_constants_fill_fields_a_file_lacks():
    t = table(["name", "addr:city", "addr:country"], ["Lab", "Graz", "Österreich"])
    resolved = resolve_columns(t, ColumnMapping.from_pairs([], ["kind=solution",
                                                                "sector=open-tech"]))
    cells = resolved.cells(t.rows[0])
    assert (cells["city"], cells["country"], cells["kind"]) == ("Graz", "Österreich", "solution")


def test_explicit_mapping_wins_and_dash_ignores():
    t = table(["Structure", "Commune", "name", "country", "kind", "sector"],
              ["Real name", "Metz", "ignored", "FR", "support", "health"])
    mapping = ColumnMapping.from_pairs(["Structure=name", "name=-", "Commune=city"], [])
    cells = resolve_columns(t, mapping).cells(t.rows[0])
    assert cells["name"] == "Real name" and cells["city"] == "Metz"


def test_two_columns_for_one_field_use_the_first_non_empty():
    t = table(["name", "website", "contact:website", "city", "country", "kind", "sector"],
              ["A", "", "https://a.org", "X", "FR", "support", "health"])
    resolved = resolve_columns(t)
    assert resolved.cells(t.rows[0])["website"] == "https://a.org"
    assert any("all map to website" in w for w in resolved.warnings)


def test_foreign_underscore_id_is_not_our_id():
    t = table(["_id", "name", "city", "country", "kind", "sector"],
              ["e98f", "A", "X", "FR", "support", "health"])
    resolved = resolve_columns(t)
    assert "id" not in resolved.sources and "_id" in resolved.ignored


@pytest.mark.parametrize("columns, constants, message", [
    (["nosuch=city"], [], "not in the file"),
    (["name=citi"], [], "does not exist"),
    ([], ["colour=red"], "does not exist"),
    (["name"], [], "SOURCE=FIELD"),
])
def test_bad_mappings_say_what_was_expected(columns, constants, message):
    t = table(["name", "city", "country", "kind", "sector"], ["A", "B", "FR", "support", "health"])
    with pytest.raises(MappingError, match=message):
        resolve_columns(t, ColumnMapping.from_pairs(columns, constants))


def test_mapping_file(tmp_path):
    path = tmp_path / "m.toml"
    path.write_text('[columns]\n"addr:city" = "city"\n[constants]\nkind = "solution"\n')
    mapping = ColumnMapping.from_file(path)
    assert mapping.columns == {"addr:city": "city"} and mapping.constants == {"kind": "solution"}
    path.write_text("[colums]\n")
    with pytest.raises(MappingError, match="unknown section"):
        ColumnMapping.from_file(path)
