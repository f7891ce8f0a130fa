"""Finding English interface text on a page shown in another language.

The catalogue's English messages (``atlas.pot``) become patterns (a placeholder matches any
text); a piece of visible text that is exactly one of them, on a page in a language whose
translation of it differs, is English that should not be there. Text is cut into pieces at
tags, line ends, double quotes (JSON: chart titles) and the `` · `` that joins a sentence's
parts, so that a message shown
inside a longer line is still found. Data (names, cities, descriptions) is never a whole
catalogue message, so it does not count.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import lru_cache

from babel.messages.pofile import read_po

from atlas_app.i18n import LOCALE_DIR, cldr_locale

# English on purpose: the language switch is also named in English, so that someone who
# cannot read the page's language finds it ("Language · Sprache").
ENGLISH_ON_PURPOSE = frozenset({"Language"})
# English that is in no catalogue but that a page could still show: Leaflet's and
# Streamlit's own words (they have no translations of their own). Never acceptable on a
# page in another language.
LIBRARY_ENGLISH = ("A JavaScript library for interactive maps", "Zoom in", "Zoom out",
                   "Press Enter to apply", "Press Enter to submit form",
                   "Press ⌘+Enter to apply", "Press Ctrl+Enter to apply",
                   "Press ⌘+Enter to submit form", "Press Ctrl+Enter to submit form",
                   "Choose an option", "No results", "Drag and drop file here",
                   "Browse files")
_PLACEHOLDER = re.compile(r"\{\w+\}")
_PIECES = re.compile(r"<[^>]*>|\n|\s·\s|\\n|\"")
# One lowercase word: a JSON key or a column's id ("name", "sector"), not something shown.
_IDENTIFIER = re.compile(r"^[a-z_]+$")
_MARKUP = re.compile(r"\\(?=[^\w\s])|\*\*|(?<!\w)_(?!\w)")


@dataclass(frozen=True)
class Message:
    msgid: str          # the catalogue's key (the English singular)
    english: str        # this form's English text
    pattern: re.Pattern


def _pattern(text: str) -> re.Pattern | None:
    """The English text as a whole-string pattern; None when it is too short or all
    placeholders to tell English from data."""
    literal = _PLACEHOLDER.sub("", text)
    if sum(c.isalpha() for c in literal) < 4:
        return None
    parts = [re.escape(p) for p in _PLACEHOLDER.split(text)]
    return re.compile("^" + ".+?".join(parts) + "$", re.DOTALL)


@lru_cache(maxsize=1)
def english_messages() -> tuple[Message, ...]:
    with open(LOCALE_DIR / "atlas.pot", "rb") as fh:
        catalog = read_po(fh)
    found = []
    for message in catalog:
        if not message.id:
            continue
        forms = message.id if isinstance(message.id, tuple) else (message.id,)
        for english in forms:
            pattern = _pattern(english)
            if pattern is not None:
                found.append(Message(forms[0], english, pattern))
    known = {m.english for m in found}
    found += [Message(text, text, re.compile("^" + re.escape(text) + "$"))
              for text in LIBRARY_ENGLISH if text not in known]
    return tuple(found)


@lru_cache(maxsize=None)
def _catalogue(lang: str) -> dict:
    """``lang``'s catalogue as written in its file (not as the app uses it: a message the
    app fails to translate must still count as one that differs)."""
    with open(LOCALE_DIR / f"{lang}.po", "rb") as fh:
        catalog = read_po(fh, locale=cldr_locale(lang))
    return {m.id[0] if isinstance(m.id, tuple) else m.id: m.string for m in catalog if m.id}


def _same_in(lang: str, message: Message) -> bool:
    """Whether ``lang``'s catalogue writes this message as English does (then seeing it
    proves nothing)."""
    written = _catalogue(lang).get(message.msgid)
    if isinstance(written, tuple):
        return message.english in written
    return written == message.english


def pieces(texts) -> list[str]:
    """Visible text cut into the pieces a message could fill whole."""
    out = []
    for text in texts:
        for piece in _PIECES.split(html.unescape(str(text))):
            piece = _MARKUP.sub("", piece).strip()
            if piece:
                out.append(piece)
    return out


def english_leaks(texts, lang: str, *, identifiers: bool = False) -> list[tuple[str, str]]:
    """(text, English message) for each piece of ``texts`` that is an English catalogue
    message which ``lang`` translates otherwise. One lowercase word is taken for an
    identifier (a JSON key) and let through, unless ``identifiers`` says the texts are
    all shown (table headers)."""
    wanted = [m for m in english_messages()
              if m.msgid not in ENGLISH_ON_PURPOSE and not _same_in(lang, m)]
    leaks = []
    for piece in dict.fromkeys(pieces(texts)):
        if not identifiers and _IDENTIFIER.match(piece):
            continue
        for message in wanted:
            if message.pattern.match(piece):
                leaks.append((piece, message.english))
                break
    return leaks
