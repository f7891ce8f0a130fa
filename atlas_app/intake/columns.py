"""Map a file's columns onto the registry's fields, with constants for what a file lacks."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from atlas_app.errors import MappingError
from atlas_app.intake.reader import RawRow, RawTable
from atlas_app.registry.schema import (
    FIELD_BY_NAME,
    FIELD_NAMES,
    REQUIRED_FIELDS,
    SYNONYM_TO_FIELD,
    normalise_header,
)

IGNORE = {"", "-", "ignore"}
# Required fields a file may lack and leave to the review queue (never a name or a place).
UNCLASSIFIABLE = ("kind", "sector")


@dataclass(frozen=True)
class ColumnMapping:
    """What the user asked for: ``columns`` source header → field (or "-" to ignore),
    ``constants`` field → value used wherever a row has no value of its own, and
    ``replacements`` field → {value as in the file → value to read instead} (a fix
    applied to every row with that value, e.g. ``{"country": {"Chypre": "CY"}}``)."""

    columns: dict[str, str] = field(default_factory=dict)
    constants: dict[str, str] = field(default_factory=dict)
    replacements: dict[str, dict[str, str]] = field(default_factory=dict)
    # Required fields the rows may leave empty ("kind", "sector"): such rows go to the
    # review queue unclassified (pending), to be classified there.
    unclassified: frozenset[str] = frozenset()

    def merged(self, other: "ColumnMapping") -> "ColumnMapping":
        """This mapping overridden by ``other`` (command-line options over a file)."""
        return ColumnMapping({**self.columns, **other.columns},
                             {**self.constants, **other.constants},
                             {**self.replacements, **other.replacements},
                             self.unclassified | other.unclassified)

    @classmethod
    def from_pairs(cls, columns: list[str], constants: list[str]) -> "ColumnMapping":
        """Parse ``SOURCE=FIELD`` and ``FIELD=VALUE`` pairs from the command line."""
        return cls(_pairs(columns, "--map", "SOURCE=FIELD"),
                   _pairs(constants, "--set", "FIELD=VALUE"))

    @classmethod
    def from_file(cls, path: Path) -> "ColumnMapping":
        """Read a TOML mapping file with ``[columns]`` and ``[constants]`` tables."""
        try:
            doc = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            raise MappingError(f"cannot read the mapping file {path}: {exc}") from exc
        except tomllib.TOMLDecodeError as exc:
            raise MappingError(f"the mapping file {path} is not valid TOML: {exc}") from exc
        unknown = set(doc) - {"columns", "constants", "description"}
        if unknown:
            raise MappingError(f"the mapping file {path} has unknown sections "
                               f"{', '.join(sorted(unknown))}; expected [columns] and [constants]")
        return cls({str(k): str(v) for k, v in doc.get("columns", {}).items()},
                   {str(k): str(v) for k, v in doc.get("constants", {}).items()})


def _pairs(items: list[str], option: str, form: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise MappingError(f"{option} expects {form}, instead got: {item!r}")
        pairs[key.strip()] = value.strip()
    return pairs


@dataclass(frozen=True)
class ResolvedColumns:
    """Which file columns feed each field, and what was left out."""

    sources: dict[str, tuple[str, ...]]
    constants: dict[str, str]
    ignored: tuple[str, ...]
    warnings: tuple[str, ...]
    replacements: dict[str, dict[str, str]] = field(default_factory=dict)

    def cells(self, row: RawRow) -> dict[str, str]:
        """The row as ``{field: text}``: first non-empty source column, else the
        constant; a value with a replacement is read as its replacement."""
        out: dict[str, str] = {}
        for name in FIELD_NAMES:
            value = next((row.cells.get(h, "") for h in self.sources.get(name, ())
                          if (row.cells.get(h) or "").strip()), "")
            out[name] = value if value.strip() else self.constants.get(name, "")
        for name, fixes in self.replacements.items():
            if out.get(name, "").strip() in fixes:
                out[name] = fixes[out[name].strip()]
        return out


def suggest_field(header: str) -> str:
    """The field a header most likely means, or "" — ``id`` only when spelt exactly, so
    that a foreign ``_id`` never collides with the registry's own identifiers."""
    target = SYNONYM_TO_FIELD.get(normalise_header(header), "")
    if target == "id" and header.strip().lower() != "id":
        return ""
    return target


def shorten_list(items: list[str], limit: int = 15) -> str:
    """``a, b, c and 12 more``: long headers stay readable in one message."""
    shown = ", ".join(items[:limit])
    return shown + (f" … and {len(items) - limit} more" if len(items) > limit else "")


def _check_field(name: str, where: str) -> str:
    if name not in FIELD_BY_NAME:
        raise MappingError(f"{where} names the field {name!r}, which does not exist — "
                           f"fields are: {', '.join(FIELD_NAMES)}")
    return name


def resolve_columns(table: RawTable, mapping: ColumnMapping | None = None) -> ResolvedColumns:
    """Decide which columns feed which field; raise MappingError if a required one is missing."""
    mapping = mapping or ColumnMapping()
    by_key = {normalise_header(h): h for h in table.headers}
    explicit: dict[str, str] = {}
    for source, target in mapping.columns.items():
        header = source if source in table.headers else by_key.get(normalise_header(source))
        if header is None:
            raise MappingError(f"the mapping names the column {source!r}, which is not in the "
                               f"file — header was: {', '.join(table.headers)}")
        explicit[header] = "" if target.strip().lower() in IGNORE else \
            _check_field(target.strip(), f"the mapping of {source!r}")
    constants = {_check_field(k, "a constant"): v for k, v in mapping.constants.items()}

    sources: dict[str, list[str]] = {}
    ignored: list[str] = []
    for header in table.headers:
        target = explicit[header] if header in explicit else suggest_field(header)
        if target:
            sources.setdefault(target, []).append(header)
        else:
            ignored.append(header)

    unknown = set(mapping.unclassified) - set(UNCLASSIFIABLE)
    if unknown:
        raise MappingError(f"only {' and '.join(UNCLASSIFIABLE)} may be left for review, "
                           f"instead got: {', '.join(sorted(unknown))}")
    missing = [f for f in REQUIRED_FIELDS if f not in sources and not constants.get(f)
               and f not in mapping.unclassified]
    if missing:
        hint = " ".join(f"--set {f}=…" for f in missing)
        raise MappingError(
            f"missing required {'column' if len(missing) == 1 else 'columns'}: "
            f"{', '.join(missing)} — header was: {shorten_list(table.headers)}. Add "
            f"{'it' if len(missing) == 1 else 'them'}, map an existing column with "
            f"--map SOURCE=FIELD, or give one value for every row with {hint}",
            code="missing_columns", fields=", ".join(missing))
    warnings = [f"columns {', '.join(repr(h) for h in hs)} all map to {name}; the first "
                "non-empty value of each row is used" for name, hs in sources.items()
                if len(hs) > 1]
    if ignored:
        warnings.append(f"{'column' if len(ignored) == 1 else 'columns'} not imported "
                        "(no matching field): "
                        + shorten_list([repr(h) for h in ignored]))
    replacements = {_check_field(k, "a replacement"): dict(v)
                    for k, v in mapping.replacements.items()}
    return ResolvedColumns({k: tuple(v) for k, v in sources.items()}, constants,
                           tuple(ignored), tuple(warnings), replacements)
