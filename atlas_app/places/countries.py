"""Country names in many languages (CLDR via Babel) mapped to ISO 3166-1 alpha-2 codes."""

from __future__ import annotations

import re
from functools import lru_cache

from babel import Locale
from rapidfuzz import fuzz, process

from atlas_app.i18n import cldr_locale
from atlas_app.text import fold

# Languages whose CLDR country names we accept on input: Europe's languages plus a few
# that European data often arrives in.
INPUT_LANGUAGES = (
    "en", "fr", "de", "es", "it", "pt", "nl", "pl", "cs", "sk", "sl", "hr", "sr", "bs",
    "bg", "ro", "hu", "el", "sv", "da", "nb", "nn", "fi", "et", "lv", "lt", "ga", "mt",
    "is", "uk", "ru", "be", "ca", "eu", "gl", "lb", "sq", "mk", "tr", "cy", "fy",
)

# Names CLDR does not list but that real files use; the parts of the United Kingdom map
# to GB because ISO 3166-1 has no code for them.
ALIASES = {
    "uk": "GB", "u.k.": "GB", "england": "GB", "scotland": "GB", "wales": "GB",
    "northern ireland": "GB", "great britain": "GB", "britain": "GB",
    "el": "GR", "holland": "NL", "the netherlands": "NL", "czech republic": "CZ",
    "slovak republic": "SK", "republic of ireland": "IE", "macedonia": "MK",
    "republic of moldova": "MD", "kosovo": "XK", "xk": "XK",
    # ISO 3166 short names and older English names that CLDR no longer lists.
    "turkey": "TR", "russian federation": "RU", "moldova, republic of": "MD",
    "bosnia": "BA", "bosnia-herzegovina": "BA", "holy see": "VA", "vatican": "VA",
    "vatican city state": "VA", "macedonia, the former yugoslav republic of": "MK",
    "the former yugoslav republic of macedonia": "MK", "fyrom": "MK",
    "republic of north macedonia": "MK", "republic of serbia": "RS",
    "republic of kosovo": "XK", "belarus, republic of": "BY", "byelorussia": "BY",
    "faroe islands": "FO", "faeroe islands": "FO", "aland islands": "AX",
    "svalbard and jan mayen": "SJ", "united kingdom of great britain and northern ireland": "GB",
    "korea, republic of": "KR", "republic of korea": "KR",
    "korea, democratic people's republic of": "KP", "iran, islamic republic of": "IR",
    "syrian arab republic": "SY", "lao people's democratic republic": "LA",
    "bolivia, plurinational state of": "BO", "venezuela, bolivarian republic of": "VE",
    "tanzania, united republic of": "TZ", "congo, the democratic republic of the": "CD",
    "palestine, state of": "PS", "taiwan, province of china": "TW",
    "united states of america": "US", "u.s.a.": "US", "ivory coast": "CI",
    "swaziland": "SZ", "burma": "MM", "east timor": "TL",
}

# Qualifiers that never change which country is meant ("Netherlands, The").
PLAIN_QUALIFIERS = frozenset({"the", "republic of", "kingdom of", "principality of",
                              "grand duchy of", "state of", "the republic of"})

_ISO = re.compile(r"^[A-Z]{2}$")


def _key(name: str) -> str:
    """``Bosnia & Herzegovina`` and ``Bosnia and Herzegovina`` share one key."""
    return fold(name).replace(" & ", " and ").strip(" .")


@lru_cache(maxsize=1)
def _name_index() -> dict[str, str]:
    index: dict[str, str] = {}
    english = Locale("en").territories
    codes = {code for code in english if _ISO.match(code) and code not in ("ZZ", "EU", "EZ", "UN", "QO")}
    for lang in INPUT_LANGUAGES:
        try:
            names = Locale.parse(lang).territories
        except (ValueError, LookupError):
            continue
        for code in codes:
            name = names.get(code)
            if name:
                index.setdefault(_key(name), code)
    for code in codes:
        index.setdefault(fold(code), code)
    index.update({_key(k): v for k, v in ALIASES.items()})
    return index


@lru_cache(maxsize=1)
def known_codes() -> frozenset[str]:
    return frozenset(_name_index().values())


def resolve_country(value: str) -> str | None:
    """ISO code for a code or a country name in a common language; None when unknown.

    >>> resolve_country("Österreich"), resolve_country("uk"), resolve_country("NA")
    ('AT', 'GB', 'NA')
    """
    key = _key(value)
    if not key:
        return None
    index = _name_index()
    found = index.get(key)
    if found is None and "," in key:
        # ISO's "Name, Qualifier" order: "Korea, Republic of" → "Republic of Korea".
        name, _, qualifier = (part.strip() for part in key.partition(","))
        found = index.get(f"{qualifier} {name}")
        if found is None and qualifier in PLAIN_QUALIFIERS:
            found = index.get(name)
    return found


def suggest_country(value: str) -> str | None:
    """The closest known country for a misspelling (``Frace`` → ``FR``), or None."""
    key = fold(value)
    if len(key) < 4:
        return None
    names = [name for name in _name_index() if len(name) > 3]
    match = process.extractOne(key, names, scorer=fuzz.ratio, score_cutoff=75)
    return _name_index()[match[0]] if match else None


@lru_cache(maxsize=4096)
def country_name(code: str, lang: str = "en") -> str:
    """The country's name in ``lang`` (CLDR), or the code itself when unknown."""
    try:
        return Locale.parse(cldr_locale(lang)).territories.get(code, code)
    except (ValueError, LookupError):
        return code


# The Council of Europe's members and observers' neighbourhood: the atlas's home area.
EUROPE = frozenset(
    "AD AL AM AT AZ BA BE BG BY CH CY CZ DE DK EE ES FI FO FR GB GE GG GI GR HR HU IE IM IS "
    "IT JE LI LT LU LV MC MD ME MK MT NL NO PL PT RO RS RU SE SI SK SM TR UA VA XK AX SJ GL"
    .split())
