"""AppTest: the public pages as a visitor uses them (widgets found by key)."""

from __future__ import annotations

import pandas as pd
import pytest

from atlas_app.intake.pipeline import ImportOptions, import_bytes
from atlas_app.public.detail import md_escape
from atlas_app.registry.store import Store
from atlas_app.settings import Settings
from tests.support.apptest import detail_text, run_app, summary
from tests.support.factories import make_organisation, make_registry, to_csv


@pytest.fixture
def app_db(tmp_path, monkeypatch, taxonomy):
    url = f"sqlite:///{tmp_path / 'app.db'}"
    monkeypatch.setenv("ATLAS_DATABASE_URL", url)
    store = Store(url)
    store.upgrade()

    def load(rows, **options):
        report = import_bytes(to_csv(rows), f"f{len(rows)}-{store.revision()}.csv", store,
                              taxonomy, Settings(database_url=url), ImportOptions(**options))
        return report.ids
    yield load
    store.dispose()


def test_empty_registry_says_so(app_db):
    at = run_app()
    assert "no published organisations yet" in at.info[0].value


def test_summary_filters_and_the_url_follows(app_db):
    app_db(make_registry(40))
    app_db([make_organisation(name="Hidden", website="https://h.org")], status="pending")
    at = run_app()
    assert summary(at) == "40 of 40 organisations"
    at.multiselect(key="country").set_value(["FR"]).run()
    assert summary(at).endswith("of 40 organisations · country is France")
    shown = int(summary(at).split()[0])
    assert 0 < shown < 40
    assert len(at.get_by_key("organisation-list").dataframe[0].value) == shown
    assert at.query_params["country"] == "FR"
    at.pills(key="kind").set_value(["solution"]).run()
    assert at.query_params["kind"] == "solution"
    assert "kind is Alternative digital solution" in summary(at)


def test_a_shared_link_opens_exactly_that_view_in_french(app_db):
    ids = app_db([make_organisation(name="Le Lab", kind="solution", sector="health",
                                    country="FR", city="Lyon", description_en="",
                                    description_fr="Un laboratoire.",
                                    website="https://lelab.example"),
                  make_organisation(name="Other", website="https://other.example")])
    at = run_app(lang="fr", country=["FR", "DE"], sector="health", kind="solution",
                 q="lab", org=str(ids[0]))
    assert summary(at) == ("1 sur 2 organisations · pays : France ou Allemagne · "
                           "secteur : Santé et soin · type : Solution numérique alternative · "
                           "texte contenant « lab »")
    assert "Le Lab" in detail_text(at) and md_escape("Un laboratoire.") in detail_text(at)
    assert at.query_params["org"] == str(ids[0]) and at.query_params["lang"] == "fr"
    assert at.title[0].value == "Social Tech Atlas"
    assert at.caption[0].value.startswith("Les organisations européennes")


@pytest.mark.parametrize("lang, sentence", [
    ("de", "1 von 2 Organisationen · Sektor: Gesundheit und Pflege"),
    ("pl", "1 z 2 organizacji · sektor: Zdrowie i opieka"),
])
def test_a_visit_in_german_or_polish(app_db, lang, sentence):
    """Issue 17: the five new catalogues and sector labels reach the page."""
    app_db([make_organisation(name="Le Lab", sector="health", website="https://l.example"),
            make_organisation(name="Other", website="https://o.example")])
    at = run_app(lang=lang, sector="health")
    assert summary(at) == sentence
    assert at.query_params["lang"] == lang


def test_a_mangled_link_still_opens(app_db):
    app_db(make_registry(5))
    at = run_app(country=["ZZ", "fr"], sector="nope", kind="maybe", org="x", lang="xx")
    assert summary(at).endswith("· country is France") or summary(at).startswith("0 of 5")


def test_a_crafted_link_cannot_put_markdown_under_the_map(app_db):
    """HOSTILE (issue 18, finding 1): ``?q=`` is shown as text, never as a link or image."""
    app_db(make_registry(5))
    crafted = ("[session expired, sign in here](https://evil.example/login) "
               "![x](https://evil.example/pixel.png) :red[alert] <b>bold</b>")
    at = run_app(q=crafted)
    shown = summary(at)
    assert shown.startswith("0 of 5 organisations")
    for markup in ("](https://", "![", ":red[", "<b>"):
        assert markup not in shown, markup
    assert "\\[session expired, sign in here\\]" in shown


