"""Turn one row of text cells into a clean organisation record, or say exactly what is wrong.

Pure functions: text in, values and problems out. Used by file imports and, later, by the
staff forms, so that every way into the registry applies the same rules.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from atlas_app.places.countries import EUROPE, country_name, resolve_country, suggest_country
from atlas_app.registry.schema import (
    DESCRIPTION_FIELDS,
    FIELD_BY_NAME,
    KIND_SYNONYMS,
    KINDS,
    LOCATION_SOURCES,
    PRECISIONS,
    STATUSES,
    Taxonomy,
)
from atlas_app.text import FORMULA_TRIGGERS, fold

MULTILINE_FIELDS = {*DESCRIPTION_FIELDS, "address"}
WEBSITE_RULE = "website must be an http:// or https:// address"
TAG_LIMIT = 60

_BARE_DOMAIN = re.compile(r"^(?:www\.)?[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9-]+)*"
                          r"\.[a-z]{2,}(?::\d+)?(?:/\S*)?$", re.IGNORECASE)
_HOSTNAME = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$")
_EMAIL = re.compile(r"^[^@\s<>\"'(),;:]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}$", re.IGNORECASE)
# A postal code: letters, digits, spaces and hyphens, with at least one digit (every
# European code has one: 75011, 1010, SW1A 1AA, D02 X285, VLT 1117, 00-950).
_POSTCODE = re.compile(r"^(?=.*\d)[A-Z0-9][A-Z0-9 -]{1,9}$", re.IGNORECASE)
# A postcode written in the city cell, before or after the name: "75011 Paris",
# "F-75011 Paris", "00-950 Warszawa", "114 55 Stockholm", "Paris 75011".
_CITY_POSTCODE = (
    re.compile(r"^(?P<postcode>(?:[A-Z]{1,2}-)?\d{2,5}(?:[ -]\d{2,4})?)[\s,]+(?P<city>\D.*)$"),
    re.compile(r"^(?P<city>\D.*?)[\s,]+\(?(?P<postcode>(?:[A-Z]{1,2}-)?\d{4,5})\)?$"),
)
# Optional fields whose invalid value can be dropped while the row is kept.
OPTIONAL_CHECKED = ("website", "email", "postcode")
_KIND_BY_WORD = {fold(w): kind for kind, words in KIND_SYNONYMS.items() for w in words}


# Every problem an import or a form can report, by its stable code. Surfaces choose and
# word problems by code (never by their English text); adding a check adds a line here.
PROBLEM_CODES = {
    "row": "the row could not be read",
    "too_long": "a value is longer than its field allows",
    "required": "a required field is empty",
    "bad_id": "the id is not a positive whole number",
    "bad_website": "the website is not an http(s) address",
    "website_check": "the website was completed and should be checked",
    "bad_email": "the e-mail address is malformed",
    "bad_postcode": "the postcode is not a postal code",
    "postcode_in_city": "the postcode was taken out of the city",
    "unknown_kind": "the kind is neither support nor solution",
    "unknown_sector": "the sector is not in the taxonomy",
    "unknown_country": "the country is not recognised",
    "outside_europe": "the country is outside Europe",
    "unknown_status": "the status is not published, pending or archived",
    "bad_datetime": "a date is not ISO 8601",
    "tag_too_long": "a keyword is too long",
    "not_a_number": "a coordinate is not a number",
    "out_of_range": "coordinates are out of range",
    "null_island": "coordinates are 0, 0",
    "half_coordinates": "only one coordinate is given",
    "unknown_value": "a location field has an unknown value",
    "id_taken": "the id is already in the registry",
    "id_repeated": "the id repeats another row's",
    "duplicate_in_registry": "possible duplicate of a registry organisation",
    "duplicate_in_file": "possible duplicate of another row of the file",
    "coordinates_swapped": "latitude and longitude were swapped and corrected",
    "outside_country": "the coordinates are outside the declared country",
    "not_located": "the place could not be located",
}
DUPLICATE_CODES = frozenset({"duplicate_in_registry", "duplicate_in_file"})


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or worth a look) in one row: where, which field, what, how to fix."""

    line: int
    field: str | None
    value: str
    message: str
    fix: str
    severity: str = "error"
    where: str = "line"
    ref: int | None = None  # the registry organisation a duplicate warning points at
    code: str = "row"  # stable: what the surfaces filter and translate by (PROBLEM_CODES)
    other: int | None = None  # the earlier line of the file a duplicate_in_file points at
    suggestion: str | None = None  # a value that would fix it, e.g. "CY" for "Cyprys"

    def describe(self) -> str:
        """``line 4, website 'javascript:x': website must be … — give the full address…``"""
        value = self.value if len(self.value) <= 60 else self.value[:57] + "…"
        where = f"{self.where} {self.line}" + (f", {self.field}" if self.field else "")
        shown = f" {value!r}" if self.value else ""
        return f"{where}{shown}: {self.message} — {self.fix}"

    def as_dict(self) -> dict[str, object]:
        return {"line": self.line, "where": self.where, "code": self.code, "field": self.field,
                "value": self.value, "message": self.message, "fix": self.fix,
                "severity": self.severity}


