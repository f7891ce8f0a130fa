"""Fix in place (issue 15): corrections of refused values, checked again row by row — the
result must be what checking the corrected file would give, and only the changed rows are
validated and located again."""

from __future__ import annotations

import pytest

import atlas_app.intake.corrections as corrections
from atlas_app.intake.corrections import (
    edits_everywhere,
    recheck_rows,
    refused_values,
    same_value_lines,
)
from atlas_app.intake.pipeline import ImportOptions, prepare_import
from atlas_app.places.geocoding import Locator

HEADER = "name;city;country;kind;sector;email;website\n"
ROWS = [
    "Alpha;Nicosia;Cyprys;support;health;;https://alpha.example",
    "Beta;Limassol;Cyprys;support;Healht care;beta@beta.example;",
    "Gamma;Larnaca;Cyprys;solution;Healht care;gamma(at)example;",
    "Delta;;France;support;health;;https://delta.example",
    "Alpha bis;Nicosia;CY;support;health;;https://alpha.example",
    "Epsilon;Lyon;France;neither;health;;",
]


def _file(rows):
    return (HEADER + "\n".join(rows) + "\n").encode()


def _check(store, taxonomy, settings, locator, rows):
    return prepare_import(_file(rows), "fix.csv", store, taxonomy, settings,
                          ImportOptions(status="pending"), locator=locator)


def _same(a, b):
    assert [p.as_dict() for p in a.report.problems] == [p.as_dict() for p in b.report.problems]
    assert (a.report.accepted, a.report.rejected) == (b.report.accepted, b.report.rejected)
    assert a.accepted == b.accepted


def _edited(rows, edits):
    """The file's rows with the same corrections typed in."""
    fields = HEADER.strip().split(";")
    out = []
    for line, row in enumerate(rows, start=2):
        cells = dict(zip(fields, row.split(";")))
        cells.update(edits.get(line, {}))
        out.append(";".join(cells[f] for f in fields))
    return out


@pytest.fixture
def locator(gazetteer, store):
    return Locator(gazetteer, store)


def test_corrections_give_what_the_corrected_file_gives(store, taxonomy, settings, locator):
    prepared = _check(store, taxonomy, settings, locator, ROWS)
    assert (prepared.report.accepted, prepared.report.rejected) == (1, 5)
    assert same_value_lines(prepared, "country", "Cyprys") == [2, 3, 4]
    [suggestion] = {p.suggestion for p in refused_values(prepared) if p.value == "Cyprys"}
    assert suggestion == "CY"

    edits = edits_everywhere(prepared, "country", "Cyprys", suggestion)
    assert edits == {2: {"country": "CY"}, 3: {"country": "CY"}, 4: {"country": "CY"}}
    fixed = recheck_rows(prepared, edits, store, taxonomy, locator)
    _same(fixed, _check(store, taxonomy, settings, locator, _edited(ROWS, edits)))
    assert (fixed.report.accepted, fixed.report.rejected) == (2, 4)
    # line 6 is now in the file's duplicates: Alpha bis resembles Alpha (same website)
    assert [p.other for p in fixed.report.problems if p.code == "duplicate_in_file"] == [2]
    assert prepared.report.rejected == 5, "the check given is left as it was"

    more = {3: {"sector": "health"}, 4: {"sector": "health", "email": "gamma@example.org"},
            5: {"city": "Paris"}, 7: {"kind": "solution"}}
    fixed = recheck_rows(fixed, more, store, taxonomy, locator)
    both = {line: {**edits.get(line, {}), **more.get(line, {})} for line in range(2, 8)}
    _same(fixed, _check(store, taxonomy, settings, locator, _edited(ROWS, both)))
    assert (fixed.report.accepted, fixed.report.rejected) == (6, 0)
    assert fixed.edits == {line: f for line, f in both.items() if f}
    assert dict(fixed.accepted)[4]["email"] == "gamma@example.org"
    assert dict(fixed.accepted)[5]["latitude"] is not None, "located again"


def test_only_the_changed_rows_are_validated_again(store, taxonomy, settings, locator,
                                                   monkeypatch):
    prepared = _check(store, taxonomy, settings, locator, ROWS)
    seen = []
    validate = corrections.validate_record
    monkeypatch.setattr(corrections, "validate_record",
                        lambda cells, *a, **k: seen.append(k["line"]) or validate(cells, *a, **k))
    recheck_rows(prepared, {7: {"kind": "support"}, 99: {"kind": "support"}}, store,
                 taxonomy, locator)
    assert seen == [7], "one row changed, one row checked; unknown lines are ignored"


def test_a_corrected_duplicate_of_the_registry_is_found(store, taxonomy, settings, locator):
    from tests.support.factories import record

    store.add_organisations([record(name="Delta", city="Paris", country="FR",
                                    website="https://delta.example")])
    prepared = _check(store, taxonomy, settings, locator, ROWS)
    assert not [p for p in prepared.report.problems if p.line == 5 and p.ref]
    fixed = recheck_rows(prepared, {5: {"city": "Paris"}}, store, taxonomy, locator)
    assert [p.ref for p in fixed.report.problems if p.line == 5
            and p.code == "duplicate_in_registry"] == [1]
