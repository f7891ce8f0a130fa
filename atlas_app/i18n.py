"""Translations: gettext-style catalogues (``atlas_app/locale/<lang>.po``) read with Babel.

English is the source language. Adding a language is adding a catalogue: extract the
messages with ``make messages`` and translate the new ``.po`` file. No compile step: the
``.po`` files are read directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from babel.messages.pofile import read_po
from babel.numbers import format_decimal

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
SOURCE_LANGUAGE = "en"


def N_(message: str) -> str:
    """Mark a string for extraction without translating it yet (for tables of labels)."""
    return message


def available_languages() -> tuple[str, ...]:
    """English plus every language with a catalogue, e.g. ("en", "fr")."""
    return (SOURCE_LANGUAGE, *sorted(p.stem for p in LOCALE_DIR.glob("*.po")))


@dataclass(frozen=True)
class Translator:
    """gettext for one language; unknown messages fall back to English."""

    lang: str
    messages: dict[str, str]

    def gettext(self, message: str, /, **values: object) -> str:
        text = self.messages.get(message) or message
        return text.format(**values) if values else text

    __call__ = gettext

    def number(self, value: int | float) -> str:
        return format_decimal(value, locale=self.lang)


@lru_cache(maxsize=None)
def translator(lang: str) -> Translator:
    """The Translator for ``lang`` (English when there is no such catalogue)."""
    path = LOCALE_DIR / f"{lang}.po"
    if lang == SOURCE_LANGUAGE or not path.is_file():
        return Translator(SOURCE_LANGUAGE if not path.is_file() else lang, {})
    with open(path, "rb") as fh:
        catalog = read_po(fh, locale=lang)
    messages = {m.id: m.string for m in catalog
                if m.id and isinstance(m.id, str) and m.string and not m.fuzzy}
    return Translator(lang, messages)


def choose_language(requested: str | None, browser_locale: str | None) -> str:
    """The UI language: the one asked for in the URL, else the browser's, else English."""
    languages = available_languages()
    for candidate in (requested, browser_locale):
        if candidate:
            code = candidate.replace("_", "-").split("-")[0].lower()
            if code in languages:
                return code
    return SOURCE_LANGUAGE