def clean_text(value: str, *, multiline: bool = False) -> str:
    """NFC-normalise and remove invisible trouble: bidi overrides, zero-width and control
    characters (newlines and tabs survive only in multi-line fields)."""
    text = value if value.isascii() else unicodedata.normalize("NFC", value)
    if text.isprintable():
        # The common case, fast: no control, format, private or surrogate character and
        # no whitespace but the plain space (isprintable() is False for all of those).
        return text.strip() if multiline or "  " not in text else " ".join(text.split())
    text = unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n"))
    kept = []
    for ch in text:
        category = unicodedata.category(ch)
        if ch in "\n\t":
            kept.append(ch if multiline else " ")
        elif category in ("Cc", "Cf", "Co", "Cs"):
            continue
        else:
            kept.append(ch)
    cleaned = "".join(kept)
    if not multiline:
        cleaned = re.sub(r"\s+", " ", cleaned)
    return cleaned.strip()


def unneutralise(value: str) -> str:
    """Undo our own export's formula guard: ``'=SUM(1)`` read back is ``=SUM(1)``."""
    if len(value) > 1 and value[0] == "'" and value[1] in FORMULA_TRIGGERS:
        return value[1:]
    return value


def normalise_website(raw: str) -> tuple[str | None, str | None, str | None]:
    """Return (url, error, warning). Only plain http(s) addresses with a real host pass."""
    value = raw.strip()
    if any(ch.isspace() or ch in "\"'<>\\`" or unicodedata.category(ch).startswith("C")
           for ch in value):
        return None, f"{WEBSITE_RULE} without spaces, quotes or angle brackets", None
    warning = None
    if not re.match(r"^https?://", value, re.IGNORECASE):
        if _BARE_DOMAIN.match(value) and not value.startswith("//"):
            value, warning = "https://" + value, f"no scheme given; read as https://{value}"
        else:
            return None, WEBSITE_RULE, None
    parts = urlsplit(value)
    if "@" in parts.netloc:
        return None, f"{WEBSITE_RULE}; a user name before '@' hides the real host", None
    host = (parts.hostname or "").rstrip(".")
    try:
        port_ok = parts.port is None or 0 < parts.port < 65536
    except ValueError:
        port_ok = False
    if not port_ok or not _HOSTNAME.match(host.encode("idna").decode("ascii")
                                          if _idna_ok(host) else "-"):
        return None, f"{WEBSITE_RULE} with a valid host name", None
    return parts._replace(scheme=parts.scheme.lower()).geturl(), None, warning


def _idna_ok(host: str) -> bool:
    try:
        host.encode("idna")
        return bool(host)
    except UnicodeError:
        return False


def parse_number(raw: str) -> float | None:
    """A decimal number; a lone decimal comma (``48,8566``) is accepted."""
    text = raw.strip().replace("\u2212", "-")
    if text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")
    try:
        number = float(text)
    except ValueError:
        return None
    return number if number == number and abs(number) != float("inf") else None


def parse_datetime(raw: str) -> dt.datetime | None:
    try:
        value = dt.datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(dt.timezone.utc)


class _RowChecker:
    """Collects the problems of one row while converting its cells."""

    def __init__(self, line: int, where: str) -> None:
        self.line, self.where = line, where
        self.problems: list[Problem] = []

    def error(self, code: str, field: str | None, value: str, message: str, fix: str) -> None:
        self.problems.append(Problem(self.line, field, value, message, fix, "error",
                                     self.where, code=code))

    def suggest(self, value: str) -> None:
        """Attach a fix to the problem just reported."""
        self.problems[-1] = replace(self.problems[-1], suggestion=value)

    def warn(self, code: str, field: str | None, value: str, message: str, fix: str) -> None:
        self.problems.append(Problem(self.line, field, value, message, fix, "warning",
                                     self.where, code=code))

    @property
    def ok(self) -> bool:
        return not any(p.severity == "error" for p in self.problems)


