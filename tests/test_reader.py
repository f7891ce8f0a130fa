"""Reading real-world files: encodings, separators, quoting, limits (HOSTILE_INPUTS 10-21)."""

from __future__ import annotations

import io
import json

import pytest

from atlas_app.errors import FileReadError
from atlas_app.intake.reader import detect_separator, read_bytes

LIMITS = {"max_bytes": 1_000_000, "max_rows": 1000}


def read(data: bytes, name: str = "upload.csv", **limits):
    return read_bytes(data, name, **{**LIMITS, **limits})


def test_utf8_bom_is_not_part_of_the_first_header():
    table = read("\ufeffname,city\nLab,Paris\n".encode("utf-8"))
    assert table.headers == ["name", "city"]
    assert table.rows[0].cells == {"name": "Lab", "city": "Paris"}
    assert table.encoding == "UTF-8 (with BOM)"


def test_windows_1252_semicolon_crlf_from_french_excel():
    data = "nom;ville;pays\r\nCafé Numérique;Orléans;France\r\n".encode("cp1252")
    table = read(data)
    assert table.separator == ";"
    assert table.encoding == "Windows-1252"
    assert table.rows[0].cells == {"nom": "Café Numérique", "ville": "Orléans", "pays": "France"}
    assert any("Windows-1252" in w for w in table.warnings)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_bom_is_decoded(encoding):
    text = "name\tcity\nŁódź Lab\tŁódź\n"
    data = text.encode(encoding)
    if encoding != "utf-16":
        data = ("\ufeff" + text).encode(encoding)
    table = read(data)
    assert table.separator == "\t"
    assert table.rows[0].cells["city"] == "Łódź"


def test_nul_bytes_without_bom_are_a_binary_file():
    with pytest.raises(FileReadError, match="binary file.*CSV UTF-8"):
        read(b"name,city\x00\x00\x01\x02")


def _xlsx_bytes(rows):
    from openpyxl import Workbook

    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def test_xlsx_renamed_csv_is_named_as_a_workbook():
    data = _xlsx_bytes([["name", "city"], ["Lab", "Paris"]])
    with pytest.raises(FileReadError, match="this is an Excel workbook"):
        read(data, "export.csv")


def test_xlsx_is_read_as_text_cells():
    data = _xlsx_bytes([["name", "postcode", "city"], ["Lab", "01000", "Bourg"], ["B", 75001, "Paris"]])
    table = read(data, "orgs.xlsx")
    assert table.format == "xlsx"
    assert [r.cells["postcode"] for r in table.rows] == ["01000", "75001"]
    assert [r.line for r in table.rows] == [2, 3]


def test_unquoted_separator_reports_that_line_only():
    data = b"name,city,country,kind,sector\nA,Paris,FR,support,health\nB,Lyon, big,FR,support,health\nC,Nice,FR,support,health\n"
    table = read(data)
    assert [r.cells.get("name") for r in table.rows] == ["A", None, "C"]
    bad = table.rows[1]
    assert bad.line == 3
    assert "6 fields instead of 5" in bad.problem and "unquoted separator" in bad.problem
    assert table.rows[2].cells == {"name": "C", "city": "Nice", "country": "FR",
                                   "kind": "support", "sector": "health"}


def test_short_row_is_reported_not_padded():
    table = read(b"name,city,country\nA,Paris,FR\nB,Lyon\n")
    assert table.rows[1].line == 3
    assert table.rows[1].cells == {}
    assert "2 fields instead of 3" in table.rows[1].problem


def test_unclosed_quote_names_the_line_where_it_starts():
    data = b'name,city\nA,Paris\nB,"Lyon\nC,Nice\nD,Metz\n'
    with pytest.raises(FileReadError, match="broken quoting starting at line 3"):
        read(data)


def test_quoted_newlines_and_doubled_quotes_keep_later_line_numbers():
    data = b'name,description\nA,"one\ntwo ""quoted"" three"\nB,plain\n'
    table = read(data)
    assert table.rows[0].cells["description"] == 'one\ntwo "quoted" three'
    assert [r.line for r in table.rows] == [2, 4]


@pytest.mark.parametrize("header", [b"name,city,name", b"name,city,City "])
def test_duplicate_headers_are_rejected_naming_both(header):
    with pytest.raises(FileReadError, match=r"columns (1|2) .* and 3 .* same name"):
        read(header + b"\nA,Paris,B\n")


@pytest.mark.parametrize("data", [b"", b"name,city\n", b"\n\n  \n", b"name,city\n\n\n"])
def test_no_data_rows(data):
    with pytest.raises(FileReadError, match="no data rows"):
        read(data)


def test_over_the_size_limit_is_refused_before_parsing():
    with pytest.raises(FileReadError, match=r"limit is .* split it"):
        read(b"name\n" + b"x\n" * 600, max_bytes=1000)


def test_over_the_row_limit_is_refused_with_a_hint():
    with pytest.raises(FileReadError, match="more than 10 rows.*split"):
        read(b"name\n" + b"x\n" * 50, max_rows=10)


