"""Translations and shareable views."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir

from atlas_app.i18n import available_languages, choose_language, translator
from atlas_app.public.filters import Filters
from atlas_app.public.permalink import View, parse_view, view_params

PACKAGE = Path(__file__).resolve().parent.parent / "atlas_app"


def source_messages() -> set[str]:
    found = extract_from_dir(str(PACKAGE), keywords={"_": None, "N_": None},
                             method_map=[("**.py", "python")])
    return {message for _file, _line, message, _comments, _context in found
            if isinstance(message, str)}


def test_every_message_has_a_french_translation():
    messages = source_messages()
    assert len(messages) > 50
    fr = translator("fr")
    missing = sorted(m for m in messages if m not in fr.messages)
    assert missing == [], "run `make messages` and translate atlas_app/locale/fr.po"


def test_translations_keep_their_placeholders():
    fr = translator("fr")
    for source, translated in fr.messages.items():
        assert sorted(part.split("}")[0] for part in source.split("{")[1:]) == \
            sorted(part.split("}")[0] for part in translated.split("{")[1:]), source


@pytest.mark.parametrize("requested, browser, expected", [
    (None, "fr-FR", "fr"), (None, "en-GB", "en"), (None, "de-DE", "en"), ("fr", "en-US", "fr"),
    ("xx", "fr-BE", "fr"), (None, None, "en"), ("FR", None, "fr")])
def test_choose_language(requested, browser, expected):
    assert choose_language(requested, browser) == expected


def test_languages_and_numbers():
    assert available_languages() == ("en", "fr")
    assert translator("fr").number(1203) == "1\u202f203"
    assert translator("en").number(1203) == "1,203"
    assert translator("de")("Map") == "Map"


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
