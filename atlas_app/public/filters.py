"""Filter the registry by country, sector, kind and free text, and say so in a sentence."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from atlas_app.i18n import translator
from atlas_app.places.countries import country_name
from atlas_app.registry.schema import DESCRIPTION_FIELDS, KIND_LABELS, Taxonomy
from atlas_app.text import fold

# "descriptions": every description of the organisation, whatever its language, as one
# text (the index reads it so from the database; a frame's description_<lang> columns are
# joined by search_column).
SEARCHED_COLUMNS = ("name", "descriptions", "city", "tags")
# A search is a few words: longer text is cut, so that a pasted page or a crafted link
# cannot cost minutes of CPU (each word is one pass over the registry).
MAX_QUERY_CHARS = 200
MAX_QUERY_WORDS = 8


def query_words(q: str) -> list[str]:
    """The words searched for: folded, at most MAX_QUERY_WORDS of the first
    MAX_QUERY_CHARS characters."""
    return fold(q[:MAX_QUERY_CHARS]).split()[:MAX_QUERY_WORDS]


@dataclass(frozen=True)
class Filters:
    """A view of the registry. Empty tuples and an empty query mean "everything"."""

    countries: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    q: str = ""

    @property
    def active(self) -> bool:
        return bool(self.countries or self.sectors or self.kinds or self.q.strip())


def search_column(frame: pd.DataFrame) -> pd.Series:
    """Folded (case- and accent-free) text of the searched columns, one string per row."""
    parts = []
    for column in SEARCHED_COLUMNS:
        if column == "descriptions" and column not in frame:
            parts.extend(frame[c].fillna("").astype(str) for c in DESCRIPTION_FIELDS
                         if c in frame)
            continue
        values = frame[column]
        if column == "tags":
            values = values.map(lambda tags: " ".join(tags) if isinstance(tags, list) else "")
        parts.append(values.fillna("").astype(str))
    joined = parts[0].str.cat(parts[1:], sep=" ") if len(frame) else pd.Series([], dtype=str)
    return joined.map(fold)


def apply_filters(frame: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """The rows of ``frame`` that match every active filter."""
    mask = pd.Series(True, index=frame.index)
    if filters.countries:
        mask &= frame["country"].isin(filters.countries)
    if filters.sectors:
        mask &= frame["sector"].isin(filters.sectors)
    if filters.kinds:
        mask &= frame["kind"].isin(filters.kinds)
    words = query_words(filters.q)
    if words:
        haystack = search_column(frame)
        for word in words:
            mask &= haystack.str.contains(word, regex=False)
    return frame[mask]


def describe_filters(filters: Filters, shown: int, total: int, taxonomy: Taxonomy,
                     lang: str = "en") -> str:
    """ "42 of 1,203 organisations · country is France · sector is Health & care" """
    _ = translator(lang)
    either = _(" or ")
    parts = [_.ngettext("{shown} of {total} organisation", "{shown} of {total} organisations",
                        total, shown=_.number(shown), total=_.number(total))]
    if filters.countries:
        names = [country_name(c, lang) for c in filters.countries]
        parts.append(_("country is {value}", value=either.join(names)))
    if filters.sectors:
        labels = [s.label(lang) if (s := taxonomy.get(i)) else i for i in filters.sectors]
        parts.append(_("sector is {value}", value=either.join(labels)))
    if filters.kinds:
        labels = [_(KIND_LABELS.get(k, k)) for k in filters.kinds]
        parts.append(_("kind is {value}", value=either.join(labels)))
    if filters.q.strip():
        parts.append(_("text contains “{value}”", value=filters.q.strip()))
    return " · ".join(parts)
