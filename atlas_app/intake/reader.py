"""Read uploaded files (CSV, GeoJSON, Excel .xlsx) into raw text rows with line numbers.

The only module that parses file bytes. Everything is read as text: ``01000`` stays
``01000`` and ``NA`` stays ``NA``; only an empty cell is missing.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from atlas_app.errors import FileReadError
from atlas_app.text import counted, normalise_header

SEPARATORS = (",", ";", "\t", "|")
SEPARATOR_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe",
                   "\x1f": "single-column"}
# A header without any separator means a one-column file: split on nothing that can
# appear in it (the ASCII unit separator), so a comma inside a value stays in the value.
SINGLE_COLUMN = "\x1f"


@dataclass
class RawRow:
    """One record as read: where it starts in the file, and its cells by header."""

    line: int
    cells: dict[str, str]
    problem: str | None = None
    where: str = "line"

    @property
    def label(self) -> str:
        return f"{self.where} {self.line}"


@dataclass
class RawTable:
    """A file's header and rows, and how it was read."""

    format: str
    headers: list[str]
    rows: list[RawRow]
    encoding: str | None = None
    separator: str | None = None
    warnings: list[str] = field(default_factory=list)

    def describe(self) -> str:
        parts = [self.format.upper()]
        if self.encoding:
            parts.append(self.encoding)
        if self.separator:
            parts.append(f"{SEPARATOR_NAMES[self.separator]}-separated")
        return ", ".join(parts) + ", " + counted(len(self.rows), "data row")


def _mb(n: int) -> str:
    return f"{n / 1_048_576:.1f} MB"


def check_size(size: int, max_bytes: int) -> None:
    if size > max_bytes:
        raise FileReadError(
            f"the file is {_mb(size)}; the limit is {_mb(max_bytes)} — "
            "split it into smaller files and import them one by one",
            "too_big", size=round(size / 1_048_576, 1), limit=round(max_bytes / 1_048_576, 1))


def read_bytes(data: bytes, filename: str, *, max_bytes: int, max_rows: int) -> RawTable:
    """Detect the format of ``data`` and read it; raises FileReadError when unreadable."""
    check_size(len(data), max_bytes)
    suffix = Path(filename).suffix.lower()
    if data.startswith(b"PK\x03\x04"):
        if not _is_xlsx(data):
            raise FileReadError("this is a ZIP archive, not a CSV, GeoJSON or .xlsx file — "
                                "extract it and import the file inside", "zip_archive")
        if suffix != ".xlsx":
            raise FileReadError(f"this is an Excel workbook saved with a {suffix or 'missing'} "
                                "extension — import it as .xlsx or save it as CSV UTF-8",
                                "xlsx_extension", extension=suffix or "—")
        return _read_xlsx(data, max_rows)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileReadError("this is an old Excel .xls workbook — save it as .xlsx or CSV UTF-8",
                            "old_xls")
    text, encoding, warnings = decode_text(data)
    if suffix in (".geojson", ".json") or text.lstrip()[:1] == "{":
        table = _read_geojson(text, max_rows)
    else:
        table = _read_csv(text, max_rows)
    table.encoding = encoding
    table.warnings[:0] = warnings
    return table


