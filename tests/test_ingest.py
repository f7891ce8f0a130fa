"""Importing files: all-or-nothing, skip-invalid, repeats, duplicates (HOSTILE 14, 27-30)."""

from __future__ import annotations

import pytest

from atlas_app.errors import DuplicateUploadError, FileReadError, MappingError
from atlas_app.intake.columns import ColumnMapping
from atlas_app.intake.pipeline import ImportOptions, import_bytes
from tests.support.factories import make_organisation, make_registry, to_csv


def run(data, store, taxonomy, settings, name="upload.csv", **options):
    return import_bytes(data, name, store, taxonomy, settings, ImportOptions(**options))


def test_valid_file_is_written_as_one_batch(store, taxonomy, settings):
    report = run(to_csv(make_registry(30)), store, taxonomy, settings)
    assert (report.rows, report.accepted, report.rejected, report.written) == (30, 30, 0, 30)
    assert report.exit_code == 0 and report.batch_id is not None
    assert store.count() == 30


def test_one_bad_row_writes_nothing_by_default(store, taxonomy, settings):
    rows = make_registry(5)
    rows[3]["website"] = "javascript:alert(1)"
    report = run(to_csv(rows), store, taxonomy, settings, reject_bad_optional=True)
    assert report.written == 0 and store.count() == 0
    assert report.exit_code == 1
    [problem] = report.errors
    assert (problem.line, problem.field) == (5, "website")


def test_a_bad_optional_value_is_left_out_and_the_row_kept(store, taxonomy, settings):
    rows = make_registry(5)
    rows[3].update(website="javascript:alert(1)", email="nobody@", postcode="???")
    report = run(to_csv(rows), store, taxonomy, settings)
    assert report.written == 5 and not report.errors
    assert sorted(p.code for p in report.problems if p.line == 5) == [
        "bad_email", "bad_postcode", "bad_website"]
    kept = store.get_organisation(report.ids[3])
    assert (kept["website"], kept["email"], kept["postcode"]) == (None, None, None)


def test_skip_invalid_writes_the_valid_rows_and_reports_the_rest(store, taxonomy, settings):
    rows = make_registry(6)
    rows[1]["country"] = "Atlantis"
    rows[4]["kind"] = ""
    report = run(to_csv(rows), store, taxonomy, settings, skip_invalid=True)
    assert (report.accepted, report.rejected, report.written) == (4, 2, 4)
    assert sorted(p.line for p in report.errors) == [3, 6]
    assert store.count() == 4 and report.exit_code == 1


def test_dry_run_writes_nothing(store, taxonomy, settings):
    report = run(to_csv(make_registry(3)), store, taxonomy, settings, dry_run=True)
    assert report.accepted == 3 and report.written == 0 and store.count() == 0


def test_structural_problem_is_one_row_not_a_column_shift(store, taxonomy, settings):
    good = to_csv(make_registry(3)).decode().splitlines()
    good[2] = good[2] + ",extra"
    report = run("\n".join(good).encode(), store, taxonomy, settings, skip_invalid=True)
    [problem] = report.errors
    assert problem.line == 3 and "instead of" in problem.message
    assert report.written == 2


def test_the_same_file_twice_is_recognised(store, taxonomy, settings):
    data = to_csv(make_registry(3))
    first = run(data, store, taxonomy, settings)
    with pytest.raises(DuplicateUploadError, match=rf"already imported on .* as upload "
                                                   rf"#{first.batch_id}"):
        run(data, store, taxonomy, settings)
    assert store.count() == 3
    again = run(data, store, taxonomy, settings, allow_repeat=True)
    assert again.written == 3


def test_duplicate_within_the_file_is_flagged_not_dropped(store, taxonomy, settings):
    rows = [make_organisation(name="Le Lab", website="https://lelab.fr"),
            make_organisation(name="Other", website="https://other.org"),
            make_organisation(name="Le Lab!", website="https://www.lelab.fr/contact")]
    report = run(to_csv(rows), store, taxonomy, settings)
    [warning] = [p for p in report.problems if p.severity == "warning"]
    assert warning.line == 4 and "duplicate of line 2" in warning.message
    assert report.written == 3


def test_possible_duplicate_of_the_registry_names_its_id(store, taxonomy, settings):
    first = run(to_csv([make_organisation(name="Framasoft", website="https://framasoft.org",
                                          city="Lyon")]), store, taxonomy, settings)
    report = run(to_csv([make_organisation(name="framasoft", website="https://framasoft.net",
                                           city="Lyon")]), store, taxonomy, settings,
                 name="second.csv")
    [warning] = [p for p in report.problems if p.severity == "warning"]
    assert f"possible duplicate of #{first.ids[0]}" in warning.message


def test_id_already_in_registry_is_a_row_error(store, taxonomy, settings):
    run(to_csv([dict(make_organisation(), id="5")]), store, taxonomy, settings)
    report = run(to_csv([dict(make_organisation(name="X"), id="5")]), store, taxonomy,
                 settings, name="b.csv")
    assert report.errors[0].field == "id" and "already in the registry" in report.errors[0].message


def test_database_error_rolls_back_everything(store, taxonomy, settings, monkeypatch):
    """A failure while writing (here: row 40 of 50 breaks a constraint) keeps nothing."""
    from atlas_app.intake import validation

    original = validation.validate_record

    def sabotage(cells, *args, **kwargs):
        record, problems = original(cells, *args, **kwargs)
        if record and record["name"].endswith(" 39"):
            record["kind"] = "not-a-kind"  # passes validation, refused by the database
        return record, problems

    monkeypatch.setattr("atlas_app.intake.pipeline.validate_record", sabotage)
    from atlas_app.errors import StoreError
    with pytest.raises(StoreError, match=r"^line 41: the database refused row 40 .*"
                                         r"nothing was written"):
        run(to_csv(make_registry(50)), store, taxonomy, settings)
    assert store.count() == 0


def test_missing_columns_and_unreadable_files_raise_before_anything(store, taxonomy, settings):
    with pytest.raises(MappingError, match="missing required"):
        run(b"name,city\nA,B\n", store, taxonomy, settings)
    with pytest.raises(FileReadError):
        run(b"", store, taxonomy, settings)
    assert store.count() == 0


def test_constants_and_status(store, taxonomy, settings):
    data = b"nom,ville,pays\nLab,Lyon,France\n"
    mapping = ColumnMapping.from_pairs([], ["kind=solution", "sector=open-tech"])
    report = run(data, store, taxonomy, settings, mapping=mapping, status="pending",
                 source="partner list")
    org = store.get_organisation(report.ids[0])
    assert (org["kind"], org["status"], org["source"]) == ("solution", "pending", "partner list")


def test_lisbon_and_lisboa_are_the_same_place(store, taxonomy, settings, gazetteer):
    from atlas_app.places.geocoding import Locator

    first = run(to_csv([make_organisation(name="Casa do Impacto", city="Lisboa", country="PT",
                                          website="https://a.example")]), store, taxonomy,
                settings)
    report = import_bytes(to_csv([make_organisation(name="Casa do Impacto", city="Lisbon",
                                                    country="Portugal",
                                                    website="https://b.example")]),
                          "again.csv", store, taxonomy, settings, ImportOptions(),
                          locator=Locator(gazetteer))
    [warning] = [p for p in report.problems if "possible duplicate" in p.message]
    assert f"#{first.ids[0]}" in warning.message and report.written == 1
