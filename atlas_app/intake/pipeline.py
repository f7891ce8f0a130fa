"""Import a file into the registry: read → map columns → validate → check → commit.

All-or-nothing by default; ``skip_invalid`` writes the valid rows and reports the rest.
"""

from __future__ import annotations

import functools
import hashlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from atlas_app.errors import DuplicateUploadError, FileReadError, StoreError
from atlas_app.intake.columns import ColumnMapping, resolve_columns
from atlas_app.intake.duplicates import Candidate, DuplicateIndex, find_matches
from atlas_app.intake.reader import RawTable, check_size, read_bytes
from atlas_app.intake.validation import Problem, validate_record
from atlas_app.places.geocoding import Locator, Outcome, Query
from atlas_app.registry.lookups import duplicate_candidates, identities
from atlas_app.registry.schema import STATUSES, Taxonomy
from atlas_app.registry.store import Batch, Store
from atlas_app.settings import Settings
from atlas_app.text import place_key, website_key

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class ImportOptions:
    """How to import: see ``atlas import --help`` for each option."""

    dry_run: bool = False
    skip_invalid: bool = False
    source: str | None = None
    status: str | None = None
    mapping: ColumnMapping = field(default_factory=ColumnMapping)
    allow_repeat: bool = False
    created_by: str | None = None
    reject_bad_optional: bool = False  # refuse the row instead of leaving the value out


@dataclass
class ImportReport:
    """What an import found and did; ``exit_code`` follows the CLI's contract."""

    filename: str
    read_as: str = ""
    rows: int = 0
    accepted: int = 0
    rejected: int = 0
    written: int = 0
    dry_run: bool = False
    batch_id: int | None = None
    ids: list[int] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warned(self) -> int:
        """Rows kept with at least one warning."""
        refused = {p.line for p in self.problems if p.severity == "error"}
        return len({p.line for p in self.problems if p.severity == "warning"} - refused)

    @property
    def exit_code(self) -> int:
        return 1 if self.rejected else 0

    def as_dict(self) -> dict:
        return {"file": self.filename, "read_as": self.read_as, "rows": self.rows,
                "accepted": self.accepted, "rejected": self.rejected,
                "written": self.written, "dry_run": self.dry_run, "batch": self.batch_id,
                "warnings": self.warnings, "problems": [p.as_dict() for p in self.problems]}


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _status(options: ImportOptions) -> str:
    status = options.status or "published"
    if status not in STATUSES:
        raise FileReadError(f"status must be one of {', '.join(STATUSES)}, instead got: {status!r}")
    return status


def validate_table(table: RawTable, mapping: ColumnMapping, taxonomy: Taxonomy, *,
                   status: str, source: str | None,
                   progress: Progress | None = None, drop_bad_optional: bool = True,
                   cells: dict[int, dict[str, str]] | None = None
                   ) -> tuple[list[tuple[int, dict]], list[Problem], list[str]]:
    """Validate every row; return ([(line, record)], problems, file-level warnings).

    Problems of rejected rows are errors; warnings (suspicious but accepted) ride along.
    ``cells``, when given, receives each readable row's ``{field: text}`` by line (what
    a correction edits and checks again).
    """
    resolved = resolve_columns(table, mapping)
    accepted: list[tuple[int, dict]] = []
    problems: list[Problem] = []
    total = len(table.rows)
    for n, row in enumerate(table.rows, start=1):
        if row.problem:
            message, _, fix = row.problem.partition(" — ")
            problems.append(Problem(row.line, None, "", message, fix or "correct the row",
                                    where=row.where))
        else:
            row_cells = resolved.cells(row)
            if cells is not None:
                cells[row.line] = row_cells
            record, found = validate_record(row_cells, taxonomy, line=row.line,
                                            where=row.where, default_status=status,
                                            default_source=source,
                                            drop_bad_optional=drop_bad_optional,
                                            unclassified=mapping.unclassified)
            problems.extend(found)
            if record is not None:
                accepted.append((row.line, record))
        if progress and (n % 1000 == 0 or n == total):
            progress("validate", n, total)
    return accepted, problems, list(resolved.warnings)


