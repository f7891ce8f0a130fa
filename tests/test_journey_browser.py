"""Issue 15, done when: a new staff member takes the real SSEDAS file and a partner's
spreadsheet (own headers, postcodes in the city column, a country alias, a bad e-mail,
French Excel: cp1252 and ';') from sign-in to published dots on the public map, without
touching a file — with a reload in the middle — in English and in French (Chromium).

The spreadsheet has no sector column: its rows go to review unclassified, and a value it
gets wrong (a kind) is corrected in the check's grid; the review queue classifies them."""

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
    "Structure;Localité;Pays;Mél;Type d'acteur\r\n"
    "Café Numérique Béthune;62400 Béthune;France;contact(at)cafe.example;accompagnement\r\n"
    "Dijital Köprü;Istanbul;Turkey;bilgi@kopru.example;solution\r\n"
    "Atelier Chisinau;Chisinau;Moldova, Republic of;;peut-être\r\n"
    "Kooperative Wien;1010 Wien;Österreich;info@koop.example;solution\r\n")


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
    for attempt in range(5):  # a rerun that lands meanwhile closes the list: open it again
        box.click()
        if attempt % 2:
            # A long list shows only the options in view: type to narrow it, as a person.
            page.keyboard.type(option)
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
    """A translated message as a pattern, with any value not given matching anything
    (``message`` may be a plural form already chosen with ``t.ngettext``)."""
    names = re.findall(r"{(\w+)}", message)
    text = t(message, **{n: values.get(n, f"\x00{n}\x00") for n in names})
    return re.compile(re.sub(r"\\x00\w+\\x00|\x00\w+\x00", ".+?", re.escape(text)))


def type_in_grid(page, row: int, column: int, text: str) -> None:
    """Type ``text`` into a cell of the fix-in-place grid (a canvas: the cell is reached
    with the keyboard from the first one, as a person can)."""
    wait_idle(page)
    grid = page.locator(".st-key-fix-grid [data-testid=stDataFrame]")
    grid.wait_for(timeout=60_000)
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 15, box["y"] + 35 + 17)  # line column, first row
    page.wait_for_timeout(300)
    for _step in range(row):
        page.keyboard.press("ArrowDown")
    for _step in range(column):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")  # opens the cell's editor
    page.wait_for_timeout(500)
    page.keyboard.press("Control+a")
    page.keyboard.type(text, delay=30)
    page.keyboard.press("Enter")
    page.wait_for_timeout(500)
    wait_idle(page)


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
        page.get_by_text(shown(t, t.ngettext("{count} organisation written as upload #{id}.",
                                             "{count} organisations written as upload #{id}.",
                                             1_000), id=1)).wait_for(timeout=120_000)

        # 2. The partner's spreadsheet: its e-mail column mapped by hand, no sector (the
        # rows go to review unclassified), a kind fixed in the grid, then a reload.
        page.locator("input[type=file]").set_input_files(str(partner))
        page.get_by_text(t.ngettext("{count} other column, not imported unless you choose "
                                    "a field", "{count} other columns, not imported unless "
                                    "you choose a field", 1, count=t.number(1))).click()
        choose(page, "Mél", "email")
        choose(page, t("Sector"), t("None for now: classify them in the review queue"))
        def summary(ready: int, refused: int) -> re.Pattern:
            return shown(t, t.ngettext(
                "{rows} row — ready: {accepted}, refused: {rejected}, with a warning: "
                "{warned}.", "{rows} rows — ready: {accepted}, refused: {rejected}, with a "
                "warning: {warned}.", 4), rows=t.number(4), accepted=t.number(ready),
                rejected=t.number(refused))

        page.get_by_text(summary(3, 1)).wait_for(timeout=60_000)
        # The grid: line 2's e-mail left out (row 0), line 4's kind "peut-être" (row 1).
        type_in_grid(page, row=1, column=2, text="support")
        fixed = summary(4, 0)
        page.get_by_text(fixed).wait_for(timeout=60_000)
        page.wait_for_timeout(1000)
        page.reload()
        page.get_by_role("button", name=t("Resume the upload")).click()
        page.get_by_text(fixed).wait_for(timeout=60_000)  # the correction came back
        page.get_by_text(t("Publish the new organisations at once")).click()
        wait_idle(page)
        page.get_by_role("button", name=t("Commit the upload")).click()
        page.get_by_text(t.ngettext("{count} organisation written as upload #{id}.",
                                    "{count} organisations written as upload #{id}.", 4,
                                    count=t.number(4), id=2)).wait_for(timeout=60_000)

        # 3. The review queue: publishing refuses the unclassified rows; they are
        # classified in one go, then everything waiting is published.
        page.goto(f"{server}/staff")
        publish = re.compile(f"^{shown(t, 'Publish {count}').pattern}$")
        page.get_by_role("button", name=publish).click()
        page.get_by_text(shown(t, t.ngettext(
            "Nothing was published: {count} organisation has no sector or no kind yet ({ids}). "
            "Classify it first: choose a sector and a kind above and apply them.",
            "Nothing was published: {count} organisations have no sector or no kind yet "
            "({ids}). Classify them first: choose a sector and a kind above and apply them.",
            4), count=t.number(4))).wait_for(timeout=60_000)
        page.get_by_text(t.ngettext("Only the {count} organisation without a sector or a kind",
                                    "Only the {count} organisations without a sector or a "
                                    "kind", 4, count=t.number(4))).click()
        wait_idle(page)
        choose(page, t("Set the sector"), "Open & ethical technology" if lang == "en"
               else "Technologies libres et éthiques")
        page.get_by_role("button", name=shown(t, "Apply the sector and kind chosen to {count}",
                                              count=t.number(4))).click()
        page.get_by_text(t.ngettext("{count} organisation classified.",
                                    "{count} organisations classified.", 4,
                                    count=t.number(4))).wait_for(timeout=60_000)
        page.get_by_role("button", name=publish).click()
        page.get_by_text(shown(t, t.ngettext(
            "{count} organisation published: it is on the public map.",
            "{count} organisations published: they are on the public map.", 1_000))
        ).wait_for(timeout=60_000)

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
    assert rows.loc["Atelier Chisinau", "kind"] == "support", "corrected in the grid"
    assert set(rows.loc[["Dijital Köprü", "Kooperative Wien"], "sector"]) == {"open-tech"}
