"""The ``atlas`` command: argument parsing and printing only; the work happens in the core."""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import json
import logging
import os
import sys
import tomllib
import uuid
from pathlib import Path

from atlas_app.errors import AtlasError, UsageError
from atlas_app.intake.columns import ColumnMapping
from atlas_app.intake.pipeline import ImportOptions, ImportReport, import_path
from atlas_app.places.gazetteer import Gazetteer
from atlas_app.places.geocoding import (
    PAUSE_KEY,
    Locator,
    OnlineGeocoder,
    attributions,
    locate_pending,
)
from atlas_app.public.filters import Filters, describe_filters
from atlas_app.registry.backup import backup, restore
from atlas_app.registry.lookups import count_in, registry_stats
from atlas_app.registry.schema import KINDS, STATUSES, load_taxonomy
from atlas_app.registry.store import Store
from atlas_app.research.exports import (
    EXPORT_FORMATS,
    Citation,
    datapackage_descriptor,
    write_atomically,
    write_export,
)
from atlas_app.research.notebook import view_batches
from atlas_app.settings import IN_CHECKOUT, PROJECT_ROOT, default_home, load_settings
from atlas_app.staff.accounts import add_account, list_accounts, remove_account
from atlas_app.text import counted

SEED_FILE = "organisations.csv"
SEED_SOURCE = "Social Tech Atlas seed registry"


def _store(settings) -> Store:
    store = Store(settings.resolved_database_url)
    if not store.schema_is_current():
        raise UsageError("the database is not set up or is out of date — run: atlas init")
    return store


def _locator(settings, store: Store | None = None) -> Locator:
    gazetteer = Gazetteer.load(settings.cache_dir, settings.data_dir)
    online = OnlineGeocoder(settings.geocoder_url, settings.geocoder_user_agent,
                            settings.geocoder_timeout) if settings.geocoder_url else None
    return Locator(gazetteer, store, online, min_interval=settings.geocoder_min_interval)


def cmd_init(args, settings) -> int:
    store = Store(settings.resolved_database_url)
    revision = store.upgrade()
    print(f"database ready at schema revision {revision}: {store.url!r}")
    locator = _locator(settings, store)
    print(f"offline gazetteer ready: {len(locator.gazetteer):,} places")
    if args.seed:
        if store.count():
            print(f"registry already holds {store.count():,} organisations; seed not loaded")
        else:
            report = import_path(settings.data_dir / SEED_FILE, store,
                                 load_taxonomy(settings.data_dir), settings,
                                 ImportOptions(source=SEED_SOURCE), locator=locator)
            _print_report(report)
            return report.exit_code
    return 0


def cmd_geocode(args, settings) -> int:
    store = _store(settings)
    if args.unpause:
        store.set_meta(PAUSE_KEY, None)
        print("online geocoding resumed")
    if args.online and not settings.geocoder_url:
        raise UsageError("--online needs ATLAS_GEOCODER_URL (a Nominatim API, e.g. "
                         "https://nominatim.openstreetmap.org or your own instance)")
    locator = _locator(settings, store)

    def progress(done: int, total: int) -> None:
        if sys.stderr.isatty() or done == total or done % 100 == 0:
            end = "\n" if done == total else ""
            print(f"\rlocating: {done:,}/{total:,}", end=end, file=sys.stderr, flush=True)

    report = locate_pending(store, locator, online=args.online, retry_failed=args.retry_failed,
                            limit=args.limit, progress=progress)
    if report.paused:
        print(f"online geocoding is paused: {report.paused} — after fixing the cause, run "
              "atlas geocode --online --unpause")
    if report.stopped_online:
        print(f"online geocoding stopped for this run: {report.stopped_online}")
    counts = ", ".join(f"{n:,} {status.replace('_', ' ')}"
                       for status, n in sorted((report.counts or {}).items()))
    print(f"{counted(report.considered, 'organisation')} considered"
          + (f": {counts}" if counts else ""))
    for credit in attributions(bool(settings.geocoder_url)):
        print(credit)
    if args.list:
        for row in store.unlocated(("todo", "offline_miss", "deferred", "not_found",
                                    "ambiguous")):
            print(f"#{row['id']} {row['name']} — {row['city']}, {row['country']}: "
                  f"{row['geocode_status'].replace('_', ' ')}"
                  + (f" ({row['location_note']})" if row["location_note"] else ""))
    return 0


