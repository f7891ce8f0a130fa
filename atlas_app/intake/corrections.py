"""Corrections made on the upload page: edit the values the check refused, row by row or
in every row that has the same value, and check again only the rows that changed.

The file is never changed: a correction is ``{line: {field: text}}`` over the cells the
column mapping read, kept with the prepared import (and in the staff member's draft).
"""

from __future__ import annotations

from dataclasses import replace

from atlas_app.intake.pipeline import (
    DuplicateCheck,
    PreparedImport,
    _check_ids,
    _status,
    locate_records,
)
from atlas_app.intake.validation import Problem, validate_record
from atlas_app.places.geocoding import Locator
from atlas_app.registry.schema import FIELD_BY_NAME, Taxonomy
from atlas_app.registry.store import Store

# What a person can correct in place: a refused value, or a value left out of a kept row.
EDITABLE_CODES = frozenset({
    "required", "too_long", "bad_website", "bad_email", "bad_postcode", "unknown_kind",
    "unknown_sector", "unknown_country", "unknown_status", "bad_datetime", "tag_too_long",
    "not_a_number", "out_of_range", "null_island", "half_coordinates", "unknown_value",
    "bad_id"})


def refused_values(prepared: PreparedImport) -> list[Problem]:
    """The problems a person can correct in place, in file order: each names a line, a
    field of the registry and the value as the check saw it."""
    return [p for p in prepared.report.problems
            if p.code in EDITABLE_CODES and p.field in FIELD_BY_NAME
            and p.line in prepared.cells]


def same_value_lines(prepared: PreparedImport, field: str, value: str) -> list[int]:
    """The lines whose ``field`` was refused (or left out) with this very ``value``."""
    return sorted({p.line for p in refused_values(prepared)
                   if p.field == field and p.value == value})


def edits_everywhere(prepared: PreparedImport, field: str, value: str,
                     new_value: str) -> dict[int, dict[str, str]]:
    """One correction for every row with the same refused ``value`` (``Cyprys`` → CY)."""
    return {line: {field: new_value} for line in same_value_lines(prepared, field, value)}


def recheck_rows(prepared: PreparedImport, edits: dict[int, dict[str, str]], store: Store,
                 taxonomy: Taxonomy, locator: Locator | None = None) -> PreparedImport:
    """Apply ``edits`` (line → field → text) to these rows and check only them again:
    validated, their ids checked, located, compared with the registry; the comparison
    of the file's rows with each other runs again over all rows, from values in
    memory. The other rows keep their records and problems. Returns a new prepared
    import (the one given is not changed); the result is the same as checking the file
    with these cells corrected."""
    changed = {line: dict(fields) for line, fields in edits.items()
               if line in prepared.cells and fields}
    if not changed:
        return prepared
    options, where = prepared.options, prepared.where
    cells = dict(prepared.cells)
    kept_edits = {line: dict(fields) for line, fields in prepared.edits.items()}
    for line, fields in changed.items():
        cells[line] = {**cells[line], **fields}
        kept_edits.setdefault(line, {}).update(fields)

    new_records: list[tuple[int, dict]] = []
    new_problems: list[Problem] = []
    for line in sorted(changed):
        record, found = validate_record(
            cells[line], taxonomy, line=line, where=where,
            default_status=_status(options), default_source=prepared.source,
            drop_bad_optional=not options.reject_bad_optional,
            unclassified=options.mapping.unclassified)
        new_problems.extend(found)
        if record is not None:
            new_records.append((line, record))

    others = [(line, r) for line, r in prepared.accepted if line not in changed]
    new_records, id_problems = _check_ids(new_records, store, where)
    taken = {r["id"]: line for line, r in others if r["id"] is not None}
    for line, record in list(new_records):  # an id another (unchanged) row of the file has
        if record["id"] is not None and record["id"] in taken:
            new_records.remove((line, record))
            id_problems.append(Problem(line, "id", str(record["id"]), f"repeats the id of "
                                       f"{where} {taken[record['id']]}", "give each row its "
                                       "own id", where=where, code="id_repeated"))
    new_problems.extend(id_problems)
    if locator is not None:
        new_problems.extend(locate_records(new_records, locator, where))

    accepted = sorted(others + new_records, key=lambda item: item[0])
    check = DuplicateCheck(store, where, locator)
    candidates = check.candidates(accepted)
    mine = {line for line, _r in new_records}
    registry = [p for p in prepared.report.problems if p.code == "duplicate_in_registry"
                and p.line not in changed]
    registry += check.in_registry(new_records, [c for c in candidates if c.ref in mine])
    in_file = check.in_file(candidates, {p.line for p in registry})

    problems = [p for p in prepared.report.problems if p.line not in changed
                and p.code not in ("duplicate_in_registry", "duplicate_in_file")]
    problems += new_problems + registry + in_file
    problems.sort(key=lambda p: (p.line, p.severity != "error"))
    report = replace(prepared.report, problems=problems, accepted=len(accepted),
                     rejected=len({p.line for p in problems if p.severity == "error"}),
                     warnings=list(prepared.report.warnings))
    return replace(prepared, report=report, accepted=accepted, cells=cells,
                   edits=kept_edits)
