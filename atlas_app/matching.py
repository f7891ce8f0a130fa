"""Find possible duplicates: the same website domain, or a close name in the same place."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from rapidfuzz import fuzz

from .schema import fold

NAME_SIMILARITY = 92


@dataclass(frozen=True)
class Candidate:
    """An organisation reduced to what duplicate detection compares."""

    ref: int
    name: str
    country: str | None
    city: str | None
    website: str | None


def website_key(url: str | None) -> str | None:
    """The host without ``www.``: ``https://www.Example.org/a`` → ``example.org``."""
    if not url:
        return None
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    return host.removeprefix("www.") or None


def name_key(name: str) -> str:
    return re.sub(r"[^\w]+", " ", fold(name)).strip()


def place_key(c: Candidate) -> tuple[str, str]:
    return (c.country or "", name_key(c.city or ""))


def find_matches(new: Iterable[Candidate], existing: Iterable[Candidate]
                 ) -> dict[int, tuple[int, str]]:
    """For each new candidate that resembles one in ``existing``: (existing ref, reason).

    A candidate is never compared with itself (same ref in both), so a file can be
    checked against itself by passing it twice.
    """
    by_site: dict[str, Candidate] = {}
    by_place: dict[tuple[str, str], list[Candidate]] = {}
    for c in existing:
        key = website_key(c.website)
        if key:
            by_site.setdefault(key, c)
        by_place.setdefault(place_key(c), []).append(c)
    matches: dict[int, tuple[int, str]] = {}
    for c in new:
        key = website_key(c.website)
        other = by_site.get(key) if key else None
        if other is not None and other.ref != c.ref:
            matches[c.ref] = (other.ref, f"same website domain {key}")
            continue
        mine = name_key(c.name)
        for other in by_place.get(place_key(c), ()):
            if other.ref == c.ref:
                continue
            if fuzz.ratio(mine, name_key(other.name)) >= NAME_SIMILARITY:
                matches[c.ref] = (other.ref, f"same or close name in {c.city}")
                break
    return matches
