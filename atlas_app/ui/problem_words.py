"""The staff's words for what the core reports by code: upload problems and the errors
that stop an upload. The one place the UI words them (the CLI has its own English)."""

from __future__ import annotations

from atlas_app.errors import AtlasError
from atlas_app.i18n import N_, Translator, language_name_in
from atlas_app.intake.reader import RawTable
from atlas_app.intake.validation import PROBLEM_CODES

# One line per code of validation.PROBLEM_CODES; test_i18n checks none is missing.
PROBLEM_WORDS = {
    "row": N_("the row could not be read"),
    "too_long": N_("a value is longer than its field allows"),
    "required": N_("a required field is empty"),
    "bad_id": N_("the id is not a positive whole number"),
    "bad_website": N_("the website is not an http(s) address"),
    "website_check": N_("the website was completed: check it"),
    "bad_email": N_("the e-mail address is malformed"),
    "bad_postcode": N_("the postcode is not a postal code"),
    "postcode_in_city": N_("the postcode was taken out of the city"),
    "unknown_kind": N_("the kind is neither support nor solution"),
    "unknown_sector": N_("the sector is not in the taxonomy"),
    "unknown_country": N_("the country is not recognised"),
    "outside_europe": N_("the country is outside Europe"),
    "unknown_status": N_("the status is not published, pending or archived"),
    "bad_datetime": N_("a date is not ISO 8601"),
    "tag_too_long": N_("a keyword is too long"),
    "not_a_number": N_("a coordinate is not a number"),
    "out_of_range": N_("coordinates are out of range"),
    "null_island": N_("coordinates are 0, 0"),
    "half_coordinates": N_("only one coordinate is given"),
    "unknown_value": N_("a location field has an unknown value"),
    "id_taken": N_("the id is already in the registry"),
    "id_repeated": N_("the id repeats another row's"),
    "duplicate_in_registry": N_("possible duplicate of a registry organisation"),
    "duplicate_in_file": N_("possible duplicate of another row of the file"),
    "coordinates_swapped": N_("latitude and longitude were swapped and corrected"),
    "outside_country": N_("the coordinates are outside the declared country"),
    "not_located": N_("the place could not be located"),
}
assert set(PROBLEM_WORDS) == set(PROBLEM_CODES), "word every problem code"

# What happens to the row, by severity and code.
OUTCOME_WORDS = {"error": N_("row rejected"), "warning": N_("row kept")}
DROPPED = frozenset({"bad_website", "bad_email", "bad_postcode"})

ERROR_WORDS = {
    "repeat_upload": N_("This file was already imported as upload #{id} ({file}, {rows} "
                        "rows). Tick “import it again” to import it once more."),
    "missing_columns": N_("The file has no column for: {fields}. Choose a column or a "
                          "value for each above."),
    # The reader's (intake/reader.py): the file cannot be read at all.
    "too_big": N_("The file is {size} MB; the limit is {limit} MB. Split it into smaller "
                  "files and upload them one by one."),
    "zip_archive": N_("This is a ZIP archive, not a CSV, GeoJSON or .xlsx file: extract it "
                      "and upload the file inside."),
    "xlsx_extension": N_("This is an Excel workbook saved with the extension “{extension}”: "
                         "upload it as .xlsx or save it as CSV UTF-8."),
    "old_xls": N_("This is an old Excel .xls workbook: save it as .xlsx or CSV UTF-8."),
    "damaged_utf16": N_("The file starts like UTF-16 but is damaged: save it again as CSV "
                        "UTF-8."),
    "binary_file": N_("This looks like a binary file, not text: save it as CSV UTF-8 and "
                      "upload that."),
    "same_header": N_("Columns {first} and {second} have the same name (“{header}”): rename "
                      "or remove one of them."),
    "too_many_rows": N_("The file has more than {limit} rows, the limit: split it into "
                        "smaller files and upload them one by one."),
    "broken_quoting": N_("Broken quoting from line {line}: a double quote opens a value that "
                         "never closes. Close the quote or remove it; nothing was imported."),
    "no_rows": N_("The file has no data rows: nothing was imported."),
    "header_only": N_("The file has only a header line, no data rows: nothing was imported."),
    "json_too_deep": N_("The JSON is nested too deeply to be GeoJSON: export the file again "
                        "from its source."),
    "bad_json": N_("This is not valid JSON (line {line}, column {column})."),
    "not_geojson": N_("Expected a GeoJSON FeatureCollection (RFC 7946), instead got: "
                      "“{got}”."),
    "no_features": N_("The GeoJSON FeatureCollection is empty: nothing was imported."),
    "swollen_xlsx": N_("This workbook expands to {size} MB of XML: open it in a spreadsheet "
                       "program, delete the empty rows and columns and save it again (or save "
                       "it as CSV UTF-8)."),
    "bad_xlsx": N_("This Excel workbook cannot be read ({detail})."),
    "too_many_columns": N_("The first sheet uses {columns} columns; the atlas reads at most "
                           "{limit}. Delete the empty or extra columns on the right and save "
                           "again."),
    "sheet_too_long": N_("The first sheet goes on beyond the limit of {limit} rows (blank rows "
                         "included): delete the empty rows under the data and save again, or "
                         "split the file."),
    "row_too_wide": N_("Row {row} has cells beyond column {limit}: the atlas reads at most "
                       "that many columns; delete the others."),
    "empty_sheet": N_("The first sheet has no rows under its header: nothing was imported."),
}


