"""Property-based fuzzing of the file reader and the validator (Hypothesis): arbitrary bytes
and arbitrary rows either import or produce a clear error — never a crash, a hang or a
silent drop."""

from __future__ import annotations

import csv
import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from atlas_app.errors import AtlasError, FileReadError
from atlas_app.intake.columns import resolve_columns
from atlas_app.intake.reader import read_bytes
from atlas_app.intake.validation import validate_record
from atlas_app.registry.schema import FIELD_NAMES

LIMITS = {"max_bytes": 200_000, "max_rows": 2_000}
FUZZ = settings(max_examples=300, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


@FUZZ
@given(st.binary(max_size=3000), st.sampled_from(["x.csv", "x.geojson", "x.xlsx", "x.txt"]))
def test_arbitrary_bytes_read_or_fail_clearly(data, name):
    try:
        table = read_bytes(data, name, **LIMITS)
    except FileReadError as exc:
        assert str(exc) and len(str(exc)) < 2000
        return
    assert table.rows, "a table that reads has data rows"
    for row in table.rows:
        assert row.line >= 1 and (row.cells or row.problem)


cell = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)


@FUZZ
@given(st.lists(st.lists(cell, min_size=1, max_size=6), min_size=1, max_size=30),
       st.sampled_from([",", ";", "\t"]))
def test_every_written_row_is_read_back_or_reported(rows, separator):
    """A CSV written by a correct writer: every data row comes back, none is dropped."""
    header = ["name", "city", "country", "kind", "sector", "website"][:max(map(len, rows))]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=separator)
    writer.writerow(header)
    writer.writerows(rows)
    data = buffer.getvalue().encode("utf-8")
    try:
        table = read_bytes(data, "fuzz.csv", **LIMITS)
    except FileReadError as exc:
        # The only acceptable refusals: nothing to import, a repeated header, or a NUL
        # character (the mark of a binary file) typed into a cell.
        assert "no data rows" in str(exc) or "same name" in str(exc) or \
            ("binary file" in str(exc) and "\x00" in data.decode("utf-8"))
        return
    non_blank = [r for r in rows if any(c.strip() for c in r)]
    assert len(table.rows) == len(non_blank)
    for written, read in zip(non_blank, table.rows):
        if len(written) == len(header):
            assert read.cells == dict(zip(header, written)) and read.problem is None
        else:
            assert read.cells == {} and "fields instead of" in read.problem


@FUZZ
@given(st.dictionaries(st.sampled_from(FIELD_NAMES), cell, max_size=len(FIELD_NAMES)))
def test_validator_never_crashes_and_explains_every_rejection(taxonomy, cells):
    record, problems = validate_record(cells, taxonomy, line=3)
    errors = [p for p in problems if p.severity == "error"]
    assert (record is None) == bool(errors)
    for problem in problems:
        assert problem.line == 3 and problem.message and problem.fix
    if record is not None:
        assert record["name"] and record["kind"] in ("support", "solution")
        assert record["sector"] in taxonomy.ids and len(record["country"]) == 2


@FUZZ
@given(st.binary(max_size=2000))
def test_mapping_and_validation_of_any_readable_file(taxonomy, data):
    try:
        table = read_bytes(data, "x.csv", **LIMITS)
        resolved = resolve_columns(table)
    except AtlasError:
        return
    for row in table.rows:
        if not row.problem:
            validate_record(resolved.cells(row), taxonomy, line=row.line)
