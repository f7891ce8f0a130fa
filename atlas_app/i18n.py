"""Translations: gettext-style catalogues (``atlas_app/locale/<lang>.po``) read with Babel.

English is the source language. Adding a language is adding a catalogue: extract the
messages with ``make messages`` and translate the new ``.po`` file. No compile step: the
``.po`` files are read directly.
"""

from __future__ import annotations

import datetime as dt
import gettext
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from babel import Locale
from babel.dates import format_timedelta
from babel.lists import format_list
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
SOURCE_LANGUAGE = "en"
# A catalogue's language → the CLDR locale whose rules (plural forms, numbers, country and
# city names) it follows, where the bare language would mean another variety: the
# Portuguese catalogue is European Portuguese, and CLDR's "pt" is Brazil's ("0
# organização", "Polônia", "Moscou" instead of "0 organizações", "Polónia", "Moscovo").
# The link keeps the language (``?lang=pt``).
CLDR_LOCALES = {"pt": "pt_PT"}


def cldr_locale(lang: str) -> str:
    """The CLDR locale for a catalogue's language: ``pt`` → ``pt_PT``, ``de`` → ``de``."""
    return CLDR_LOCALES.get(lang, lang)


def N_(message: str) -> str:
    """Mark a string for extraction without translating it yet (for tables of labels)."""
    return message


@lru_cache(maxsize=1)
def available_languages() -> tuple[str, ...]:
    """English plus every language with a catalogue, e.g. ("en", "fr")."""
    return (SOURCE_LANGUAGE, *sorted(p.stem for p in LOCALE_DIR.glob("*.po")))


def language_name(code: str) -> str:
    """A language's name in that language, as its speakers write it: ``Deutsch``,
    ``Français``, ``polski`` → ``Polski``."""
    try:
        name = Locale.parse(code).get_display_name(cldr_locale(code)) or code
    except (ValueError, LookupError):
        return code
    return name[:1].upper() + name[1:]


def language_name_in(code: str, lang: str) -> str:
    """A language's name as ``lang`` writes it inside a sentence: ``allemand`` in French,
    ``German`` in English."""
    try:
        return Locale.parse(code).get_display_name(cldr_locale(lang)) or code
    except (ValueError, LookupError):
        return code


def _plural_rule(lang: str) -> Callable[[int], int]:
    """Which of a language's plural forms a count takes (gettext's rule from CLDR)."""
    try:
        return gettext.c2py(get_plural(cldr_locale(lang)).plural_expr)
    except (ValueError, LookupError):
        return gettext.c2py("(n != 1)")


@dataclass(frozen=True)
class Translator:
    """gettext for one language; unknown messages fall back to English."""

    lang: str
    messages: dict[str, str]
    plurals: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def gettext(self, message: str, /, **values: object) -> str:
        text = self.messages.get(message) or message
        return text.format(**self._worded(values)) if values else text

    __call__ = gettext

    def ngettext(self, singular: str, plural: str, n: int, /, **values: object) -> str:
        """The form for ``n`` ("1 organisation", "2 organisations"; Polish has three)."""
        forms = self.plurals.get(singular)
        if forms:
            index = _plural_rule(self.lang)(abs(int(n)))
            text = forms[min(index, len(forms) - 1)] or (singular if n == 1 else plural)
        else:
            text = singular if n == 1 else plural
        return text.format(**self._worded(values)) if values else text

    def _worded(self, values: dict[str, object]) -> dict[str, object]:
        """Durations in words of the language ("30 seconds", « 2 minutes »)."""
        return {k: format_timedelta(v, locale=cldr_locale(self.lang))
                if isinstance(v, dt.timedelta) else v for k, v in values.items()}

    def number(self, value: int | float) -> str:
        return format_decimal(value, locale=cldr_locale(self.lang))

    def items(self, values: Sequence[str]) -> str:
        """A list as the language writes it: "A, B and C", « A, B et C »."""
        return format_list(list(values), locale=cldr_locale(self.lang)) if values else ""


@lru_cache(maxsize=None)
def translator(lang: str) -> Translator:
    """The Translator for ``lang`` (English when there is no such catalogue)."""
    path = LOCALE_DIR / f"{lang}.po"
    if lang == SOURCE_LANGUAGE or not path.is_file():
        return Translator(SOURCE_LANGUAGE if not path.is_file() else lang, {})
    with open(path, "rb") as fh:
        catalog = read_po(fh, locale=cldr_locale(lang))
    messages = {m.id: m.string for m in catalog
                if m.id and isinstance(m.id, str) and m.string and not m.fuzzy}
    plurals = {m.id[0]: tuple(m.string) for m in catalog
               if isinstance(m.id, tuple) and not m.fuzzy and any(m.string)}
    return Translator(lang, messages, plurals)


def choose_language(requested: str | None, browser_locale: str | None) -> str:
    """The UI language: the one asked for in the URL, else the browser's, else English."""
    languages = available_languages()
    for candidate in (requested, browser_locale):
        if candidate:
            code = candidate.replace("_", "-").split("-")[0].lower()
            if code in languages:
                return code
    return SOURCE_LANGUAGE
