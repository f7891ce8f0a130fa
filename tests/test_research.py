"""Research numbers checked against the database, exports with licence and citation, the API."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

import pandas as pd
import pytest
import sqlalchemy as sa

from atlas_app.intake.pipeline import ImportOptions, import_bytes
from atlas_app.maps.elements import choropleth_class
from atlas_app.registry.tables import organisations
from atlas_app.research.exports import Citation, export_bytes
from atlas_app.research.notebook import open_registry
from atlas_app.research.numbers import (
    choropleth_classes,
    country_counts,
    country_table,
    crosstab,
    growth,
    sector_shares,
)
from atlas_app.settings import PACKAGE_DATA
from tests.support.factories import make_organisation, make_registry, to_csv


@pytest.fixture
def loaded(store, taxonomy, settings):
    import_bytes(to_csv(make_registry(120, seed=3)), "r.csv", store, taxonomy, settings)
    import_bytes(to_csv([make_organisation(name="Draft", website="https://draft.example")]),
                 "p.csv", store, taxonomy, settings, ImportOptions(status="pending"))
    return store


def test_counts_and_per_capita_match_the_database(loaded):
    with loaded.engine.connect() as conn:
        expected = dict(conn.execute(
            sa.select(organisations.c.country, sa.func.count())
            .where(organisations.c.status == "published")
            .group_by(organisations.c.country)).all())
    counts = country_counts(loaded.frame())
    assert dict(zip(counts["country"], counts["organisations"])) == expected
    population = country_table()
    for row in counts.itertuples():
        assert row.population == population[row.country].population > 0
        assert row.per_million == pytest.approx(
            expected[row.country] / population[row.country].population * 1e6, abs=0.005)


def test_crosstab_shares_and_growth_add_up(loaded, taxonomy):
    frame = loaded.frame()
    table = crosstab(frame, taxonomy)
    assert table.loc["Total", "Total"] == len(frame)
    assert list(table.columns[:-1]) == [s.label_en for s in taxonomy.sectors]
    shares = sector_shares(frame, taxonomy)
    assert shares.groupby("country")["share"].sum().round(2).eq(1).all()
    years = growth(frame)
    assert years["total"].iloc[-1] == len(frame)
    assert years["year"].iloc[-1] == dt.date.today().year


@pytest.mark.parametrize("values, bounds", [([], []), ([0, 0], []), ([5], [5.0])])
def test_choropleth_classes_edge_cases(values, bounds):
    assert choropleth_classes(values) == bounds


def test_choropleth_classes_split_the_values():
    values = [1, 2, 3, 4, 100, 7, 0.5, 12, 40, 2.2]
    bounds = choropleth_classes(values)
    assert len(bounds) == 5 and bounds == sorted(bounds) and bounds[-1] == 100
    classes = [choropleth_class(v, bounds) for v in values]
    assert set(classes) == {0, 1, 2, 3, 4}
    assert classes[values.index(100)] == 4 and classes[values.index(0.5)] == 0


def test_choropleth_class():
    assert choropleth_class(0, [1, 2]) is None and choropleth_class(None, [1]) is None
    assert choropleth_class(1.5, [1, 2]) == 1 and choropleth_class(99, [1, 2]) == 1


def test_xlsx_export_guards_formulas_and_carries_licence(taxonomy, sqlite_store, settings):
    from openpyxl import load_workbook

    import_bytes(to_csv([make_organisation(name="=HYPERLINK(\"x\")", latitude="48.8",
                                           longitude="2.3")]), "x.csv", sqlite_store, taxonomy,
                 settings)
    citation = Citation(7, dt.date(2026, 11, 28), "1 of 1 organisations")
    data = export_bytes(sqlite_store.frame(), "xlsx", taxonomy, PACKAGE_DATA, citation)
    workbook = load_workbook(io.BytesIO(data))
    rows = list(workbook["organisations"].values)
    header, first = rows[0], dict(zip(rows[0], rows[1]))
    assert header[0] == "id" and first["name"] == "'=HYPERLINK(\"x\")"
    assert first["latitude"] == 48.8 and isinstance(first["id"], int)
    about = {k: v for k, v in workbook["about"].values}
    assert "Creative Commons Attribution 4.0" in about["Licence"]
    assert "registry version r7" in about["Citation"]


def test_datapackage_carries_citation_and_still_validates(taxonomy, sqlite_store, settings,
                                                          tmp_path):
    from frictionless import Package

    import_bytes(to_csv(make_registry(10)), "d.csv", sqlite_store, taxonomy, settings)
    citation = Citation(3, dt.date(2026, 11, 28), "10 of 10 organisations")
    data = export_bytes(sqlite_store.frame(), "datapackage", taxonomy, PACKAGE_DATA, citation)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        zf.extractall(tmp_path)
        assert "@misc{social_tech_atlas_20261128_r3" in zf.read("CITATION.txt").decode()
    descriptor = json.loads((tmp_path / "datapackage.json").read_text())
    assert descriptor["version"] == "r3" and "Retrieved 2026-11-28" in descriptor["citation"]
    assert Package(str(tmp_path / "datapackage.json")).validate().valid


def test_notebook_api(tmp_path, taxonomy, settings):
    url = f"sqlite:///{tmp_path / 'api.db'}"
    from atlas_app.registry.store import Store

    store = Store(url)
    store.upgrade()
    import_bytes(to_csv(make_registry(30)), "a.csv", store, taxonomy, settings)
    atlas = open_registry(url)
    fr = atlas.organisations(countries=["fr"])
    assert len(fr) > 0 and set(fr["country"]) == {"FR"}
    assert isinstance(fr, pd.DataFrame)
    counts = atlas.counts_by_country()
    assert counts["organisations"].sum() == 30
    assert "country is France" in atlas.citation(countries=["FR"]).text()
    assert atlas.crosstab().loc["Total", "Total"] == 30
