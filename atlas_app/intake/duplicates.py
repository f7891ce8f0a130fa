"""Find possible duplicates: the same website domain, or a close name in the same place."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz

from atlas_app.text import name_key, website_key

NAME_SIMILARITY = 92


@dataclass(frozen=True)
class Candidate:
    """An organisation reduced to what duplicate detection compares."""

    ref: int
    name: str
    country: str | None
    city: str | None
    website: str | None
    place: str | None = None  # a key for the city: a GeoNames id when known


def candidate_place(c: Candidate) -> tuple[str, str]:
    """Same place, same key: ``Lisbon`` and ``Lisboa`` share their GeoNames id."""
    return (c.country or "", c.place or name_key(c.city or ""))


class DuplicateIndex:
    """Organisations indexed by website domain and by place, to find resemblances fast."""

    def __init__(self, candidates: Iterable[Candidate] = ()) -> None:
        self._by_site: dict[str, Candidate] = {}
        self._by_place: dict[tuple[str, str], list[tuple[str, Candidate]]] = {}
        for c in candidates:
            self.add(c)

    def add(self, c: Candidate) -> None:
        key = website_key(c.website)
        if key:
            self._by_site.setdefault(key, c)
        self._by_place.setdefault(candidate_place(c), []).append((name_key(c.name), c))

    def match(self, c: Candidate) -> tuple[int, str] | None:
        """(ref, reason) of an indexed organisation that ``c`` resembles, or None."""
        key = website_key(c.website)
        other = self._by_site.get(key) if key else None
        if other is not None and other.ref != c.ref:
            return other.ref, f"same website domain {key}"
        mine = name_key(c.name)
        for name, other in self._by_place.get(candidate_place(c), ()):
            if other.ref != c.ref and fuzz.ratio(mine, name) >= NAME_SIMILARITY:
                return other.ref, f"same or close name in {c.city}"
        return None


def find_matches(new: Iterable[Candidate], existing: Iterable[Candidate]
                 ) -> dict[int, tuple[int, str]]:
    """For each new candidate that resembles one in ``existing``: (existing ref, reason)."""
    index = DuplicateIndex(existing)
    return {c.ref: m for c in new if (m := index.match(c)) is not None}


@dataclass(frozen=True)
class DuplicateGroup:
    """The rows of a file that resemble one organisation: a registry entry (``ref``) or
    an earlier row of the file (``other``). Staff decide once for the whole group."""

    key: str
    lines: tuple[int, ...]
    ref: int | None = None
    other: int | None = None
    reason: str = ""


def group_duplicates(problems: Iterable) -> list[DuplicateGroup]:
    """Group duplicate warnings by what they resemble, in file order."""
    groups: dict[str, list] = {}
    for p in problems:
        if p.code == "duplicate_in_registry" and p.ref is not None:
            groups.setdefault(f"registry:{p.ref}", []).append(p)
        elif p.code == "duplicate_in_file" and p.other is not None:
            groups.setdefault(f"file:{p.other}", []).append(p)
    return [DuplicateGroup(key, tuple(p.line for p in found), found[0].ref, found[0].other,
                           found[0].message.partition("(")[2].rstrip(")"))
            for key, found in groups.items()]