def _progress(stage: str, done: int, total: int) -> None:
    if total >= 2000 and sys.stderr.isatty():
        end = "\n" if done == total else ""
        print(f"\r{stage}: {done:,}/{total:,} rows", end=end, file=sys.stderr, flush=True)


def cmd_import(args, settings) -> int:
    mapping = ColumnMapping.from_file(args.mapping) if args.mapping else ColumnMapping()
    mapping = mapping.merged(ColumnMapping.from_pairs(args.map, args.set))
    mapping = mapping.merged(ColumnMapping(unclassified=frozenset(args.unclassified)))
    options = ImportOptions(dry_run=args.dry_run, skip_invalid=args.skip_invalid,
                            source=args.source, status=args.status, mapping=mapping,
                            allow_repeat=args.allow_repeat,
                            reject_bad_optional=args.reject_bad_values)
    store = _store(settings)
    report = import_path(args.path, store, load_taxonomy(settings.data_dir), settings,
                         options, progress=_progress, locator=_locator(settings, store))
    _print_report(report)
    if args.report_json:
        write_atomically(Path(args.report_json),
                         json.dumps(report.as_dict(), indent=2, ensure_ascii=False).encode())
    return report.exit_code


def _print_report(report: ImportReport) -> None:
    print(f"read {report.filename}: {report.read_as}")
    for warning in report.warnings:
        print(f"warning: {warning}")
    for problem in report.problems:
        prefix = "error" if problem.severity == "error" else "warning"
        print(f"{prefix}: {problem.describe()}")
    summary = (f"{counted(report.rows, 'row')}: {report.accepted:,} accepted, "
               f"{report.rejected:,} rejected")
    if report.dry_run:
        outcome = "dry run: nothing was written"
    elif report.written:
        outcome = (f"{counted(report.written, 'organisation')} written as upload "
                   f"#{report.batch_id}")
    elif report.rejected:
        outcome = ("nothing was written because some rows were rejected — fix them, or use "
                   "--skip-invalid to write only the valid rows")
    else:
        outcome = "nothing to write"
    print(f"{summary}. {outcome}.")


def cmd_export(args, settings) -> int:
    store = _store(settings)
    taxonomy = load_taxonomy(settings.data_dir)
    statuses = None if args.all else ("published",)
    unknown = [s for s in args.sector if s not in taxonomy.ids]
    if unknown:
        raise UsageError(f"unknown {'sector' if len(unknown) == 1 else 'sectors'} "
                         f"{', '.join(unknown)} — sectors are: "
                         f"{', '.join(taxonomy.ids)}")
    filters = Filters(tuple(c.upper() for c in args.country), tuple(args.sector),
                      tuple(args.kind), args.q or "")
    total = count_in(store, statuses)
    revision = store.revision()
    written = 0

    def cite(count: int) -> Citation:
        return Citation(revision, dt.date.today(),
                        describe_filters(filters, count, total, taxonomy))

    def write(fh) -> None:
        # Streamed: frames of a few thousand rows go from the database to the file.
        nonlocal written
        written = write_export(fh, view_batches(store, filters, statuses), args.format,
                               taxonomy, settings.data_dir, cite)

    if args.output in (None, "-"):
        write(sys.stdout.buffer)
        sys.stdout.flush()
    else:
        write_atomically(Path(args.output), write)
    print(f"exported {describe_filters(filters, written, total, taxonomy)}"
          + (f" to {args.output}" if args.output not in (None, "-") else ""), file=sys.stderr)
    return 0


def cmd_stats(args, settings) -> int:
    stats = registry_stats(_store(settings))
    if args.json:
        print(json.dumps(stats, indent=2))
        return 0
    print(f"organisations: {stats['total']:,} "
          f"({stats['located']:,} located, {stats['unlocated']:,} unlocated)")
    for title, key in (("by status", "by_status"), ("published by country",
                       "published_by_country"), ("published by sector", "published_by_sector"),
                       ("published by kind", "published_by_kind"),
                       ("by location precision", "by_location_precision")):
        print(f"{title}:")
        for name, count in sorted(stats[key].items(), key=lambda kv: (-kv[1], kv[0])):
            print(f"  {name:<24} {count:>7,}")
    return 0


