"""What a gazetteer lookup answers: a place, and how sure and how precise it is."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Place:
    """A point with a name: a GeoNames settlement (``geonameid`` > 0), or a postcode,
    postal locality or administrative area (negative ids, population 0)."""

    geonameid: int
    name: str
    country: str
    admin1: str
    latitude: float
    longitude: float
    population: int


@dataclass(frozen=True)
class Lookup:
    """The answer for one query: a place, or the reason there is none."""

    place: Place | None
    status: str  # "found", "ambiguous", "not_found", "unsupported"
    note: str
    candidates: int = 0
    precision: str = "none"  # "postcode", "district", "locality" or "region" when found
    reason: str = ""  # why not found: a code of places.reasons.REASONS
    params: dict = field(default_factory=dict)
