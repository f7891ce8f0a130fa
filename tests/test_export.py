"""Exports: formula guard, GeoJSON, data package, round trips, atomic writes (HOSTILE 26, 42)."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pandas as pd
import pytest

from atlas_app.errors import ExportError
from atlas_app.intake.pipeline import ImportOptions, import_bytes
from atlas_app.registry.schema import FIELD_NAMES
from atlas_app.registry.store import Store
from atlas_app.research.exports import (
    csv_bytes,
    datapackage_descriptor,
    export_bytes,
    geojson_document,
    neutralise,
    write_atomically,
)
from atlas_app.settings import PACKAGE_DATA
from tests.support.factories import make_organisation, make_registry, to_csv

HOSTILE = [make_organisation(name="=HYPERLINK(\"http://evil\",\"x\")", description_en="+1 555",
                             legal_form="@SUM(A1)", tags="-minus;ok", city="Montréal-\tx"),
           make_organisation(name="Café `Le Lab` ${x}", website="https://lab.example",
                             latitude="-33.5", longitude="-70.25", country="CL")]


def load(store, taxonomy, settings, rows, **options):
    return import_bytes(to_csv(rows), "f.csv", store, taxonomy, settings,
                        ImportOptions(**options))


@pytest.mark.parametrize("value, expected", [("=1+1", "'=1+1"), ("+33", "'+33"), ("-x", "'-x"),
                                             ("@a", "'@a"), ("\tx", "'\tx"), ("\rx", "'\rx"),
                                             ("plain", "plain"), ("", "")])
def test_neutralise(value, expected):
    assert neutralise(value) == expected


def test_csv_export_neutralises_text_but_not_numbers(store, taxonomy, settings):
    load(store, taxonomy, settings, HOSTILE)
    rows = list(csv.DictReader(io.StringIO(csv_bytes(store.frame()).decode())))
    assert rows[0]["name"] == "'=HYPERLINK(\"http://evil\",\"x\")"
    assert rows[0]["legal_form"] == "'@SUM(A1)" and rows[0]["tags"] == "'-minus;ok"
    assert rows[1]["latitude"] == "-33.5" and rows[1]["longitude"] == "-70.25"


def test_excel_variant_has_bom_and_semicolons(store, taxonomy, settings):
    load(store, taxonomy, settings, HOSTILE)
    data = export_bytes(store.frame(), "csv-excel", taxonomy, PACKAGE_DATA)
    assert data.startswith("\ufeff".encode()) and data.decode("utf-8-sig").startswith("id;name;")


def test_geojson_is_lon_lat_and_keeps_unlocated_with_null_geometry(store, taxonomy, settings):
    load(store, taxonomy, settings, HOSTILE)
    doc = geojson_document(store.frame())
    unlocated, located = doc["features"]
    assert unlocated["geometry"] is None
    assert located["geometry"] == {"type": "Point", "coordinates": [-70.25, -33.5]}
    assert located["properties"]["tags"] == ["training", "inclusion"]
    assert "latitude" not in located["properties"]


def registry_rows(store):
    frame = store.frame(statuses=None)
    return [{k: (None if isinstance(v, float) and pd.isna(v) else v) for k, v in r.items()}
            for r in frame[list(FIELD_NAMES)].to_dict("records")]


@pytest.mark.parametrize("fmt, name", [("csv", "export.csv"), ("geojson", "export.geojson")])
def test_round_trip_gives_the_same_registry(store, taxonomy, settings, tmp_path, fmt, name):
    rows = make_registry(40) + HOSTILE
    load(store, taxonomy, settings, rows, status="pending")
    data = export_bytes(store.frame(statuses=None), fmt, taxonomy, PACKAGE_DATA)
    fresh = Store(f"sqlite:///{tmp_path / 'fresh.db'}")
    fresh.upgrade()
    report = import_bytes(data, name, fresh, taxonomy, settings)
    assert report.rejected == 0, [p.describe() for p in report.errors]
    assert registry_rows(fresh) == registry_rows(store)


def test_datapackage_validates_with_frictionless(store, taxonomy, settings, tmp_path):
    from frictionless import Package

    load(store, taxonomy, settings, make_registry(20) + HOSTILE)
    data = export_bytes(store.frame(), "datapackage", taxonomy, PACKAGE_DATA)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        zf.extractall(tmp_path)
        descriptor = json.loads(zf.read("datapackage.json"))
    assert descriptor["licenses"][0]["name"] == "CC-BY-4.0"
    report = Package(str(tmp_path / "datapackage.json")).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_frictionless_catches_a_broken_export(store, taxonomy, settings, tmp_path):
    """The validation above can fail: a corrupted sector is reported."""
    from frictionless import Package

    load(store, taxonomy, settings, make_registry(3))
    data = export_bytes(store.frame(), "datapackage", taxonomy, PACKAGE_DATA)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        zf.extractall(tmp_path)
    path = tmp_path / "organisations.csv"
    path.write_text(path.read_text().replace(",support,", ",helper,", 1))
    assert not Package(str(tmp_path / "datapackage.json")).validate().valid


def test_committed_descriptor_matches_the_schema(taxonomy):
    committed = json.loads((PACKAGE_DATA / "datapackage.json").read_text())
    assert committed == datapackage_descriptor(taxonomy), \
        "data/datapackage.json is stale: run `atlas schema > data/datapackage.json`"


def test_atomic_write_keeps_the_previous_file_when_writing_fails(tmp_path):
    target = tmp_path / "export.csv"
    target.write_text("previous complete export")

    def fail_half_way(fh):
        fh.write(b"partial")
        raise OSError(28, "No space left on device")

    with pytest.raises(ExportError, match="No space left on device.*previous file"):
        write_atomically(target, fail_half_way)
    assert target.read_text() == "previous complete export"
    assert [p.name for p in tmp_path.iterdir()] == ["export.csv"]


@pytest.mark.parametrize("fmt", ["csv", "csv-excel", "geojson", "xlsx", "datapackage"])
def test_a_streamed_export_is_the_whole_view_in_every_format(store, taxonomy, settings,
                                                             tmp_path, monkeypatch, fmt):
    """`atlas export` streams the view from the database a few rows at a time (here 3);
    the file is the one the whole filtered frame gives, free text and gaps included."""
    import atlas_app.registry.store as store_module
    from atlas_app.cli import main
    from atlas_app.public.filters import Filters, apply_filters
    from atlas_app.research.exports import Citation
    from atlas_app.research.notebook import count_view

    rows = make_registry(120, seed=5) + HOSTILE
    for i, row in enumerate(rows):  # gaps are the normal case
        if i % 3 == 0:
            row.update(website="", description_fr="", tags="", postcode="")
    load(store, taxonomy, settings, rows)
    monkeypatch.setattr(store_module, "BATCH_ROWS", 3)
    monkeypatch.setenv("ATLAS_DATABASE_URL", store.url.render_as_string(hide_password=False))
    view = Filters(countries=("FR", "CL"), q="DATA")
    reference = apply_filters(store.frame(), view).reset_index(drop=True)
    assert 3 < len(reference) == count_view(store, view)
    out = tmp_path / f"view.{fmt}"
    assert main(["export", "--format", fmt, "--country", "fr", "--country", "CL",
                 "--q", "DATA", "-o", str(out)]) == 0
    expected = export_bytes(reference, fmt, taxonomy, PACKAGE_DATA, Citation(
        store.revision(), __import__("datetime").date.today(),
        f"{len(reference)} of {store.count()} organisations · country is France or Chile · "
        "text contains “DATA”"))
    got = out.read_bytes()
    if fmt in ("csv", "csv-excel"):
        assert got == expected
    elif fmt == "geojson":
        assert json.loads(got) == json.loads(expected)
    elif fmt == "datapackage":
        with zipfile.ZipFile(io.BytesIO(got)) as mine, zipfile.ZipFile(io.BytesIO(expected)) as ref:
            assert mine.read("organisations.csv") == ref.read("organisations.csv")
            assert mine.read("CITATION.txt") == ref.read("CITATION.txt")
    else:
        from openpyxl import load_workbook
        mine, ref = (load_workbook(io.BytesIO(b), read_only=True) for b in (got, expected))
        assert [list(r) for r in mine["organisations"].values] == \
            [list(r) for r in ref["organisations"].values]
        assert [list(r) for r in mine["about"].values] == [list(r) for r in ref["about"].values]
