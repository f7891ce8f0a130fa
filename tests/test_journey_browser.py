"""Issue 15, done when: a new staff member takes the real SSEDAS file and a partner's
spreadsheet (own headers, postcodes in the city column, a country alias, a bad e-mail,
French Excel: cp1252 and ';') from sign-in to published dots on the public map, without
touching a file — with a reload in the middle — in English and in French (Chromium)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from atlas_app.i18n import translator
from tests.support.apptest import PASSWORD, SUSY
from tests.support.browser import map_names, serve
from tests.support.services import chromium

ROOT = Path(__file__).resolve().parent.parent
pytestmark = [pytest.mark.browser, pytest.mark.slow]

PARTNER_ROWS = (
    "Structure;Localité;Pays;Mél;Type d'acteur;Thème\r\n"
    "Café Numérique Béthune;62400 Béthune;France;contact(at)cafe.example;accompagnement;"
    "Santé et soin\r\n"
    "Dijital Köprü;Istanbul;Turkey;bilgi@kopru.example;solution;open-tech\r\n"
    "Atelier Chisinau;Chisinau;Moldova, Republic of;;accompagnement;Santé et soin\r\n"
    "Kooperative Wien;1010 Wien;Österreich;info@koop.example;solution;open-tech\r\n")


@pytest.fixture
def server(tmp_path):
    """A fresh installation (one staff account, empty registry) served on 127.0.0.1."""
    chromium()
    from atlas_app.registry.store import Store
    from atlas_app.staff.accounts import add_account

    url = f"sqlite:///{tmp_path / 'atlas.db'}"
    store = Store(url)
    store.upgrade()
    add_account(store, "ana@example.org", PASSWORD)
    store.dispose()
    with serve(url, ATLAS_DRAFTS_DIR=str(tmp_path / "drafts")) as base:
        yield base, url


def choose(page, label: str, option: str) -> None:
    """Pick ``option`` in the select box labelled ``label``."""
    wait_idle(page)
    box = page.get_by_role("combobox", name=label, exact=True)
    for _attempt in range(5):  # a rerun that lands meanwhile closes the list: open it again
        box.click()
        choice = page.get_by_role("option", name=option, exact=True)
        try:
            choice.wait_for(timeout=5_000)
            choice.click()
            break
        except Exception:
            page.keyboard.press("Escape")
    else:
        raise AssertionError(f"no option {option!r} in {label!r}")
    page.wait_for_timeout(300)
    wait_idle(page)


def shown(t, message: str, **values) -> re.Pattern:
    """A translated message as a pattern, with any value not given matching anything."""
    names = re.findall(r"{(\w+)}", message)
    text = t(message, **{n: values.get(n, f"\x00{n}\x00") for n in names})
    return re.compile(re.sub(r"\\x00\w+\\x00|\x00\w+\x00", ".+?", re.escape(text)))


def wait_idle(page) -> None:
    """Wait until Streamlit has finished running the script."""
    page.wait_for_function("() => !document.querySelector('[data-testid=stStatusWidget]')",
                           timeout=60_000)


@pytest.mark.parametrize("lang, locale", [("en", "en-GB"), ("fr", "fr-FR")])
def test_from_two_real_files_to_published_dots_with_a_reload(server, lang, locale, tmp_path):
    server, database = server
    t = translator(lang)
    partner = tmp_path / "partenaires.csv"
    partner.write_bytes(PARTNER_ROWS.encode("cp1252"))
    first_ssedas = json.loads(SUSY.read_text(encoding="utf-8"))["features"][0]
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium(), args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        page = browser.new_context(locale=locale, viewport={"width": 1300, "height": 1000}
                                   ).new_page()
        page.goto(f"{server}/signin")
        page.get_by_label(t("E-mail address")).fill("ana@example.org")
        page.get_by_role("textbox", name=t("Password")).fill(PASSWORD)
        page.get_by_role("button", name=t("Sign in"), exact=True).click()
        page.get_by_text(t("Signed in as {email}.", email="ana@example.org")).wait_for()

        # 1. The SSEDAS GeoJSON: nothing is chosen for the person; they choose kind, sector.
        page.goto(f"{server}/upload")
        page.locator("input[type=file]").set_input_files(str(SUSY))
        page.get_by_text(shown(t, "The file has no column for: {fields}. Choose one value "
                               "for every row:")).wait_for(timeout=60_000)
        choose(page, t("Kind"), t("Supports digital transition"))
        choose(page, t("Sector"), "Social-economy networks & support" if lang == "en"
               else "Réseaux et accompagnement de l'ESS")
        commit = page.get_by_role("button", name=t("Commit the upload"))
        commit.wait_for(timeout=120_000)
        valid_only = page.get_by_text(t("Write only the valid rows"), exact=True)
        if valid_only.count():
            valid_only.click()
            wait_idle(page)
        commit.click()
        page.get_by_text(shown(t, "{count} organisation(s) written as upload #{id}.", id=1)
                         ).wait_for(timeout=120_000)

        # 2. The partner's spreadsheet: its e-mail column mapped by hand, then a reload.
        page.locator("input[type=file]").set_input_files(str(partner))
        page.get_by_text(t("{count} other column(s), not imported unless you choose a field",
                           count=1)).click()
        choose(page, "Mél", "email")
        page.wait_for_timeout(1000)
        page.reload()
        page.get_by_role("button", name=t("Resume the upload")).click()
        summary = t("{rows} rows: {accepted} accepted, {rejected} rejected.",
                    rows=t.number(4), accepted=t.number(4), rejected=t.number(0))
        page.get_by_text(summary).wait_for(timeout=60_000)
        page.get_by_text(t("Publish the new organisations at once")).click()
        wait_idle(page)
        page.get_by_role("button", name=t("Commit the upload")).click()
        page.get_by_text(t("{count} organisation(s) written as upload #{id}.",
                           count=t.number(4), id=2)).wait_for(timeout=60_000)

        # 3. The review queue: the SSEDAS initiatives, published in one go.
        page.goto(f"{server}/staff")
        choose(page, t("Upload"), "#1 ssedas-partners.geojson")
        publish = shown(t, "Publish {count}").pattern
        page.get_by_role("button", name=re.compile(f"^{publish}$")).click()
        page.get_by_text(shown(t, "{count} organisation(s) published: they are on the "
                               "public map.")).wait_for(timeout=60_000)

        # 4. The public map shows both files' organisations.
        page.goto(server)
        names = map_names(page)
        assert "Café Numérique Béthune" in names and "Kooperative Wien" in names
        assert first_ssedas["properties"]["name"] in names
        browser.close()

    from atlas_app.registry.store import Store

    store = Store(database)
    rows = store.frame(statuses=("published",)).set_index("name")
    store.dispose()
    cafe = rows.loc["Café Numérique Béthune"]
    assert (cafe["city"], cafe["postcode"], cafe["email"]) == ("Béthune", "62400", None)
    assert (rows.loc["Dijital Köprü", "country"], rows.loc["Atelier Chisinau", "country"]) == (
        "TR", "MD")
