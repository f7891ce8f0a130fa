"""Shared fixtures: settings, the taxonomy, and stores on SQLite and on a real PostgreSQL."""

from __future__ import annotations

import uuid
import warnings

import pytest

from atlas_app.registry.schema import load_taxonomy
from atlas_app.registry.store import Store
from atlas_app.settings import PACKAGE_DATA, Settings
from tests.support.services import IN_CI, POSTGRES_ADMIN_URL


@pytest.fixture(autouse=True)
def own_drafts(tmp_path, monkeypatch):
    """Uploads in progress are kept per test, never in the checkout's var/."""
    monkeypatch.setenv("ATLAS_DRAFTS_DIR", str(tmp_path / "drafts"))


@pytest.fixture(scope="session")
def taxonomy():
    return load_taxonomy(PACKAGE_DATA)


@pytest.fixture
def settings(tmp_path):
    return Settings(database_url=f"sqlite:///{tmp_path / 'atlas.db'}")


@pytest.fixture
def sqlite_store(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'atlas.db'}")
    store.upgrade()
    yield store
    store.dispose()


def _postgres_unavailable(reason: str):
    message = (f"\n{'=' * 70}\nPostgreSQL tests NOT RUN: {reason}\n"
               f"Start a server at {POSTGRES_ADMIN_URL} or set ATLAS_TEST_POSTGRES_URL.\n"
               f"{'=' * 70}")
    if IN_CI:
        pytest.fail("PostgreSQL is required in CI (CI=true) but " + reason)
    warnings.warn(message, stacklevel=2)
    pytest.skip(message)


@pytest.fixture(scope="session")
def postgres_server():
    """Admin connection details for a reachable PostgreSQL server, or a loud skip."""
    try:
        import psycopg

        with psycopg.connect(POSTGRES_ADMIN_URL, connect_timeout=3, autocommit=True):
            pass
    except Exception as exc:  # any failure means "no server here"
        _postgres_unavailable(f"cannot connect ({exc.__class__.__name__}: {exc})")
    return POSTGRES_ADMIN_URL


@pytest.fixture
def postgres_url(postgres_server):
    """A fresh, empty database for one test; dropped afterwards."""
    import psycopg
    from sqlalchemy import make_url

    name = f"atlas_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = make_url(postgres_server).set(database=name).render_as_string(hide_password=False)
    yield url
    with psycopg.connect(postgres_server, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def postgres_store(postgres_url):
    store = Store(postgres_url)
    store.upgrade()
    yield store
    store.dispose()


@pytest.fixture
def staff_db(tmp_path, monkeypatch):
    """An SQLite registry the app under test uses (``ATLAS_DATABASE_URL``), with one staff
    account: ana@example.org and tests.support.apptest.PASSWORD."""
    from atlas_app.staff.accounts import add_account
    from tests.support.apptest import PASSWORD

    url = f"sqlite:///{tmp_path / 'staff.db'}"
    monkeypatch.setenv("ATLAS_DATABASE_URL", url)
    store = Store(url)
    store.upgrade()
    add_account(store, "ana@example.org", PASSWORD)
    yield store
    store.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request):
    """The same test on both databases."""
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_store")
    return request.getfixturevalue("postgres_store")


@pytest.fixture(scope="session")
def gazetteer():
    """The real GeoNames index (built once into var/cache, then loaded from there)."""
    from atlas_app.places.gazetteer import Gazetteer
    from atlas_app.settings import load_settings

    return Gazetteer.load(load_settings().cache_dir, PACKAGE_DATA)


@pytest.fixture(params=["scanned", "looked up"])
def word_lookups(request, monkeypatch):
    """Both ways the index answers a searched word: by scanning the texts of the
    organisations left (small registries) and by the word index
    (atlas_app.public.words), which only large registries reach by default."""
    if request.param == "looked up":
        monkeypatch.setattr("atlas_app.public.index.SCAN_BELOW", 0)
    return request.param