def cmd_backup(args, settings) -> int:
    size = backup(_store(settings), args.path)
    print(f"backup written to {args.path} ({size:,} bytes)")
    return 0


def cmd_restore(args, settings) -> int:
    count = restore(Store(settings.resolved_database_url), args.path, force=args.force)
    print(f"restored {count:,} organisations from {args.path}")
    return 0


def cmd_staff(args, settings) -> int:
    store = _store(settings)
    if args.action == "list":
        for account in list_accounts(store):
            print(account.email)
        return 0
    if not args.email:
        raise UsageError(f"atlas staff {args.action} needs an e-mail address")
    if args.action == "remove":
        remove_account(store, args.email)
        print(f"removed {args.email}; its sessions are ended")
        return 0
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("password: ")
        if getpass.getpass("again: ") != password:
            raise UsageError("the two passwords differ")
    account = add_account(store, args.email, password)
    print(f"staff account {account.email} added")
    return 0


def cmd_schema(args, settings) -> int:
    print(json.dumps(datapackage_descriptor(load_taxonomy(settings.data_dir)), indent=2,
                     ensure_ascii=False))
    return 0


def streamlit_flags(config: Path) -> list[str]:
    """The app's Streamlit configuration (a TOML file shipped in the package) as
    command-line flags, so that it applies wherever the package is installed."""
    flags = []
    for section, options in tomllib.loads(config.read_text(encoding="utf-8")).items():
        for option, value in options.items():
            text = str(value).lower() if isinstance(value, bool) else str(value)
            flags.append(f"--{section}.{option}={text}")
    return flags


