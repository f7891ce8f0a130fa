"""Registries where any optional field may be missing (Hypothesis): values leave the store
typed (missing text is None, never NaN), and duplicate detection, the staff workspace's
reads, every export format and the notebook API run without an exception and lose
nothing (issue 12)."""

from __future__ import annotations

import csv
import io
import json
import math
import tempfile
import zipfile
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from atlas_app.intake.pipeline import ImportOptions, prepare_import
from atlas_app.intake.validation import validate_record
from atlas_app.registry.schema import FIELD_NAMES, FIELDS, load_taxonomy
from atlas_app.registry.store import Store
from atlas_app.research.exports import Citation, export_bytes, neutralise
from atlas_app.research.notebook import Registry
from atlas_app.settings import PACKAGE_DATA, Settings
from atlas_app.staff.edits import registry_duplicates
from tests.support.factories import PLACES, SECTORS, make_organisation, to_csv

TAXONOMY = load_taxonomy(PACKAGE_DATA)
OPTIONAL = ("description_en", "description_fr", "website", "email", "tags", "legal_form",
            "postcode", "address")
TEXT_FIELDS = tuple(f.name for f in FIELDS if f.type == "string")
PROPERTY = settings(max_examples=25, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

words = st.text(alphabet="abcdéèßøçłž -'", min_size=1, max_size=12).filter(str.strip)


@st.composite
def organisation_cells(draw, n: int) -> dict[str, str]:
    """One row of a file: required fields always, any optional one present or blank."""
    country, city, lat, lon = draw(st.sampled_from(PLACES))
    values = {
        "description_en": draw(words), "description_fr": draw(words),
        "website": f"https://{draw(st.sampled_from(['a', 'b', 'c']))}{n % 3}.example.org",
        "email": f"contact{n}@example.org", "tags": f"{draw(words)};{draw(words)}",
        "legal_form": draw(words), "postcode": f"{draw(st.integers(1000, 99999))}",
        "address": draw(words)}
    present = draw(st.sets(st.sampled_from(OPTIONAL)))
    located = draw(st.booleans())
    return make_organisation(
        name=f"{draw(words)} {n}", kind=draw(st.sampled_from(["support", "solution"])),
        sector=draw(st.sampled_from(SECTORS)), country=country, city=city,
        latitude=f"{lat}" if located else "", longitude=f"{lon}" if located else "",
        **{name: values[name] if name in present else "" for name in OPTIONAL})


@st.composite
def registries(draw) -> list[dict]:
    size = draw(st.integers(1, 12))
    records = []
    for n in range(size):
        record, problems = validate_record(draw(organisation_cells(n)), TAXONOMY, line=n + 2,
                                           default_status=draw(st.sampled_from(
                                               ["published", "pending", "archived"])))
        assert record is not None, problems
        records.append(record)
    return records


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


@PROPERTY
@given(registries())
def test_every_surface_takes_a_registry_with_gaps(records):
    with tempfile.TemporaryDirectory() as folder:
        store = Store(f"sqlite:///{Path(folder) / 'atlas.db'}")
        store.upgrade()
        try:
            store.add_organisations(records)
            _check_surfaces(store, records)
        finally:
            store.dispose()


def _check_surfaces(store: Store, records: list[dict]) -> None:
    frame = store.frame(statuses=None)
    assert len(frame) == len(records)
    for name in TEXT_FIELDS:  # the store decides: missing text is None, never NaN
        assert all(v is None or isinstance(v, str) for v in frame[name]), name
    for written, (_, row) in zip(records, frame.iterrows()):
        for name in OPTIONAL:
            expected = written.get(name)
            got = row[name]
            if name == "tags":
                assert list(got) == list(expected or [])
            else:
                assert got == expected or (_missing(got) and not expected), (name, got)

    # duplicate detection: the staff page's list and an upload's check
    registry_duplicates(store)
    incoming = to_csv([make_organisation(name=f"New {i}", website=w) for i, w in
                       enumerate(["", "https://a0.example.org", ""])])
    prepared = prepare_import(incoming, "new.csv", store, TAXONOMY,
                              Settings(database_url=str(store.url)), ImportOptions())
    assert len(prepared.accepted) == 3
    compared = [r for r in records if r["status"] != "archived"]
    expect_warning = any(r["website"] == "https://a0.example.org" for r in compared)
    assert expect_warning == any("same website domain a0.example.org" in p.message
                                 for p in prepared.report.problems)

    # every export format keeps every row and every value
    citation = Citation(store.revision(), pd.Timestamp("2026-12-01").date())
    read = list(csv.DictReader(io.StringIO(
        export_bytes(frame, "csv", TAXONOMY, PACKAGE_DATA, citation).decode("utf-8"))))
    assert [int(r["id"]) for r in read] == list(frame["id"])
    for row, (_, stored) in zip(read, frame.iterrows()):
        for name in ("website", "email", "description_en", "description_fr", "postcode"):
            assert row[name] == neutralise(stored[name] or "")
        assert row["tags"] == neutralise(";".join(stored["tags"]))
    features = json.loads(export_bytes(frame, "geojson", TAXONOMY, PACKAGE_DATA))["features"]
    assert [f["id"] for f in features] == list(frame["id"])
    assert all((f["geometry"] is None) == _missing(lat)
               for f, lat in zip(features, frame["latitude"]))
    for fmt in ("csv-excel", "xlsx", "datapackage"):
        assert export_bytes(frame, fmt, TAXONOMY, PACKAGE_DATA, citation)
    with zipfile.ZipFile(io.BytesIO(export_bytes(frame, "datapackage", TAXONOMY,
                                                 PACKAGE_DATA, citation))) as package:
        data_name = next(n for n in package.namelist() if n.endswith(".csv")
                         and "sectors" not in n)
        assert package.read(data_name).decode("utf-8-sig").count("\n") >= len(frame)

    # the notebook API
    atlas = Registry(store, TAXONOMY)
    published = atlas.organisations()
    assert len(published) == sum(r["status"] == "published" for r in records)
    assert len(atlas.organisations(statuses=None)) == len(records)
    assert atlas.counts_by_country()["organisations"].sum() == len(published)
    atlas.crosstab(), atlas.sector_shares(), atlas.growth()
    assert atlas.citation().text()
    assert set(FIELD_NAMES) == set(published.columns)
