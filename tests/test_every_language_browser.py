"""Every public page in every language, as Chromium shows it (issue 17): the visible text
of the page and of the map's frame, and the words a screen reader or a tooltip gives
(``title``, ``aria-label``, ``placeholder``, ``alt``), hold no English interface string;
the French map names Warsaw « Varsovie »."""

from __future__ import annotations

import pytest

from atlas_app.i18n import available_languages
from tests.support.browser import atlas_server, chromium_browser, map_frame
from tests.support.english import english_leaks
from tests.support.factories import make_organisation, make_registry

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LANGUAGES = [lang for lang in available_languages() if lang != "en"]
PAGES = ["?org=1", "research?view=focus", "research?view=compare&country=FR&country=PL",
         "research?view=choropleth", "research?view=crosstab", "about", "suggest"]
SHOWN = """() => {
  const out = [];
  const read = (doc) => {
    out.push(doc.body ? doc.body.innerText : "");
    doc.querySelectorAll("[title], [aria-label], [placeholder], [alt]").forEach((el) => {
      if (!el.getClientRects().length) { return; }  // not rendered: nobody reads it
      for (const name of ["title", "aria-label", "placeholder", "alt"]) {
        const value = el.getAttribute(name);
        if (value) { out.push(value); }
      }
    });
  };
  read(document);
  return out;
}"""


@pytest.fixture(scope="module")
def app_url(tmp_path_factory, taxonomy):
    rows = [make_organisation(name="Kooperatywa", website="https://k.example",
                              description_en="", description_fr="",
                              description_pl="Spółdzielnia cyfrowa.", latitude="52.2",
                              longitude="21.0", country="PL", city="Warszawa")]
    rows += make_registry(30, located_share=1.0)
    with atlas_server(tmp_path_factory.mktemp("languages"), rows, taxonomy) as url:
        yield url


@pytest.fixture(scope="module")
def browser(app_url):
    with chromium_browser() as chromium:
        page = chromium.new_page()  # the first visit builds the index: wait for it once
        page.goto(app_url)
        page.wait_for_selector("iframe[src*='st_folium']", timeout=120_000)
        page.close()
        yield chromium


def shown_texts(page) -> list[str]:
    texts = []
    for frame in page.frames:
        try:
            texts += frame.evaluate(SHOWN)
        except Exception:  # a frame that went away meanwhile
            continue
    return texts


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_public_page_in_chromium_speaks_the_visitors_language(app_url, browser, lang):
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    found = {}
    for path in PAGES:
        page.goto(f"{app_url}/{path}{'&' if '?' in path else '?'}lang={lang}")
        page.wait_for_function("(l) => document.documentElement.lang === l", arg=lang,
                               timeout=30_000)
        if path.startswith("?"):  # the map's frame and the card (the map zooms in to it)
            page.wait_for_selector("iframe[src*='st_folium']", timeout=60_000)
            page.locator(".st-key-detail").wait_for(timeout=30_000)
        page.wait_for_function("() => !document.querySelector('[data-testid=stStatusWidget]')",
                               timeout=60_000)
        page.wait_for_timeout(1200)
        if path == "suggest":  # sent empty: the problems beside the fields
            page.locator("button[kind=secondaryFormSubmit], "
                         "[data-testid=stBaseButton-secondaryFormSubmit]").first.click()
            page.wait_for_timeout(2500)
        leaks = english_leaks(shown_texts(page), lang)
        if leaks:
            found[path] = leaks
    page.close()
    assert found == {}, f"English on the {lang} pages: {found}"


def test_the_french_basemap_names_warsaw_varsovie(app_url, browser):
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    page.goto(f"{app_url}/?lang=fr")
    frame = map_frame(page)
    names = []
    for _ in range(100):
        names = frame.evaluate("Array.from(document.querySelectorAll('.atlas-place'))"
                               ".map(e => e.textContent)")
        if "Varsovie" in names:
            break
        page.wait_for_timeout(200)
    assert "Varsovie" in names and "Warsaw" not in names, names[:40]
    page.close()
