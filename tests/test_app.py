"""AppTest: the map page as a visitor sees it (widgets found by key)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from atlas_app.ingest import ImportOptions, import_bytes
from atlas_app.settings import Settings
from atlas_app.store import Store
from tests.factories import make_organisation, make_registry, to_csv

APP = str(Path(__file__).resolve().parent.parent / "atlas_app" / "ui" / "app.py")


@pytest.fixture
def app_db(tmp_path, monkeypatch, taxonomy):
    url = f"sqlite:///{tmp_path / 'app.db'}"
    monkeypatch.setenv("ATLAS_DATABASE_URL", url)
    monkeypatch.setenv("ATLAS_TILE_URL", "")
    store = Store(url)
    store.upgrade()

    def load(rows, **options):
        import_bytes(to_csv(rows), f"f{len(rows)}.csv", store, taxonomy,
                     Settings(database_url=url), ImportOptions(**options))
    yield load
    store.dispose()


def run_app():
    from streamlit.runtime.caching import cache_data_api, cache_resource_api
    cache_data_api.get_data_cache_stats_provider().clear_all()
    cache_resource_api.get_resource_cache_stats_provider().clear_all()
    at = AppTest.from_file(APP, default_timeout=30)
    at.run()
    assert not at.exception
    return at


def summary(at) -> str:
    return at.get_by_key("result-summary").children[0].value


def test_empty_registry_says_how_to_fill_it(app_db):
    at = run_app()
    assert "no published organisations yet" in at.info[0].value


def test_summary_and_filters(app_db):
    app_db(make_registry(40))
    app_db([make_organisation(name="Hidden", website="https://h.org")], status="pending")
    at = run_app()
    assert summary(at) == "40 of 40 organisations"
    at.multiselect(key="filter_countries").set_value(["FR"]).run()
    assert summary(at).endswith("of 40 organisations · country is France")
    shown = int(summary(at).split()[0])
    assert 0 < shown < 40
    assert len(at.get_by_key("organisation-list").dataframe[0].value) == shown


def test_empty_result_offers_a_reset(app_db):
    app_db(make_registry(5))
    at = run_app()
    at.text_input(key="filter_q").set_value("no such organisation").run()
    assert summary(at).startswith("0 of 5")
    assert "No organisation matches" in at.warning[0].value
    at.button(key="reset_empty").click().run()
    assert summary(at) == "5 of 5 organisations"
