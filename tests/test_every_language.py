"""Every public page in every language, without an English interface string outside the
data (issue 17): map with the list and a card, the research views, About, the suggestion
form with its problems. AppTest reads every text the page sends (labels, options,
placeholders, help, Markdown, HTML); tests/support/english.py tells English from data."""

from __future__ import annotations

import json

import pytest
from google.protobuf.message import Message as Proto

from atlas_app.i18n import available_languages, translator
from atlas_app.intake.pipeline import ImportOptions, import_bytes
from atlas_app.registry.store import Store
from atlas_app.settings import Settings
from tests.support.apptest import run_app
from tests.support.english import english_leaks, pieces
from tests.support.factories import make_organisation, make_registry, to_csv

LANGUAGES = [lang for lang in available_languages() if lang != "en"]
RESEARCH_VIEWS = ("focus", "compare", "choropleth", "crosstab")


def _strings(proto: Proto):
    for _field, value in proto.ListFields():
        items = [value] if isinstance(value, (str, bytes, Proto, int, float)) else list(value)
        for item in items:
            if isinstance(item, str):
                yield item
            elif isinstance(item, Proto):
                yield from _strings(item)


def page_texts(at) -> list[str]:
    """Every string the page sends to the browser (from each element's message)."""
    texts: list[str] = []

    def walk(node) -> None:
        proto = getattr(node, "proto", None)
        if isinstance(proto, Proto):
            texts.extend(_strings(proto))
        for child in getattr(node, "children", {}).values():
            walk(child)
    walk(at._tree)
    return texts


def table_headers(at) -> list[str]:
    """The column headers the page's tables show: each column's label where the page gives
    one, else the frame's own column name (which travels inside Arrow bytes)."""
    headers: list[str] = []

    def walk(node) -> None:
        if type(node).__name__ == "Dataframe":
            config = json.loads(node.proto.columns or "{}")
            headers.extend((config.get(str(c)) or {}).get("label") or str(c)
                           for c in node.value.columns)
        for child in getattr(node, "children", {}).values():
            walk(child)
    walk(at._tree)
    return headers


@pytest.fixture(scope="module")
def registry(tmp_path_factory, taxonomy):
    folder = tmp_path_factory.mktemp("every-language")
    url = f"sqlite:///{folder / 'atlas.db'}"
    store = Store(url)
    store.upgrade()
    rows = make_registry(24, located_share=1.0)
    # A card whose description is in another language than the page's (marked as such).
    rows.insert(0, make_organisation(name="Kooperatywa", website="https://k.example",
                                  description_en="", description_fr="",
                                  description_pl="Spółdzielnia cyfrowa.", latitude="52.2",
                                  longitude="21.0", country="PL", city="Warszawa"))
    ids = import_bytes(to_csv(rows), "every.csv", store, taxonomy, Settings(database_url=url),
                       ImportOptions()).ids
    store.dispose()
    return url, ids[0]


def _visits(org_id: int):
    """(name, run) for every public page: map with list and card, each research view,
    About, the suggestion form sent empty (its problems beside the fields)."""
    yield "map", lambda lang: run_app(lang=lang, org=str(org_id))
    for view in RESEARCH_VIEWS:
        yield f"research {view}", lambda lang, view=view: run_app(
            "screens/research.py", lang=lang, view=view, country=["FR", "PL"])
    yield "about", lambda lang: run_app("screens/about.py", lang=lang)

    def suggest(lang):
        at = run_app("screens/suggest.py", lang=lang)
        at.text_area(key="suggest-description").input("Une description.")
        at.form_submit_button[0].click().run()
        return at
    yield "suggest", suggest


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_public_page_speaks_the_visitors_language(registry, monkeypatch, lang):
    url, org_id = registry
    monkeypatch.setenv("ATLAS_DATABASE_URL", url)
    found = {}
    for name, visit in _visits(org_id):
        at = visit(lang)
        assert not at.exception, (name, at.exception)
        leaks = english_leaks(page_texts(at), lang)
        # A header is shown as it is, even one lowercase word ("name", "sector").
        leaks += english_leaks(table_headers(at), lang, identifiers=True)
        if leaks:
            found[name] = leaks
    assert found == {}, f"English on the {lang} pages: {found}"


def test_the_check_finds_a_string_left_untranslated(registry, monkeypatch):
    """The test above can fail: with one message taken out of the German catalogue, the
    German map shows it in English and the check names it."""
    url, org_id = registry
    monkeypatch.setenv("ATLAS_DATABASE_URL", url)
    german = translator("de")
    for message in ("Close", "Visit the website"):
        monkeypatch.delitem(german.messages, message)
    at = run_app(lang="de", org=str(org_id))
    leaks = english_leaks(page_texts(at), "de")
    assert ("Close", "Close") in leaks and ("Visit the website", "Visit the website") in leaks


def test_pieces_are_cut_at_tags_lines_and_sentence_parts():
    assert pieces(["<p>Close</p>\n**Sector** · 3 of 4", r"Keywords: a\, b"]) == \
        ["Close", "Sector", "3 of 4", "Keywords: a, b"]
