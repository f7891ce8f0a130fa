"""Read a place field the way a person would.

``75002 Paris`` is a postcode and a city; ``PARIS CEDEX 08`` is Paris; ``ST AMAND LES EAUX``
is Saint-Amand-les-Eaux; ``Praha 2 - Vinohrady`` is a district of Prague; ``City of Oulu``
is Oulu; ``20121 Milano MI`` is Milan in the province of Milan. :func:`read_place` turns
one field into the postcode it holds and the names worth trying, whole forms first.

Everything here is a table or a pattern: adding a country's habit is adding a line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Postcodes written inside a city field, per country, tried before the generic form.
# Letters are matched in capitals only: "1012 AB" is a Dutch postcode, "1012 ab" is not.
POSTCODE_PATTERNS: dict[str, str] = {
    "NL": r"\b\d{4}\s?[A-Z]{2}\b",
    "GB": r"\b[A-Z]{1,2}\d[A-Z\d]?(?:\s*\d[A-Z]{2})?\b",
    "IE": r"\b[A-Z]\d[\dW]\s?[A-Z\d]{4}\b",
    "PL": r"\b\d{2}-\d{3}\b",
    "PT": r"\b\d{4}-\d{3}\b",
    "CZ": r"\b\d{3}\s?\d{2}\b", "SK": r"\b\d{3}\s?\d{2}\b", "SE": r"\b\d{3}\s?\d{2}\b",
    "GR": r"\b\d{3}\s?\d{2}\b",
    "MT": r"\b[A-Z]{3}\s?\d{4}\b",
}
GENERIC_POSTCODE = r"(?:\b[A-Z]{1,2}-)?\b\d{4,6}\b"

# Abbreviations expanded per country; "*" applies everywhere. Keys are folded words.
ABBREVIATIONS: dict[str, dict[str, str]] = {
    "*": {"st": "saint", "ste": "sainte", "mt": "mount"},
    "DE": {"st": "sankt", "str": "strasse"}, "AT": {"st": "sankt"}, "CH": {"st": "sankt"},
    "NL": {"st": "sint"}, "BE": {"st": "sint"},
    "ES": {"sta": "santa", "sto": "santo", "s": "san"}, "PT": {"sta": "santa", "s": "sao"},
    "IT": {"s": "san", "sta": "santa", "sto": "santo"},
    "GB": {"gt": "great", "nth": "north", "sth": "south"},
}
# Words that name the kind of place rather than the place: "City of Oulu", "Comune di
# Fiesole", "Gemeinde Wien", "Leeds City Council", "Ville de Lyon".
PREFIXES = (
    r"co\.?", r"(?:the\s+)?(?:city|town|borough|county|municipality|village|london borough|"
    r"royal borough|metropolitan borough|district)\s+of", r"comune\s+di", r"citt[aà]\s+di",
    r"ville\s+de", r"commune\s+de", r"gemeinde", r"stadt", r"markt", r"gmina", r"miasto",
    r"m[eě]sto", r"obec", r"grad", r"ayuntamiento\s+de", r"concello\s+de",
    r"munic[ií]pio\s+de", r"c[aâ]mara\s+municipal\s+de", r"kommune", r"kommun",
)
SUFFIXES = (r"city\s+council", r"county\s+council", r"borough\s+council", r"council",
            r"city", r"municipality", r"gemeinde", r"kommune", r"kommun")
_KIND_PREFIX = re.compile(rf"^(?:{'|'.join(PREFIXES)})\s+", re.IGNORECASE)
_KIND_SUFFIX = re.compile(rf"\s+(?:{'|'.join(SUFFIXES)})$", re.IGNORECASE)
# Province codes after an Italian or Spanish town: "Milano MI", "Fiesole (FI)".
TRAILING_CODE = {"IT": r"\s+[A-Z]{2}$", "ES": r"\s+[A-Z]{1,2}$"}
# A numbered district: "Praha 7", "Paris 15e", "Lyon 3ème", "Wien 7.", "Budapest XIII.",
# "Marseille 13e arrondissement", "Wien 1. Bezirk".
NUMBERED = re.compile(
    r"^(?P<city>.*?\D)\s+(?:\d{1,2}\s*(?i:e|er|ème|eme|è|\.|st|nd|rd|th)?|[IVXL]{1,5}\.?)"
    r"(?:\s*(?i:arrondissement|arr\.?|bezirk|kerület|ker\.?|district|obvod))?$")
# Between a town and its district or qualifier: " - ", ",", "/", "OT" (German Ortsteil).
SEPARATORS = r"\s+-\s*|\s*-\s+|,|;|\.\s+|/|\s\|\s|\s+OT\s+|\s+Ortsteil\s+"
MAX_PHRASE_WORDS = 6  # a town's name is in the first words of a field, if anywhere
_CEDEX = re.compile(r"\bcedex\b(?:\s*\d{1,3})?", re.IGNORECASE)
_PUNCT = " ,;:.-/\\|'\""


@dataclass(frozen=True)
class Reading:
    """What a place field says: the postcode it holds and the names to try, in order.

    ``names`` are ``(text, how)`` pairs; ``how`` is ``whole`` (the field, cleaned),
    ``expanded`` (abbreviations written out), ``bare`` (a prefix, suffix or district
    number dropped), ``part`` (one piece of a compound) or ``word`` (one word, the last
    resort) or ``phrase`` (the first words of a longer field)."""

    names: tuple[tuple[str, str], ...]
    postcode: str | None
    compound: bool  # several parts or a number: "Praha 7", "Köln-Ehrenfeld", "Saint-Denis"


def find_postcode(text: str, country: str) -> str | None:
    """The first postcode in ``text`` for ``country``, as written, or None."""
    for pattern in (POSTCODE_PATTERNS.get(country), GENERIC_POSTCODE):
        if pattern:
            found = re.search(pattern, text)
            if found:
                return found.group(0)
    return None


def read_place(city: str, country: str, postcode: str | None = None) -> Reading:
    """The postcode (the one given, else one written in the city field) and the names."""
    text, found = strip_postal_noise(city or "", country)
    names = _Names()
    names.add(text, "whole")
    expanded = expand_abbreviations(text, country)
    names.add(expanded, "expanded")
    # Belgium's and Switzerland's French towns: "St-Josse" is Saint-, not Sint-/Sankt-.
    names.add(expand_abbreviations(text, "*"), "expanded")
    bare = strip_kind_words(expanded)
    names.add(bare, "bare")
    numbered = NUMBERED.match(bare)
    if numbered:
        names.add(numbered.group("city"), "bare")
    unbracketed = re.sub(r"\s*\([^)]*\)\s*", " ", bare)
    names.add(unbracketed, "bare")
    parts = split_parts(unbracketed)
    # What a bracket holds is a qualifier, tried after the rest: "Pisanova (Pisa)".
    brackets = [b for b in re.findall(r"\(([^)]*)\)", bare) if len(b.strip()) >= 3]
    parts += brackets
    for part in parts if len(parts) > 1 else ():
        names.add(part, "part")
        part_number = NUMBERED.match(part)
        if part_number:
            names.add(part_number.group("city"), "part")
    words = unbracketed.replace("-", " ").split()
    for n in range(min(len(words) - 1, MAX_PHRASE_WORDS), 0, -1):
        # "Wadhurst East Sussex", "YARNTON KIDLINGTON": a town, then more.
        if len(" ".join(words[:n])) >= 4:
            names.add(" ".join(words[:n]), "phrase")
    for word in words[:MAX_PHRASE_WORDS] if len(words) > 1 else ():
        if len(word) >= 4:
            names.add(word, "word")
    compound = bool(numbered) or len(parts) > 1
    return Reading(tuple(names), (postcode or "").strip() or found, compound)


class _Names(list):
    """Names to try, each once, in the order they were thought of."""

    def add(self, name: str, how: str) -> None:
        name = " ".join(name.split()).strip(_PUNCT)
        if len(name) >= 2 and all(name != n for n, _ in self):
            self.append((name, how))


def strip_postal_noise(city: str, country: str) -> tuple[str, str | None]:
    """The field without its postcode, CEDEX and province code; and the postcode."""
    text = " ".join(city.split())
    found = find_postcode(text, country)
    if found:
        text = text.replace(found, " ")
    text = _CEDEX.sub(" ", text)
    trailing = TRAILING_CODE.get(country)
    if trailing:
        text = re.sub(trailing, "", text.strip())
    return " ".join(text.split()).strip(_PUNCT), found


def split_parts(text: str) -> list[str]:
    """``Praha 2 - Vinohrady`` → ``Praha 2``, ``Vinohrady``; ``Köln-Ehrenfeld`` → ``Köln``,
    ``Ehrenfeld``; but ``Châlons-en-Champagne`` stays whole (three pieces make a name)."""
    parts = [p.strip(_PUNCT) for p in re.split(SEPARATORS, text)]
    parts = [p for p in parts if p]
    if len(parts) == 1 and parts[0].count("-") == 1:
        parts = parts[0].split("-")
    return [p for p in parts if len(p) >= 3]


def expand_abbreviations(text: str, country: str) -> str:
    """``ST AMAND LES EAUX`` → ``saint AMAND LES EAUX``; ``St. Pölten`` (AT) → ``sankt
    Pölten``; ``S. Giovanni`` (IT) → ``san Giovanni``."""
    table = {**ABBREVIATIONS["*"], **ABBREVIATIONS.get(country, {})} if country != "*" \
        else ABBREVIATIONS["*"]

    def replace(match: re.Match) -> str:
        full = table.get(match.group(1).casefold())
        return (full + (" " if match.group(2) else "")) if full else match.group(0)

    return " ".join(re.sub(r"\b(\w+)\b(\.?)", replace, text).split())


def strip_kind_words(text: str) -> str:
    """``City of Oulu`` → ``Oulu``; ``Leeds City Council`` → ``Leeds``."""
    bare = _KIND_PREFIX.sub("", text)
    bare = _KIND_SUFFIX.sub("", bare)
    return bare if len(bare) >= 2 else text