def cmd_serve(args, settings) -> int:
    ui = Path(__file__).resolve().parent / "ui"
    # Streamlit's command line, in a process whose connections send at once (ui/server.py).
    argv = [sys.executable, "-m", "atlas_app.ui.server", "run", str(ui / "app.py"),
            *streamlit_flags(ui / "streamlit.toml"),
            "--server.port", str(args.port), "--server.address", args.address]
    # Streamlit reads .streamlit/secrets.toml (single sign-on) from the working directory:
    # the checkout, else the atlas's home. The child gets the same database and home.
    workdir = PROJECT_ROOT if IN_CHECKOUT else settings.home
    workdir.mkdir(parents=True, exist_ok=True)
    os.chdir(workdir)
    os.environ.update(ATLAS_HOME=str(settings.home),
                      ATLAS_DATABASE_URL=settings.resolved_database_url)
    # Few malloc arenas: Streamlit runs each session's script in its own thread, and one
    # arena per thread keeps freed memory from a large registry index out of reach.
    os.environ.setdefault("MALLOC_ARENA_MAX", "2")
    # A fixed threshold above which blocks are mapped (glibc raises it after every large
    # free otherwise): the megabytes a view's arrays borrow at a million organisations go
    # back to the system when freed, instead of staying in the heap.
    os.environ.setdefault("MALLOC_MMAP_THRESHOLD_", str(1 << 20))
    os.execv(sys.executable, argv)
    return 0  # pragma: no cover - execv does not return


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="atlas", description="The Social Tech Atlas registry.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("init", help="create or upgrade the database")
    p.add_argument("--seed", action="store_true",
                   help="load data/organisations.csv when the registry is empty")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("import", help="import organisations from CSV, GeoJSON or .xlsx")
    p.add_argument("path", type=Path)
    p.add_argument("--dry-run", action="store_true", help="check only; write nothing")
    p.add_argument("--skip-invalid", action="store_true",
                   help="write the valid rows and report the rest (default: all or nothing)")
    p.add_argument("--source", help="where the rows come from (default: the file name)")
    p.add_argument("--status", choices=STATUSES,
                   help="status of rows that give none (default: published)")
    p.add_argument("--mapping", type=Path, help="TOML file with [columns] and [constants]")
    p.add_argument("--map", action="append", default=[], metavar="SOURCE=FIELD",
                   help="read column SOURCE as FIELD (FIELD '-' ignores it); repeatable")
    p.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE",
                   help="value of FIELD for rows that have none; repeatable")
    p.add_argument("--allow-repeat", action="store_true",
                   help="import a file even if the same file was imported before")
    p.add_argument("--unclassified", action="append", default=[], choices=("kind", "sector"),
                   help="rows without this field go to review unclassified (pending), "
                        "to be classified there; repeatable")
    p.add_argument("--reject-bad-values", action="store_true",
                   help="reject a row whose website, e-mail or postcode is invalid "
                        "(default: leave the value out, keep the row, warn)")
    p.add_argument("--report-json", metavar="FILE", help="write the report as JSON")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("geocode", help="locate organisations that have no coordinates")
    p.add_argument("--limit", type=int, help="at most N organisations this run")
    p.add_argument("--online", action="store_true",
                   help="also ask the online geocoder (ATLAS_GEOCODER_URL), 1 request/s")
    p.add_argument("--retry-failed", action="store_true",
                   help="try again those not found or ambiguous before")
    p.add_argument("--unpause", action="store_true",
                   help="resume online geocoding after a 403 paused it")
    p.add_argument("--list", action="store_true",
                   help="list the organisations still unlocated, with the reason")
    p.set_defaults(func=cmd_geocode)

    p = sub.add_parser("export", help="export organisations")
    p.add_argument("--format", choices=EXPORT_FORMATS, default="csv")
    p.add_argument("--country", action="append", default=[], metavar="CC")
    p.add_argument("--sector", action="append", default=[], metavar="ID")
    p.add_argument("--kind", action="append", default=[], choices=KINDS)
    p.add_argument("--q", help="free text (accent- and case-insensitive)")
    p.add_argument("--all", action="store_true", help="every status, not only published")
    p.add_argument("-o", "--output", help="file to write (default: standard output)")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("stats", help="counts by status, country, sector, location")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_stats)

    p = sub.add_parser("backup", help="write a consistent backup of the registry")
    p.add_argument("path", type=Path)
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("restore", help="restore a backup (into an empty registry)")
    p.add_argument("path", type=Path)
    p.add_argument("--force", action="store_true", help="replace a registry that has rows")
    p.set_defaults(func=cmd_restore)

    p = sub.add_parser("staff", help="manage staff accounts")
    p.add_argument("action", choices=("add", "list", "remove"))
    p.add_argument("email", nargs="?")
    p.add_argument("--password-stdin", action="store_true",
                   help="read the password from standard input instead of a prompt")
    p.set_defaults(func=cmd_staff)

    p = sub.add_parser("schema", help="print the Frictionless data package descriptor")
    p.set_defaults(func=cmd_schema)

    p = sub.add_parser("serve", help="start the web app")
    p.add_argument("--port", type=int, default=8501)
    p.add_argument("--address", default="localhost")
    p.set_defaults(func=cmd_serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
        return args.func(args, settings)
    except AtlasError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader of our output went away (``atlas stats | head``): not an error.
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print("interrupted; nothing half-written was kept", file=sys.stderr)
        return 130
    except Exception:  # a bug: a short message here, the traceback in the log only
        incident = uuid.uuid4().hex[:8]
        log_path = default_home() / "log" / "atlas.log"
        try:
            log_path.parent.mkdir(parents=True, exist_ok=True)
            os.close(os.open(log_path, os.O_CREAT | os.O_WRONLY | os.O_APPEND, 0o600))
            handler = logging.FileHandler(log_path, encoding="utf-8")
            handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
            logger = logging.getLogger("atlas.incidents")
            logger.addHandler(handler)
            logger.exception("incident %s in: atlas %s", incident,
                             " ".join(argv or sys.argv[1:]))
            logger.removeHandler(handler)
            handler.close()
        except OSError:
            pass
        print(f"error: something went wrong on our side (incident {incident}); nothing "
              f"half-written was kept. The details are in {log_path}.", file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
