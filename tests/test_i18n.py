"""Translations and shareable views."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir

from atlas_app.i18n import available_languages, choose_language, translator
from atlas_app.public.filters import Filters, describe_filters
from atlas_app.public.permalink import View, parse_view, view_params

PACKAGE = Path(__file__).resolve().parent.parent / "atlas_app"


def source_messages() -> set[str | tuple[str, str]]:
    """Every message the code marks: a text, or a (singular, plural) pair."""
    found = extract_from_dir(str(PACKAGE), keywords={"_": None, "N_": None,
                                                     "ngettext": (1, 2)},
                             method_map=[("**.py", "python")])
    return {message for _file, _line, message, _comments, _context in found}


def _fields(text: str) -> list[str]:
    return sorted(part.split("}")[0] for part in text.split("{")[1:])


CATALOGUES = [lang for lang in available_languages() if lang != "en"]


@pytest.mark.parametrize("lang", CATALOGUES)
def test_every_message_is_translated_in_every_catalogue(lang):
    messages = source_messages()
    assert len(messages) > 50
    t = translator(lang)
    missing = sorted(str(m) for m in messages
                     if (m[0] not in t.plurals if isinstance(m, tuple) else m not in t.messages))
    assert missing == [], f"run `make messages` and translate atlas_app/locale/{lang}.po"


@pytest.mark.parametrize("lang", CATALOGUES)
def test_translations_keep_their_placeholders(lang):
    t = translator(lang)
    for source, translated in t.messages.items():
        assert _fields(source) == _fields(translated), (lang, source)
    for singular, forms in t.plurals.items():
        assert all(_fields(form) == _fields(singular) for form in forms), (lang, singular)


@pytest.mark.parametrize("requested, browser, expected", [
    (None, "fr-FR", "fr"), (None, "en-GB", "en"), (None, "de-DE", "de"), (None, "ja-JP", "en"), ("fr", "en-US", "fr"),
    ("xx", "fr-BE", "fr"), (None, None, "en"), ("FR", None, "fr")])
def test_choose_language(requested, browser, expected):
    assert choose_language(requested, browser) == expected


def test_languages_and_numbers():
    assert available_languages() == ("en", "de", "es", "fr", "it", "pl", "pt")
    assert translator("fr").number(1203) == "1\u202f203"
    assert translator("en").number(1203) == "1,203"
    assert translator("ja")("Map") == "Map", "no catalogue: English"
    assert translator("pl").number(1203) == "1\xa0203"


def test_view_round_trip(taxonomy):
    view = View("fr", Filters(("FR", "DE"), ("health",), ("solution",), "coop lab"), 12)
    params = view_params(view)
    assert params == {"lang": "fr", "country": ["FR", "DE"], "sector": ["health"],
                      "kind": ["solution"], "q": "coop lab", "org": "12"}

    def get_all(name):
        value = params.get(name, [])
        return value if isinstance(value, list) else [value]

    assert parse_view(get_all, taxonomy, ("en", "fr")) == view


def test_mangled_params_are_dropped(taxonomy):
    params = {"lang": ["klingon"], "country": ["fr", "France", "DE", "DE"],
              "sector": ["space"], "kind": ["maybe", "support"], "org": ["x"]}
    view = parse_view(lambda n: params.get(n, []), taxonomy, ("en", "fr"))
    assert view == View(None, Filters(("FR", "DE"), (), ("support",), ""), None)


@pytest.mark.parametrize("lang, counts, expected", [
    ("en", (1, 1), "1 of 1 organisation"), ("en", (1, 12), "1 of 12 organisations"),
    ("en", (0, 0), "0 of 0 organisations"),
    ("fr", (1, 1), "1 sur 1 organisation"), ("fr", (0, 0), "0 sur 0 organisation"),
    ("fr", (3, 1234), "3 sur 1\u202f234 organisations"),
])
def test_the_result_sentence_agrees_in_number(lang, counts, expected, taxonomy):
    """Issue 17: "1 organisations" is gone; French counts 0 and 1 as singular."""
    from atlas_app.public.filters import Filters, describe_filters

    assert describe_filters(Filters(), *counts, taxonomy, lang) == expected


def test_durations_and_lists_are_worded_in_the_language():
    import datetime as dt

    from atlas_app.i18n import translator

    wait = dt.timedelta(seconds=30)
    assert translator("en")("try again in {wait}.", wait=wait) == "try again in 30 seconds."
    assert translator("fr").items(["A", "B", "C"]) == "A, B et C"
    assert translator("en").items(["A", "B", "C"]) == "A, B, and C"


def test_each_language_is_offered_by_its_own_name():
    from atlas_app.i18n import language_name

    assert [language_name(c) for c in ("en", "fr", "de", "pl")] == \
        ["English", "Français", "Deutsch", "Polski"]


@pytest.mark.parametrize("lang", available_languages())
def test_every_language_has_every_sector_label(lang, taxonomy):
    """Adding a language is one catalogue plus one ``label_<lang>`` column."""
    assert lang in taxonomy.languages
    assert all(dict(s.labels).get(lang) for s in taxonomy.sectors)
    assert taxonomy.resolve(taxonomy.sectors[0].label(lang)) == taxonomy.sectors[0].id


@pytest.mark.parametrize("lang, expected", [
    ("de", "3 von 12 Organisationen · Land: Deutschland"),
    ("pl", "3 z 12 organizacji"),
])
def test_the_sentence_in_other_languages(lang, expected, taxonomy):
    from atlas_app.public.filters import Filters, describe_filters

    filters = Filters(countries=("DE",)) if lang == "de" else Filters()
    assert describe_filters(filters, 3, 12, taxonomy, lang) == expected


def test_every_reader_error_has_a_code_the_interface_words():
    """A file that cannot be read is told in the page's language: each FileReadError the
    reader raises carries a code that problem_words.ERROR_WORDS words."""
    import ast
    import inspect

    from atlas_app.intake import reader
    from atlas_app.ui.problem_words import ERROR_WORDS

    calls = [node for node in ast.walk(ast.parse(inspect.getsource(reader)))
             if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "FileReadError"]
    assert len(calls) >= 20
    def codes_of(call: ast.Call) -> list:
        code = call.args[1] if len(call.args) > 1 else call.keywords and None
        if isinstance(code, ast.IfExp):
            return [getattr(code.body, "value", None), getattr(code.orelse, "value", None)]
        return [getattr(code, "value", None)]

    codes = [code for call in calls for code in codes_of(call)]
    assert None not in codes, [ast.unparse(call)[:80] for call in calls if None in codes_of(call)]
    assert {c for c in codes if c} <= set(ERROR_WORDS)


@pytest.mark.parametrize("data, name, code, words", [
    (b"PK\x03\x04rest", "f.zip", "zip_archive", "archive ZIP"),
    (b"name,city\n", "f.csv", "header_only", "ligne d’en-tête"),
    (b'{"type": "Point"}', "f.geojson", "not_geojson", "« Point »"),
])
def test_a_file_that_cannot_be_read_is_told_in_french(data, name, code, words):
    from atlas_app.errors import FileReadError
    from atlas_app.intake.reader import read_bytes
    from atlas_app.ui.problem_words import error_message

    with pytest.raises(FileReadError) as caught:
        read_bytes(data, name, max_bytes=1_000_000, max_rows=1000)
    assert caught.value.code == code
    message = error_message(caught.value, translator("fr"))
    assert words in message and message != str(caught.value)


@pytest.mark.parametrize("n, expected", [(0, "0 de 0 organizações"),
                                         (1, "1 de 1 organização"),
                                         (2, "2 de 2 organizações")])
def test_portuguese_follows_portugal_not_brazil(n, expected, taxonomy):
    """The catalogue is European Portuguese: zero takes the plural (Brazil's rule would say
    "0 organização"), numbers group with a space, Poland is Polónia, Moscow Moscovo —
    while the link keeps ?lang=pt."""
    from atlas_app.places.countries import country_name
    from atlas_app.places.exonyms import city_in

    assert describe_filters(Filters(), n, n, taxonomy, "pt") == expected
    t = translator("pt")
    assert t.lang == "pt" and t.number(1234567.5) == "1\xa0234\xa0567,5"
    assert (country_name("PL", "pt"), city_in("Moscow", "pt")) == ("Polónia", "Moscovo")
    assert view_params(View(lang="pt")) == {"lang": "pt"}