SEPARATOR_WORDS = {",": N_("comma-separated"), ";": N_("semicolon-separated"),
                   "\t": N_("tab-separated"), "|": N_("pipe-separated"),
                   "\x1f": N_("single-column")}
# What the reader falls back to, with a warning (its only one).
FALLBACK_ENCODINGS = ("Windows-1252", "ISO-8859-1")


def describe_table(table: RawTable, _: Translator) -> str:
    """``CSV, Windows-1252, semicolon-separated, 4 data rows`` in the page's language."""
    parts = [table.format.upper()] + ([table.encoding] if table.encoding else [])
    if table.separator:
        parts.append(_(SEPARATOR_WORDS.get(table.separator, table.separator)))
    return ", ".join(parts) + ", " + _.ngettext("{rows} data row", "{rows} data rows",
                                                len(table.rows), rows=_.number(len(table.rows)))


def read_notes(table: RawTable, _: Translator) -> list[str]:
    """What reading the file noticed, in the page's language."""
    if table.encoding in FALLBACK_ENCODINGS and table.warnings:
        return [_("The file is not UTF-8: it was read as {encoding}. Check that accents look "
                  "right, or save it as “CSV UTF-8”.", encoding=table.encoding)]
    return list(table.warnings)


# The fields' names as the staff read them, in the edit form and the problem tables (the
# file's column names stay in the mapping step, where they are what the file calls them).
FIELD_WORDS = {
    "name": N_("Name"), "website": N_("Website"), "email": N_("E-mail"),
    "kind": N_("Kind"), "sector": N_("Sector"), "tags": N_("Keywords (separated by ;)"),
    "legal_form": N_("Legal form"), "country": N_("Country"), "city": N_("City"),
    "postcode": N_("Postcode"), "address": N_("Address"), "latitude": N_("Latitude"),
    "longitude": N_("Longitude"), "source": N_("Source"),
}


def field_words(field: str | None, _: Translator) -> str:
    """A field's name in the page's language (``country`` → Pays); a field without a
    name of its own keeps its id."""
    if not field:
        return ""
    if field.startswith("description_"):
        return _("Description ({language})",
                 language=language_name_in(field.removeprefix("description_"), _.lang))
    return _(FIELD_WORDS[field]) if field in FIELD_WORDS else field


def problem_rows(problems, _: Translator) -> list[dict]:
    """The problems as table rows in the UI language (details stay as the core wrote)."""
    rows = []
    for p in problems:
        outcome = _(OUTCOME_WORDS.get(p.severity, p.severity))
        if p.severity == "warning" and p.code in DROPPED:
            outcome = _("value left out, row kept")
        rows.append({_("line"): p.line, _("field"): field_words(p.field, _), _("value"): p.value,
                     _("problem"): _(PROBLEM_WORDS.get(p.code, p.code)),
                     _("outcome"): outcome, _("details"): f"{p.message} — {p.fix}",
                     "code": p.code})
    return rows


def error_message(exc: AtlasError, _: Translator) -> str:
    """An error that stops an upload or a review action, worded by its code when it has
    one."""
    code = getattr(exc, "code", None)
    if code == "unclassified":
        count = exc.params["count"]
        return _.ngettext(
            "Nothing was published: {count} organisation has no sector or no kind yet "
            "({ids}). Classify it first: choose a sector and a kind above and apply them.",
            "Nothing was published: {count} organisations have no sector or no kind yet "
            "({ids}). Classify them first: choose a sector and a kind above and apply them.",
            count, count=_.number(count), ids=exc.params["ids"])
    if code in ERROR_WORDS:
        params = {k: _.number(v) if isinstance(v, (int, float)) and k != "id" else v
                  for k, v in getattr(exc, "params", {}).items()}
        return _(ERROR_WORDS[code], **params)
    return str(exc)