def _check_ids(accepted: list[tuple[int, dict]], store: Store, where: str
               ) -> tuple[list[tuple[int, dict]], list[Problem]]:
    """Reject rows whose explicit id is repeated in the file or already in the registry."""
    problems: list[Problem] = []
    given = [r["id"] for _, r in accepted if r["id"] is not None]
    taken = store.existing_ids(given) if given else set()
    seen: dict[int, int] = {}
    kept = []
    for line, record in accepted:
        rid = record["id"]
        if rid is not None and rid in taken:
            problems.append(Problem(line, "id", str(rid), "is already in the registry",
                                    "remove the id column to add the rows as new "
                                    "organisations", where=where, code="id_taken"))
        elif rid is not None and rid in seen:
            problems.append(Problem(line, "id", str(rid), f"repeats the id of {where} "
                                    f"{seen[rid]}", "give each row its own id", where=where,
                                    code="id_repeated"))
        else:
            if rid is not None:
                seen[rid] = line
            kept.append((line, record))
    return kept, problems


# Up to this many rows, an import looks up the organisations sharing a website host or a
# place with the indexes; a larger file reads every live organisation's identity at once,
# which then costs less than thousands of lookups.
INDEXED_LOOKUP_ROWS = 2_000


def _registry_candidates(accepted: list[tuple[int, dict]], store: Store,
                         locator: Locator | None) -> list[tuple]:
    """The registry's organisations the accepted rows could duplicate."""
    if len(accepted) > INDEXED_LOOKUP_ROWS:
        return identities(store)
    hosts = {key for _, r in accepted if (key := website_key(r["website"]))}
    places: set[tuple[str, str]] = set()
    for city, country in {(r["city"], r["country"]) for _, r in accepted}:
        if city and country:
            spellings = locator.gazetteer.spellings(city, country) if locator is not None \
                else {place_key(city)}
            places.update((country, key[:200]) for key in spellings)
    return duplicate_candidates(store, hosts, places)


# From this many rows of one file sharing a website, the website is not an identity.
SHARED_SITE_ROWS = 5


class DuplicateCheck:
    """Compares rows with the registry and with each other (never merged).

    Archived organisations are not compared: an undone upload or a rejected suggestion
    can come in again. With a gazetteer, places are compared by the GeoNames id their
    name has in its index, so ``Lisbon`` and ``Lisboa`` are the same place.
    """

    def __init__(self, store: Store, where: str, locator: Locator | None = None) -> None:
        self.store, self.where, self.locator = store, where, locator
        self.place = functools.lru_cache(maxsize=None)(self._place)

    def _place(self, city: str | None, country: str | None) -> str | None:
        if self.locator is None or not city or not country:
            return None
        found = self.locator.gazetteer.place_id(city, country)
        return f"geonames:{found}" if found is not None else None

    def candidates(self, accepted: list[tuple[int, dict]]) -> list[Candidate]:
        # A website many rows of the file share (a federation's site, a common platform)
        # says nothing about which organisation a row is.
        keys = {line: website_key(r["website"]) for line, r in accepted}
        sites = Counter(key for key in keys.values() if key)
        shared = {key for key, n in sites.items() if n >= SHARED_SITE_ROWS}
        return [Candidate(line, r["name"], r["country"], r["city"],
                          None if keys[line] in shared else r["website"],
                          self.place(r["city"], r["country"])) for line, r in accepted]

    def in_registry(self, rows: list[tuple[int, dict]], new: list[Candidate]) -> list[Problem]:
        """Rows (``new``, their candidates) resembling a live registry organisation."""
        existing = [Candidate(i, n, c, t, w, self.place(t, c))
                    for i, n, c, t, w in _registry_candidates(rows, self.store, self.locator)]
        return [Problem(line, "name", "", f"possible duplicate of #{org_id} ({reason})",
                        "check it is a different organisation", "warning", self.where,
                        ref=org_id, code="duplicate_in_registry")
                for line, (org_id, reason) in find_matches(new, existing).items()]

    def in_file(self, new: list[Candidate], in_registry: set[int]) -> list[Problem]:
        """Rows resembling an earlier row of the file (not already flagged against the
        registry), in file order."""
        warnings = []
        earlier = DuplicateIndex()
        for cand in new:
            match = earlier.match(cand)
            if match is not None and cand.ref not in in_registry:
                warnings.append(Problem(cand.ref, "name", cand.name, f"duplicate of "
                                        f"{self.where} {match[0]} ({match[1]})",
                                        "keep one of the two rows", "warning", self.where,
                                        code="duplicate_in_file", other=match[0]))
            earlier.add(cand)
        return warnings