def validate_record(cells: dict[str, str], taxonomy: Taxonomy, *, line: int = 0,  # noqa: C901
                    where: str = "line", default_status: str = "published",
                    default_source: str | None = None,
                    drop_bad_optional: bool = False,
                    unclassified: frozenset[str] = frozenset()
                    ) -> tuple[dict | None, list[Problem]]:
    """Validate one row given as ``{field: text}``; return (record or None, problems).

    The record holds Python values (int, float, list, datetime, None for empty). It is
    None when any problem is an error; warnings never block a row. With
    ``drop_bad_optional`` an invalid website, e-mail or postcode is left out with a
    warning and the row is kept (imports); without it the row is refused (forms, where
    the person can correct it at once). The ``unclassified`` fields (kind, sector) may
    be empty: such a row waits for review, pending, whatever status it asked for.
    """
    chk = _RowChecker(line, where)
    optional = chk.warn if drop_bad_optional else chk.error
    dropped = "left out; the row is kept — add it later in the staff workspace"
    text: dict[str, str] = {}
    for name, raw in cells.items():
        spec = FIELD_BY_NAME.get(name)
        if spec is None:
            continue
        value = clean_text(unneutralise(raw or ""), multiline=name in MULTILINE_FIELDS)
        if spec.max_length and len(value) > spec.max_length:
            chk.error("too_long", name, value, f"is {len(value):,} characters long; the limit is "
                      f"{spec.max_length:,}", f"shorten the {name}")
            value = ""
        text[name] = value

    record: dict[str, object] = {}
    for name in ("name", *DESCRIPTION_FIELDS, "legal_form", "city",
                 "postcode", "address", "location_note"):
        record[name] = text.get(name) or None
    for name in ("kind", "sector", "country", "city", "name"):
        if not text.get(name) and name not in unclassified \
                and not any(p.field == name for p in chk.problems):
            chk.error("required", name, "", "is required and empty", f"fill in the {name}")

    record["id"] = None
    if text.get("id"):
        if re.fullmatch(r"\d{1,12}", text["id"]) and int(text["id"]) > 0:
            record["id"] = int(text["id"])
        else:
            chk.error("bad_id", "id", text["id"], "must be a positive whole number",
                      "leave id empty to let the registry number new organisations")

    record["website"] = None
    if text.get("website"):
        url, error, warning = normalise_website(text["website"])
        if error:
            optional("bad_website", "website", text["website"], error, dropped
                     if drop_bad_optional else "give the full address, e.g. "
                     "https://example.org, or leave it empty")
        elif warning:
            chk.warn("website_check", "website", text["website"], warning, "check the address")
        record["website"] = url

    record["email"] = None
    if text.get("email"):
        if _EMAIL.match(text["email"]):
            record["email"] = text["email"]
        else:
            optional("bad_email", "email", text["email"], "is not an e-mail address",
                     dropped if drop_bad_optional
                     else "write it as name@example.org, or leave it empty")

    _split_city_postcode(text, record, chk)
    if text.get("postcode") and not _POSTCODE.match(text["postcode"]):
        optional("bad_postcode", "postcode", text["postcode"], "is not a postal code",
                 dropped if drop_bad_optional else "write it like 75011, or leave it empty")
        record["postcode"] = None

    record["kind"] = None
    if text.get("kind"):
        record["kind"] = _KIND_BY_WORD.get(fold(text["kind"]))
        if record["kind"] is None:
            chk.error("unknown_kind", "kind", text["kind"], f"must be one of: {', '.join(KINDS)}",
                      "use support (helps with digital transition) or solution "
                      "(offers alternative digital tools)")

    record["sector"] = None
    if text.get("sector"):
        record["sector"] = taxonomy.resolve(text["sector"])
        if record["sector"] is None:
            chk.error("unknown_sector", "sector", text["sector"], "is not a sector of the taxonomy",
                      f"use one of: {', '.join(taxonomy.ids)}")

    record["tags"] = _parse_tags(text.get("tags", ""), chk)

    record["country"] = None
    if text.get("country"):
        code = resolve_country(text["country"])
        if code is None:
            guess = suggest_country(text["country"])
            hint = (f"did you mean {country_name(guess)} ({guess})?" if guess
                    else "use an ISO code such as FR or a country name such as France")
            chk.error("unknown_country", "country", text["country"], "is not a country we recognise", hint)
            if guess:
                chk.suggest(guess)
        else:
            record["country"] = code
            if code not in EUROPE:
                chk.warn("outside_europe", "country", text["country"], f"{code} is {country_name(code)}, "
                         "outside Europe", "check the country")

    _check_location(text, record, chk)

    record["status"] = default_status
    if text.get("status"):
        status = text["status"].lower()
        if status in STATUSES:
            record["status"] = status
        else:
            chk.error("unknown_status", "status", text["status"], f"must be one of: {', '.join(STATUSES)}",
                      "use published, pending or archived")
    record["source"] = text.get("source") or default_source
    if record["status"] == "published" and (record["kind"] is None or record["sector"] is None):
        record["status"] = "pending"  # never published unclassified

    for name in ("created_at", "updated_at"):
        record[name] = None
        if text.get(name):
            record[name] = parse_datetime(text[name])
            if record[name] is None:
                chk.error("bad_datetime", name, text[name], "is not a date and time",
                          "use ISO 8601, e.g. 2024-05-31T14:00:00Z, or leave it empty")
    return (record if chk.ok else None), chk.problems