def _is_xlsx(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return any(n.startswith("xl/") for n in zf.namelist())
    except zipfile.BadZipFile:
        return False


def decode_text(data: bytes) -> tuple[str, str, list[str]]:
    """Decode bytes: BOMs first, then UTF-8, then Windows-1252 with a warning."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "UTF-8 (with BOM)", []
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "UTF-16", []
        except UnicodeDecodeError as exc:
            raise FileReadError(f"the file starts like UTF-16 but is damaged ({exc.reason}) — "
                                "save it again as CSV UTF-8", "damaged_utf16") from None
    if b"\x00" in data[:65536]:
        raise FileReadError("this looks like a binary file (it contains NUL bytes) — "
                            "save it as CSV UTF-8 and import that", "binary_file")
    try:
        return data.decode("utf-8"), "UTF-8", []
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
        encoding = "Windows-1252"
    except UnicodeDecodeError:
        text = data.decode("latin-1")
        encoding = "ISO-8859-1"
    return text, encoding, [
        f"the file is not UTF-8; it was read as {encoding} (Excel's usual export) — "
        "check that accents look right, or save it as CSV UTF-8"]


def detect_separator(text: str) -> str:
    """The separator that occurs most often, outside quotes, in the first non-blank line."""
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    counts = dict.fromkeys(SEPARATORS, 0)
    in_quotes = False
    for ch in first:
        if ch == '"':
            in_quotes = not in_quotes
        elif not in_quotes and ch in counts:
            counts[ch] += 1
    best = max(SEPARATORS, key=lambda s: counts[s])
    return best if counts[best] else SINGLE_COLUMN


def _clean_header(raw: str, position: int) -> str:
    header = raw.replace("\ufeff", "").strip()
    return header or f"column {position}"


def _check_headers(headers: list[str]) -> None:
    seen: dict[str, int] = {}
    for pos, header in enumerate(headers, start=1):
        key = normalise_header(header)
        if key in seen:
            first = seen[key]
            raise FileReadError(
                f"columns {first} ({headers[first - 1]!r}) and {pos} ({header!r}) have the "
                "same name — rename or remove one of them", "same_header", first=first,
                second=pos, header=header)
        seen[key] = pos


def _check_row_count(n: int, max_rows: int) -> None:
    if n > max_rows:
        raise FileReadError(f"the file has more than {max_rows:,} rows, the limit — "
                            "split it into smaller files and import them one by one",
                            "too_many_rows", limit=max_rows)


def _read_csv(text: str, max_rows: int) -> RawTable:
    if text.count("\n") > max_rows + 1:
        # A cheap upper bound before parsing: quoted newlines only make it larger.
        _check_row_count(sum(1 for ln in text.splitlines() if ln.strip()) - 1, max_rows)
    separator = detect_separator(text)
    delimiter = separator
    if separator == SINGLE_COLUMN:
        delimiter = next((chr(c) for c in range(0x1f, 0, -1) if chr(c) not in text
                          and chr(c) not in "\n\r\t"), SINGLE_COLUMN)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    headers: list[str] | None = None
    rows: list[RawRow] = []
    line = start = 1
    try:
        for record in reader:
            line, start = start, reader.line_num + 1
            if not any(cell.strip() for cell in record):
                continue
            if headers is None:
                headers = [_clean_header(h, i) for i, h in enumerate(record, start=1)]
                _check_headers(headers)
                continue
            if len(record) != len(headers):
                if len(record) > len(headers):
                    hint = "unquoted separator in a value? Put the value in double quotes"
                else:
                    hint = "missing values? Add the missing separators"
                problem = (f"{len(record)} fields instead of {len(headers)} — {hint}")
                rows.append(RawRow(line, {}, problem))
            else:
                rows.append(RawRow(line, dict(zip(headers, record))))
            _check_row_count(len(rows), max_rows)
    except csv.Error as exc:
        raise FileReadError(f"broken quoting starting at line {start}: a double quote opens a "
                            f"value that never closes ({exc}) — close the quote or remove it; "
                            "nothing was imported", "broken_quoting", line=start) from None
    if headers is None or not rows:
        raise FileReadError("the file has no data rows" + ("" if headers is None else
                            " (only a header line)") + " — nothing was imported",
                            "no_rows" if headers is None else "header_only")
    return RawTable("csv", headers, rows, separator=separator)


def _cell_text(value: object) -> str:
    """Render a JSON or spreadsheet value as the text a person typed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, list):
        return ";".join(_cell_text(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _read_geojson(text: str, max_rows: int) -> RawTable:
    try:
        return _geojson_table(text, max_rows)
    except RecursionError:
        raise FileReadError("the JSON is nested too deeply to be GeoJSON (objects inside "
                            "objects thousands of levels down) — export the file again from "
                            "its source", "json_too_deep") from None


def _geojson_table(text: str, max_rows: int) -> RawTable:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FileReadError(f"not valid JSON: {exc.msg} at line {exc.lineno}, "
                            f"column {exc.colno}", "bad_json", line=exc.lineno,
                            column=exc.colno) from None
    if isinstance(doc, dict) and doc.get("type") == "Feature":
        doc = {"type": "FeatureCollection", "features": [doc]}
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection" \
            or not isinstance(doc.get("features"), list):
        got = doc.get("type") if isinstance(doc, dict) else type(doc).__name__
        raise FileReadError("expected a GeoJSON FeatureCollection (RFC 7946), "
                            f"instead got: {got!r}", "not_geojson", got=str(got))
    features = doc["features"]
    _check_row_count(len(features), max_rows)
    headers: dict[str, None] = {}
    rows: list[RawRow] = []
    for number, feature in enumerate(features, start=1):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            rows.append(RawRow(number, {}, "not a GeoJSON Feature", where="feature"))
            continue
        props = feature.get("properties") or {}
        if not isinstance(props, dict):
            rows.append(RawRow(number, {}, "properties must be an object", where="feature"))
            continue
        cells = {str(k).strip(): _cell_text(v) for k, v in props.items()}
        problem = None
        geometry = feature.get("geometry")
        if geometry is not None:
            coords = geometry.get("coordinates") if isinstance(geometry, dict) else None
            if not isinstance(geometry, dict) or geometry.get("type") != "Point":
                kind = geometry.get("type") if isinstance(geometry, dict) else geometry
                problem = (f"geometry is {kind!r}; only a Point or null geometry can be "
                           "imported — give the organisation's location as a Point")
            elif (not isinstance(coords, list) or len(coords) < 2
                  or not all(isinstance(c, (int, float)) for c in coords[:2])):
                problem = ("Point coordinates must be [longitude, latitude] numbers, "
                           f"instead got: {coords!r}")
            else:
                cells["longitude"], cells["latitude"] = _cell_text(coords[0]), _cell_text(coords[1])
        for key in cells:
            headers.setdefault(key, None)
        rows.append(RawRow(number, cells, problem, where="feature"))
    if not rows:
        raise FileReadError("the file has no data rows (the FeatureCollection is empty) — "
                            "nothing was imported", "no_features")
    # Keys of different features may differ only in case ('organic', 'Organic'): each
    # feature's keys are unique by JSON, so the union is not checked for duplicates.
    return RawTable("geojson", list(headers), rows)


# A workbook is a zip of XML: these bounds keep a small file from expanding into gigabytes
# (an "xlsx bomb") or from making the reader walk millions of blank rows or columns.
XLSX_MAX_RATIO = 100            # expanded / compressed size of any one part
XLSX_MAX_EXPANDED = 200 * 1024 * 1024
XLSX_MAX_COLUMNS = 1000
XLSX_BLANK_ALLOWANCE = 1000     # blank rows read beyond the row limit before giving up


def _check_xlsx_archive(data: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        parts = zf.infolist()
    expanded = sum(p.file_size for p in parts)
    swollen = [p for p in parts if p.file_size > 1_048_576
               and p.file_size > XLSX_MAX_RATIO * max(p.compress_size, 1)]
    if swollen or expanded > XLSX_MAX_EXPANDED:
        raise FileReadError(
            f"this workbook expands to {_mb(expanded)} of XML from {_mb(len(data))}"
            + (f" ({swollen[0].filename} is over {XLSX_MAX_RATIO} times its packed size)"
               if swollen else "")
            + " — open it in a spreadsheet program, delete empty rows and columns, and save "
              "it again (or save it as CSV UTF-8)", "swollen_xlsx",
            size=round(expanded / 1_048_576, 1))


def _read_xlsx(data: bytes, max_rows: int) -> RawTable:
    from openpyxl import load_workbook

    _check_xlsx_archive(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for damaged files
        raise FileReadError(f"cannot read this Excel workbook: {exc}", "bad_xlsx",
                            detail=str(exc)) from None
    sheet = workbook.worksheets[0]
    if (sheet.max_column or 0) > XLSX_MAX_COLUMNS:  # the used range the file declares
        workbook.close()
        raise FileReadError(f"the first sheet uses {sheet.max_column:,} columns; the atlas "
                            f"reads at most {XLSX_MAX_COLUMNS:,} — delete the empty or extra "
                            "columns on the right and save again", "too_many_columns",
                            columns=sheet.max_column, limit=XLSX_MAX_COLUMNS)
    headers: list[str] | None = None
    rows: list[RawRow] = []
    for number, values in enumerate(sheet.iter_rows(values_only=True,
                                                    max_col=XLSX_MAX_COLUMNS + 1), start=1):
        if number > max_rows + XLSX_BLANK_ALLOWANCE:
            raise FileReadError(
                f"the first sheet goes on past row {number - 1:,} (blank rows included), "
                f"beyond the limit of {max_rows:,} rows — delete the empty rows under the "
                "data and save again, or split the file", "sheet_too_long", limit=max_rows)
        cells = [_cell_text(v) for v in values]
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > XLSX_MAX_COLUMNS and cells[XLSX_MAX_COLUMNS].strip():
            raise FileReadError(f"row {number} has cells beyond column {XLSX_MAX_COLUMNS:,} — "
                                "the atlas reads at most that many columns; delete the others",
                                "row_too_wide", row=number, limit=XLSX_MAX_COLUMNS)
        cells = cells[:XLSX_MAX_COLUMNS]
        if headers is None:
            while cells and not cells[-1].strip():
                cells.pop()
            headers = [_clean_header(h, i) for i, h in enumerate(cells, start=1)]
            _check_headers(headers)
            continue
        extra = [c for c in cells[len(headers):] if c.strip()]
        if extra:
            rows.append(RawRow(number, {}, f"{len(headers) + len(extra)} filled cells but only "
                               f"{len(headers)} columns have a header — add a header"))
        else:
            cells += [""] * (len(headers) - len(cells))
            rows.append(RawRow(number, dict(zip(headers, cells[:len(headers)]))))
        _check_row_count(len(rows), max_rows)
    workbook.close()
    if headers is None or not rows:
        raise FileReadError("the file has no data rows (the first sheet has no rows under "
                            "its header) — nothing was imported", "empty_sheet")
    return RawTable("xlsx", headers, rows)