def _duplicate_warnings(accepted: list[tuple[int, dict]], store: Store, where: str,
                        locator: Locator | None = None) -> list[Problem]:
    """Warn about rows resembling another row of the file or the registry."""
    check = DuplicateCheck(store, where, locator)
    new = check.candidates(accepted)
    registry = check.in_registry(accepted, new)
    return registry + check.in_file(new, {p.line for p in registry})


def locate_records(accepted: list[tuple[int, dict]], locator: Locator, where: str,
                   progress: Progress | None = None) -> list[Problem]:
    """Check given coordinates and locate the rest offline, in place; return warnings.

    Rows that cannot be located are kept, unlocated, with the reason.
    """
    problems: list[Problem] = []
    answers: dict[Query, Outcome] = {}
    total = len(accepted)
    locator.prefetch(Query(r["city"], r["country"], r["postcode"], r["address"])
                     for _, r in accepted if r["latitude"] is None)
    for n, (line, r) in enumerate(accepted, start=1):
        if r["latitude"] is not None:
            verdict, lat, lon, note = locator.check_given(r["latitude"], r["longitude"],
                                                          r["country"])
            if verdict == "swapped":
                r.update(latitude=lat, longitude=lon, location_note=note)
                problems.append(Problem(line, "latitude", "", note, "check the corrected "
                                        "position on the map", "warning", where,
                                        code="coordinates_swapped"))
            elif verdict == "outside":
                r.update(geocode_status="review", location_note=note)
                problems.append(Problem(line, "latitude", f"{lat}, {lon}", note,
                                        "the row is kept and listed for review", "warning",
                                        where, code="outside_country"))
        else:
            query = Query(r["city"], r["country"], r["postcode"], r["address"])
            # Rows of one file share their places: each place is looked up once.
            outcome = answers.get(query) or answers.setdefault(query, locator.offline(query))
            r["geocode_status"], r["location_note"] = outcome.status, outcome.note or None
            if outcome.located:
                r.update(latitude=outcome.latitude, longitude=outcome.longitude,
                         location_precision=outcome.precision, location_source=outcome.source)
            else:
                problems.append(Problem(line, "city", r["city"] or "", f"not located: "
                                        f"{outcome.note}", "the organisation is kept without "
                                        "coordinates; add a postcode or set them by hand",
                                        "warning", where, code="not_located"))
        if progress and (n % 1000 == 0 or n == total):
            progress("locate", n, total)
    return problems


@dataclass
class PreparedImport:
    """A file read, mapped, validated, checked and located — not yet written."""

    report: ImportReport
    accepted: list[tuple[int, dict]]
    digest: str
    source: str
    where: str
    earlier: Batch | None = None
    file_fields: frozenset[str] = frozenset()  # fields fed by the file's own columns
    # Each readable row's {field: text} by line, with the corrections made since, and
    # how it was checked: what intake/corrections.py edits and checks again.
    cells: dict[int, dict[str, str]] = field(default_factory=dict)
    options: ImportOptions = field(default_factory=ImportOptions)
    edits: dict[int, dict[str, str]] = field(default_factory=dict)  # line → field → text


def prepare_import(data: bytes, filename: str, store: Store, taxonomy: Taxonomy,
                   settings: Settings, options: ImportOptions = ImportOptions(),
                   progress: Progress | None = None,
                   locator: Locator | None = None) -> PreparedImport:
    """Everything an import does before writing; FileReadError/MappingError mean the file
    cannot be imported at all."""
    status = _status(options)
    digest = sha256_of(data)
    report = ImportReport(filename=filename, dry_run=options.dry_run)
    earlier = store.find_batch(digest)
    if earlier is not None:
        report.warnings.append(
            f"this file was already imported on {earlier.created_at:%Y-%m-%d %H:%M} UTC "
            f"as upload #{earlier.id} ({earlier.filename}, {earlier.row_count} rows)")
    table = read_bytes(data, filename, max_bytes=settings.max_upload_bytes,
                       max_rows=settings.max_rows)
    report.read_as = table.describe()
    report.rows = len(table.rows)
    report.warnings.extend(table.warnings)
    source = options.source or options.mapping.constants.get("source") or filename
    cells: dict[int, dict[str, str]] = {}
    accepted, problems, warnings = validate_table(table, options.mapping, taxonomy,
                                                  status=status, source=source,
                                                  progress=progress,
                                                  drop_bad_optional=not options.reject_bad_optional,
                                                  cells=cells)
    report.warnings.extend(warnings)
    where = table.rows[0].where if table.rows else "line"
    accepted, id_problems = _check_ids(accepted, store, where)
    problems.extend(id_problems)
    problems.extend(_duplicate_warnings(accepted, store, where, locator))
    if locator is not None:
        problems.extend(locate_records(accepted, locator, where, progress))
    problems.sort(key=lambda p: (p.line, p.severity != "error"))
    report.problems = problems
    report.accepted = len(accepted)
    report.rejected = len({p.line for p in problems if p.severity == "error"})
    return PreparedImport(report, accepted, digest, source, where, earlier,
                          frozenset(resolve_columns(table, options.mapping).sources),
                          cells, options)