def _split_city_postcode(text: dict[str, str], record: dict, chk: _RowChecker) -> None:
    """Take a postcode out of the city cell ("75011 Paris" → 75011, Paris), keeping a
    postcode the row gives in its own column."""
    city = text.get("city", "")
    if not any(ch.isdigit() for ch in city):
        return
    for pattern in _CITY_POSTCODE:
        found = pattern.match(city)
        if found:
            record["city"] = text["city"] = found["city"].strip(" ,")
            if not text.get("postcode"):
                record["postcode"] = text["postcode"] = found["postcode"]
            chk.warn("postcode_in_city", "city", city, f"read as city {record['city']!r} "
                     f"and postcode {found['postcode']!r}", "check the city")
            return


def _parse_tags(raw: str, chk: _RowChecker) -> list[str]:
    tags: list[str] = []
    seen: set[str] = set()
    for part in raw.split(";"):
        tag = part.strip()
        if not tag or fold(tag) in seen:
            continue
        if len(tag) > TAG_LIMIT:
            chk.error("tag_too_long", "tags", tag, f"a tag is {len(tag)} characters; the limit is {TAG_LIMIT}",
                      "shorten the tag or separate tags with ';'")
            continue
        seen.add(fold(tag))
        tags.append(tag)
    return tags


def _check_location(text: dict[str, str], record: dict, chk: _RowChecker) -> None:
    lat_raw, lon_raw = text.get("latitude", ""), text.get("longitude", "")
    lat = parse_number(lat_raw) if lat_raw else None
    lon = parse_number(lon_raw) if lon_raw else None
    record["latitude"] = record["longitude"] = None
    usable = False
    if lat_raw and lat is None:
        chk.error("not_a_number", "latitude", lat_raw, "is not a number", "write it like 48.8566")
    if lon_raw and lon is None:
        chk.error("not_a_number", "longitude", lon_raw, "is not a number", "write it like 2.3522")
    if lat is not None and lon is not None:
        if not (-90 <= lat <= 90) or not (-180 <= lon <= 180):
            swapped = -90 <= lon <= 90 and -180 <= lat <= 180
            chk.error("out_of_range", "latitude", f"{lat_raw}, {lon_raw}",
                      "latitude must be within -90..90 and longitude within -180..180",
                      "latitude and longitude look swapped — swap them" if swapped
                      else "check the coordinates, or leave both empty to locate by city")
        elif lat == 0 and lon == 0:
            chk.error("null_island", "latitude", f"{lat_raw}, {lon_raw}", "0, 0 is in the Gulf of Guinea, "
                      "a usual placeholder", "leave both empty to locate by city")
        else:
            usable = True
            record["latitude"], record["longitude"] = round(lat, 7), round(lon, 7)
    elif bool(lat_raw) != bool(lon_raw):  # one given, the other empty (not merely invalid)
        chk.error("half_coordinates", "longitude" if lat_raw else "latitude", "", "is empty while the other "
                  "coordinate is given", "give both latitude and longitude, or neither")

    precision, source = text.get("location_precision", "").lower(), \
        text.get("location_source", "").lower()
    for name, value, allowed in (("location_precision", precision, PRECISIONS),
                                 ("location_source", source, LOCATION_SOURCES)):
        if value and value not in allowed:
            chk.error("unknown_value", name, value, f"must be one of: {', '.join(allowed)}",
                      "leave it empty to let the registry decide")
    if usable:
        record["location_precision"] = precision if precision in PRECISIONS and \
            precision != "none" else "exact"
        record["location_source"] = source if source in LOCATION_SOURCES and \
            source != "none" else "provided"
        record["geocode_status"] = "located"
    else:
        record["location_precision"] = "none"
        record["location_source"] = "none"
        record["geocode_status"] = "todo"