def test_a_huge_search_is_cut_to_a_few_words(app_db):
    """HOSTILE (issue 18, finding 6): thousands of words cost one short search."""
    from atlas_app.public.filters import MAX_QUERY_WORDS, Filters, apply_filters, query_words

    rows = make_registry(5)
    app_db(rows)
    words = " ".join(f"w{i}" for i in range(5000))
    assert len(query_words(words)) == MAX_QUERY_WORDS
    assert query_words("Paris " + words)[:2] == ["paris", "w0"]
    frame = pd.DataFrame([make_organisation(name="Paris Lab", tags="")])
    frame["tags"] = [[]]
    assert len(apply_filters(frame, Filters(q="paris " + words))) == 0
    at = run_app(q="x" * 5_000)
    assert summary(at).startswith("0 of 5") and "x" * 200 + "”" in summary(at)
    assert "x" * 201 not in summary(at)


def test_language_switch(app_db):
    app_db(make_registry(3))
    at = run_app()
    at.segmented_control(key="lang-switch").set_value("fr").run()
    assert summary(at) == "3 sur 3 organisations"
    assert at.query_params["lang"] == "fr"
    assert at.text_input(key="q").placeholder == "nom, ville, mot-clé…"


def test_empty_result_offers_a_reset(app_db):
    app_db(make_registry(5))
    at = run_app()
    at.text_input(key="q").set_value("no such organisation").run()
    assert summary(at).startswith("0 of 5")
    assert "No organisation matches" in at.warning[0].value
    at.button(key="reset-empty").click().run()
    assert summary(at) == "5 of 5 organisations"
    assert "q" not in at.query_params


def test_detail_falls_back_to_the_other_language_and_says_so(app_db):
    [org] = app_db([make_organisation(description_en="", description_fr="Seulement en français")])
    at = run_app(org=str(org))
    text = detail_text(at)
    assert "Seulement en français" in text
    assert "(description in French; none in English yet)" in text
    at.button(key="close-detail").click().run()
    assert "org" not in at.query_params


def test_hostile_text_in_the_detail_is_escaped_markdown(app_db):
    name = "[click](javascript:alert(1)) :red[big] $x$ <b>bold</b>"
    [org] = app_db([make_organisation(name=name)])
    at = run_app(org=str(org))
    heading = at.get_by_key("detail").subheader[0].value
    assert heading.startswith("\\[click\\]\\(javascript\\:alert\\(1\\)\\)")
    assert "\\<b\\>" in heading and "\\$x\\$" in heading


def test_list_selection_opens_the_detail(app_db):
    ids = app_db([make_organisation(name="Alpha", website="https://a.example"),
                  make_organisation(name="Beta", website="https://b.example")])
    at = run_app()
    assert list(at.session_state["org-list-ids"]) == ids
    at.session_state["org"] = ids[1]
    at.run()
    assert "Beta" in detail_text(at)


def test_about_page_in_french(app_db):
    at = run_app("screens/about.py", lang="fr")
    assert at.title[0].value == "À propos du Social Tech Atlas"
    assert "CC BY 4.0" in " ".join(m.value for m in at.markdown)


@pytest.mark.parametrize("view", ["focus", "compare", "choropleth", "crosstab"])
def test_each_research_view_renders_the_filtered_data(app_db, view):
    app_db(make_registry(40))
    at = run_app("screens/research.py", view=view, country=["FR", "PT"])
    text = at.get_by_key("research-summary").children[0].value
    assert text.endswith("· country is France or Portugal")
    assert at.query_params["view"] == view
    assert at.get_by_key("download-datapackage") is not None


def test_compare_table_matches_the_counts(app_db):
    app_db(make_registry(60))
    at = run_app("screens/research.py", view="compare", country=["FR", "DE"])
    table = at.get_by_key("compare-table").dataframe[0].value
    shown = int(at.get_by_key("research-summary").children[0].value.split()[0])
    assert table["organisations"].sum() == shown
    assert set(table["name"]) <= {"France", "Germany"}


def test_research_in_french_with_citation(app_db):
    app_db(make_registry(10))
    at = run_app("screens/research.py", lang="fr", view="crosstab")
    assert at.title[0].value == "Recherche"
    assert any("registry version r" in c.value for c in at.code)
    assert any(c.value.startswith("@misc{social_tech_atlas_") for c in at.code)


def test_a_capital_is_named_in_the_visitors_language(app_db):
    """Issue 17: Lisboa stays Lisboa in the data; the card says Lisbonne in French."""
    [org] = app_db([make_organisation(name="Coop Lx", city="Lisboa", country="PT",
                                      website="https://lx.example")])
    for lang, city in (("fr", "Lisbonne"), ("de", "Lissabon"), ("en", "Lisbon")):
        at = run_app(org=str(org), lang=lang)
        assert city in detail_text(at), (lang, detail_text(at))