def commit_import(prepared: PreparedImport, store: Store, options: ImportOptions = ImportOptions(),
                  skip_lines: set[int] = frozenset(),
                  progress: Progress | None = None,
                  conn=None) -> ImportReport:
    """Write a prepared import as one batch (all rows or none); ``skip_lines`` are left out
    (e.g. duplicates staff chose to skip). ``conn``: as part of an enclosing write."""
    report = prepared.report
    # Asked again at the moment of writing: the file may have landed since it was checked
    # (a second click, another tab, another staff member).
    earlier = None if options.allow_repeat else store.find_batch(prepared.digest)
    if earlier is not None:
        raise DuplicateUploadError(
            f"this file was already imported on {earlier.created_at:%Y-%m-%d %H:%M} UTC as "
            f"upload #{earlier.id} ({earlier.filename}, {earlier.row_count} rows) — use "
            f"--allow-repeat to import it again", id=earlier.id, file=earlier.filename,
            rows=earlier.row_count)
    if report.rejected and not options.skip_invalid:
        return report
    rows = [(line, r) for line, r in prepared.accepted if line not in skip_lines]
    if not rows:
        return report
    if progress:
        progress("commit", 0, len(rows))
    try:
        report.ids, report.batch_id = store.add_organisations(
            [r for _, r in rows], filename=report.filename, sha256=prepared.digest,
            source=prepared.source, created_by=options.created_by, conn=conn)
    except StoreError as exc:
        if exc.row_index is None:
            raise
        line = rows[exc.row_index][0]
        raise StoreError(f"{prepared.where} {line}: {exc}", row_index=exc.row_index) from exc
    report.written = len(report.ids)
    if progress:
        progress("commit", len(rows), len(rows))
    return report


def import_bytes(data: bytes, filename: str, store: Store, taxonomy: Taxonomy,
                 settings: Settings, options: ImportOptions = ImportOptions(),
                 progress: Progress | None = None,
                 locator: Locator | None = None) -> ImportReport:
    """Import one file's bytes; FileReadError/MappingError mean nothing could be imported."""
    if not (options.allow_repeat or options.dry_run):
        earlier = store.find_batch(sha256_of(data))
        if earlier is not None:
            raise DuplicateUploadError(
                f"this file was already imported on {earlier.created_at:%Y-%m-%d %H:%M} UTC "
                f"as upload #{earlier.id} ({earlier.filename}, {earlier.row_count} rows) — "
                "use --allow-repeat to import it again", id=earlier.id, file=earlier.filename,
                rows=earlier.row_count)
    prepared = prepare_import(data, filename, store, taxonomy, settings, options, progress,
                              locator)
    if options.dry_run:
        return prepared.report
    return commit_import(prepared, store, replace(options, allow_repeat=True),
                         progress=progress)


def import_path(path: Path, store: Store, taxonomy: Taxonomy, settings: Settings,
                options: ImportOptions = ImportOptions(),
                progress: Progress | None = None,
                locator: Locator | None = None) -> ImportReport:
    """Import a file from disk (refused before reading when over the size limit)."""
    path = Path(path)
    try:
        check_size(path.stat().st_size, settings.max_upload_bytes)
        data = path.read_bytes()
    except OSError as exc:
        raise FileReadError(f"cannot open {path}: {exc.strerror or exc}") from exc
    return import_bytes(data, path.name, store, taxonomy, settings, options, progress, locator)