def test_values_stay_text_na_and_leading_zeros():
    table = read(b"name,country,postcode,id\nNamibia Lab,NA,01000,007\nX,None,NULL,N/A\n")
    assert table.rows[0].cells == {"name": "Namibia Lab", "country": "NA", "postcode": "01000",
                                   "id": "007"}
    assert table.rows[1].cells["country"] == "None"


@pytest.mark.parametrize("line, sep", [("a,b,c", ","), ("a;b;c", ";"), ("a\tb\tc", "\t"),
                                       ('"a;x",b,c', ","), ("a|b", "|"), ("single", "\x1f")])
def test_detect_separator(line, sep):
    assert detect_separator(line + "\n1,2,3") == sep


def test_geojson_points_and_null_geometry():
    doc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [2.35, 48.85]},
         "properties": {"name": "A", "tags": ["x", "y"], "n": 3}},
        {"type": "Feature", "geometry": None, "properties": {"name": "B"}},
        {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": []},
         "properties": {"name": "C"}},
    ]}
    table = read(json.dumps(doc).encode(), "x.geojson")
    first, second, third = table.rows
    assert first.cells == {"name": "A", "tags": "x;y", "n": "3", "longitude": "2.35",
                           "latitude": "48.85"}
    assert first.label == "feature 1"
    assert "latitude" not in second.cells and second.problem is None
    assert "only a Point or null geometry" in third.problem


@pytest.mark.parametrize("data, message", [
    (b"{not json", "not valid JSON"),
    (b'{"type": "Topology"}', "expected a GeoJSON FeatureCollection"),
    (b'{"type": "FeatureCollection", "features": []}', "no data rows"),
])
def test_bad_geojson(data, message):
    with pytest.raises(FileReadError, match=message):
        read(data, "x.geojson")


def test_a_one_column_file_keeps_commas_in_its_values():
    table = read(b"name\nA, the lab\n0,\n")
    assert [r.cells for r in table.rows] == [{"name": "A, the lab"}, {"name": "0,"}]
    assert "single-column" in table.describe()


def _with_sheet(data: bytes, sheet_xml: bytes) -> bytes:
    """The workbook ``data`` with its first sheet's XML replaced (how bombs are made)."""
    import zipfile

    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for item in source.infolist():
            zf.writestr(item.filename, sheet_xml if item.filename == "xl/worksheets/sheet1.xml"
                        else source.read(item.filename))
    return out.getvalue()


SHEET = (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
         b'<sheetData>%s</sheetData></worksheet>')


def _cells(row: int, *values: str) -> bytes:
    return (f'<row r="{row}">' + "".join(f'<c t="inlineStr"><is><t>{v}</t></is></c>'
                                         for v in values) + "</row>").encode()


def test_an_xlsx_bomb_is_refused_before_it_is_expanded():
    """HOSTILE 'xlsx bombs': a few hundred kB that expand to hundreds of MB of XML."""
    filler = b"<row/>" * 40_000_000  # 240 MB of XML, ~250 kB packed
    data = _with_sheet(_xlsx_bytes([["name"]]), SHEET % (_cells(1, "name", "city") + filler))
    assert len(data) < 1_000_000
    with pytest.raises(FileReadError, match=r"expands to .* delete empty rows"):
        read(data, "bomb.xlsx")


def test_millions_of_blank_rows_stop_at_the_row_limit_not_the_end_of_the_sheet():
    blank = b"".join(b'<row r="%d"><c r="A%d"/></row>' % (i, i) for i in range(3, 60_000))
    data = _with_sheet(_xlsx_bytes([["name"]]),
                       SHEET % (_cells(1, "name", "city") + _cells(2, "Lab", "Paris") + blank))
    with pytest.raises(FileReadError, match=r"goes on past row 2,000 \(blank rows included\)"):
        read(data, "blank.xlsx")  # the limit here is 1,000 rows, plus 1,000 blank allowed
    assert read(data, "blank.xlsx", max_rows=100_000).rows[0].cells == {"name": "Lab",
                                                                       "city": "Paris"}


def test_cells_beyond_the_last_readable_column_are_refused_not_dropped():
    wide = _cells(1, "name", "city") + (b'<row r="2"><c t="inlineStr"><is><t>Lab</t></is></c>'
                                        b'<c r="ALM2" t="inlineStr"><is><t>x</t></is></c></row>')
    with pytest.raises(FileReadError, match="row 2 has cells beyond column 1,000"):
        read(_with_sheet(_xlsx_bytes([["name"]]), SHEET % wide), "wide.xlsx")
    # A sheet that declares its used range (as spreadsheet programs do) is refused at once.
    declared = SHEET.replace(b"<sheetData>", b'<dimension ref="A1:XFD2"/><sheetData>')
    with pytest.raises(FileReadError, match="uses 16,384 columns"):
        read(_with_sheet(_xlsx_bytes([["name"]]), declared % wide.replace(b"ALM", b"XFD")),
             "wide.xlsx")


def test_deeply_nested_geojson_gets_the_apps_message():
    data = ('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": '
            + '{"a": ' * 100_000 + "1" + "}" * 100_000 + "}]}").encode()
    with pytest.raises(FileReadError, match="nested too deeply"):
        read(data, "deep.geojson", max_bytes=10_000_000)
