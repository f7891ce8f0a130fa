"""Steps a person takes in the app, for ``streamlit.testing.v1.AppTest`` (widgets by key)."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "atlas_app" / "ui" / "app.py")
PASSWORD = "Passwörd-très-sûr"
SUSY = ROOT / "tests" / "data" / "ssedas-partners.geojson"


def run_app(page=None, **query) -> AppTest:
    """A fresh visit (caches cleared), optionally on ``page`` with a query string."""
    from streamlit.runtime.caching import cache_data_api, cache_resource_api
    cache_data_api.get_data_cache_stats_provider().clear_all()
    cache_resource_api.get_resource_cache_stats_provider().clear_all()
    at = AppTest.from_file(APP, default_timeout=30)
    for key, value in query.items():
        at.query_params[key] = value
    if page:
        at.switch_page(page)
    at.run()
    assert not at.exception, at.exception
    return at


def summary(at: AppTest) -> str:
    """The sentence under the map: "42 of 1,203 organisations · …"."""
    return at.get_by_key("result-summary").children[0].value


def detail_text(at: AppTest) -> str:
    """Everything the detail panel shows, as text."""
    block = at.get_by_key("detail")
    return "\n".join(str(getattr(e, "value", "")) for e in block)


def signed_in() -> AppTest:
    """A staff member (ana@example.org, PASSWORD) signed in on the sign-in page."""
    at = run_app("screens/signin.py")
    at.text_input(key="signin-email").input("ana@example.org")
    at.text_input(key="signin-password").input(PASSWORD)
    at.form_submit_button[0].click().run()
    assert not at.exception
    return at


def upload(at: AppTest, name: str, content: bytes) -> AppTest:
    """Open the upload page and choose a file."""
    at.switch_page("screens/upload.py").run()
    at.file_uploader(key="upload-file").upload(name, content, "text/csv").run()
    assert not at.exception, at.exception
    return at


def suggest(name: str, website: str, city: str, country: str = "FR") -> AppTest:
    """A visitor fills in and sends the public suggestion form."""
    at = run_app("screens/suggest.py")
    at.text_input(key="suggest-name").input(name)
    at.text_input(key="suggest-website").input(website)
    at.text_input(key="suggest-city").input(city)
    at.selectbox(key="suggest-country").set_value(country)
    at.selectbox(key="suggest-kind").set_value("solution")
    at.selectbox(key="suggest-sector").set_value("open-tech")
    at.form_submit_button[0].click().run()
    return at


def pick(at: AppTest, org_id: int) -> AppTest:
    """On the staff workspace: choose organisation ``org_id`` in "Find an organisation"."""
    at.selectbox(key="org-pick").set_value(org_id).run()
    assert not at.exception, at.exception
    return at
