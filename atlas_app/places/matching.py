"""How a place field is matched against the gazetteer: a list of steps, tried in order.

1. each reading of the field (:mod:`atlas_app.places.reading`: whole, abbreviations
   written out, kind words or a district number dropped, the parts of a compound — a
   part only near the town another part names) among GeoNames settlements — a postcode picks among namesakes and places a point inside a
   city; a small village gives way to the large place whose name starts with its name
   (the namesake rule); among namesakes of similar size, the place whose own name is
   written so wins over places that have it only as an alternate name, then the one the
   post gives many more postcodes — then among the places the post knows (villages,
   districts). A town named beside the place (``Rivalta (Parma)``, ``Minas de Riotinto.
   HUELVA``) is a qualifier: the place is looked for near it before the qualifier itself
   is taken;
2. one part of a compound among the post's villages, when no part named a town;
3. an ambiguity met on the way, if any (a guess would be worse than a question);
4. administrative areas: région, département, county, province (``region`` precision);
5. one word of a longer field that names a town of 20,000 or more;
6. the postcode alone;
7. a town of 5,000+ spelled nearly as written (``GLASGLOW``);
8. else the reason (:mod:`atlas_app.places.reasons`).
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from atlas_app.places import reasons
from atlas_app.places.answers import Lookup, Place
from atlas_app.places.postal import PostalPoint, admin_key, uninvert
from atlas_app.places.reading import NUMBERED, Reading, read_place
from atlas_app.text import place_key

# The same names come back row after row (and a field's readings share pieces): their keys
# are remembered rather than folded again.
key_of = functools.lru_cache(maxsize=200_000)(place_key)

if TYPE_CHECKING:
    from atlas_app.places.gazetteer import Gazetteer

DOMINANCE = 5  # a place this many times more populous than the next one wins
CITY_DOMINANCE = 2.5  # ... or this many times, when it is a city (CITY)
POSTAL_DOMINANCE = 3  # a postal locality with this many times more postcodes wins
POSTAL_MIN_CODES = 5  # ... when it has at least this many (one postcode is any village)
POSTAL_SAME_KM = 5  # a postal locality this near a settlement of its name is that place
NEAR_KM = 20  # a postcode and a town this close agree
CITY = 100_000  # inhabitants: a postcode inside a city is more precise than its centre
TOWN = 5_000  # a town, not a village
WORD_MIN_POPULATION = 20_000  # one word of a longer field must name a real town
NAMESAKE_SMALL, NAMESAKE_LARGE = 10_000, 50_000  # the village, and the large place
PIECES = ("part", "phrase")  # readings that are only a piece of the field
QUALIFIER_KM = 75  # a town named beside a place is its city or province: this near
QUALIFIED = re.compile(r"\s-\s|\s-|-\s|[,;(/|]|\.\s")  # what sets a qualifier apart


@dataclass
class Search:
    """One lookup under way: the field as read, the postcode's point, what was met."""

    gazetteer: Gazetteer
    city: str
    country: str
    reading: Reading
    near: PostalPoint | None
    ambiguity: Lookup | None = None

    @property
    def code(self) -> str | None:
        return self.reading.postcode

    def names(self) -> list[tuple[str, str]]:
        return [(n, how) for n, how in self.reading.names if how != "word"]

    def read_as(self, name: str) -> str:
        return f" (read {self.city!r} as {name!r})" if name != self.city else ""


def find(gazetteer: Gazetteer, city: str, country: str, postcode: str | None) -> Lookup:
    """Run the steps; the first that finds (or refuses with a reason) answers."""
    if not postcode and city and gazetteer.covers(country):
        # The common case, fast: the field as written names one settlement.
        plain = Search(gazetteer, city, country, Reading(((city, "whole"),), None, False), None)
        found = settlement_named(plain, city)
        if found is not None and found.place is not None:
            return found
    reading = read_place(city or "", country, postcode)
    if not gazetteer.covers(country):
        elsewhere = country_elsewhere(gazetteer, reading)
        if elsewhere:
            return missing("unsupported", "country_elsewhere", city=city, country=country,
                           elsewhere=elsewhere)
        return missing("unsupported", "country_not_covered", country=country)
    near = gazetteer.postal.postcode(country, reading.postcode) if reading.postcode else None
    search = Search(gazetteer, city or "", country, reading, near)
    for step in STEPS:
        found = step(search)
        if found is not None:
            return found
    return why_not(search)


def settlement_named(search: Search, name: str) -> Lookup | None:
    """The GeoNames settlement ``name`` names, an ambiguity, or None."""
    key = key_of(name)
    places = search.gazetteer.named(search.country, key)
    found = choose_settlement(search, places, name) if places else None
    if found is not None and found.place is not None and found.precision == "locality" \
            and found.place.population < NAMESAKE_SMALL and key_of(found.place.name) != key:
        # A village that has the name only as an alternate gives way to the area of that
        # name: "Bretagne" is the région, not Bretagne-de-Marsan.
        found = area_named(search, name) or found
    return found


def by_name(search: Search) -> Lookup | None:
    # "Minas de Riotinto. HUELVA", "San Casciano - Firenze": a place, then where it is.
    # Not the halves of one hyphenated name ("Neu-Rum", "Noord-Brabant").
    first_part = next((n for n, how in search.names() if how == "part"), None) \
        if QUALIFIED.search(search.city) else None
    for name, how in search.names():
        found = settlement_named(search, name)
        unknown = found is None
        elsewhere = found is not None and found.place is not None \
            and not beside_qualifier(search, name, found.place)
        if elsewhere:
            # "Knowle, Bristol": not the Knowle 120 km from Bristol; "Rivalta (Parma)":
            # not the Rivalta near Verona.
            found = None
        first = name == first_part and unknown
        if found is None and (first or elsewhere):
            # "San Casciano - Firenze", "Rivalta (Torino)": the town whose name starts so.
            found = starting_with(search, name)
        if found is None and (how not in PIECES or NUMBERED.match(name) or first):
            # The first part of "Minas de Riotinto. HUELVA" is the place, the last its
            # province: a place no settlement is called is looked for among the post's
            # villages before the province's town is taken.
            found = choose_postal(search, name, how)
        if found is not None and found.place is not None \
                and not beside_qualifier(search, name, found.place):
            found = None
        if found is not None and found.place is not None:
            return found
        search.ambiguity = search.ambiguity or found
    return None


def starting_with(search: Search, name: str) -> Lookup | None:
    """The town of 5,000+ whose name starts with ``name``, or None."""
    large = search.gazetteer.largest_starting_with(key_of(name), search.country)
    if large is None or large.population < TOWN:
        return None
    return result(large, f"{large.name} (GeoNames {large.geonameid}), the town whose name "
                  f"starts with {name!r}{search.read_as(name)}", 1, "locality")


def by_part_among_villages(search: Search) -> Lookup | None:
    """In "San Casciano - Firenze" the province said which San Casciano (step 1); only
    when no part is a town is a part looked for among the post's villages."""
    for name, how in search.names():
        if how in PIECES:
            found = choose_postal(search, name, how)
            if found is not None and found.place is not None \
                    and beside_qualifier(search, name, found.place):
                return found
    return None


def beside_qualifier(search: Search, name: str, place: Place) -> bool:
    """Whether ``place``, found for one reading of a compound, lies within reach of the
    town another piece names (a province, a city: ``Peccioli - Pisa``, ``Racale
    (Lecce)``). Without such a town, any place will do."""
    town = qualifier_town(search, name)
    return town is None or town.geonameid == place.geonameid \
        or distance_km(town, place) <= QUALIFIER_KM


def qualifier_town(search: Search, name: str) -> Place | None:
    """The town of 20,000+ that another piece of the field names, if any: the qualifier
    that says where ``name`` is (``Hutton  Brentwood``)."""
    own = set(key_of(name).split())
    for other, how in search.reading.names:
        if how not in ("part", "word") or other == name or key_of(other) in own:
            continue  # a word of the name itself ("Saint" in "Saint-Denis") is no qualifier
        towns = search.gazetteer.named(search.country, key_of(other))
        if towns and towns[0].population >= WORD_MIN_POPULATION and dominates(towns):
            return towns[0]
    return None


def by_ambiguity(search: Search) -> Lookup | None:
    return search.ambiguity


def by_area(search: Search) -> Lookup | None:
    for name, _how in search.names():
        found = area_named(search, name)
        if found is not None:
            return found
    return None


def by_word(search: Search) -> Lookup | None:
    for name, how in search.reading.names:
        if how != "word":
            continue
        places = search.gazetteer.named(search.country, key_of(name))
        if places and places[0].population >= WORD_MIN_POPULATION and dominates(places):
            top = places[0]
            return result(top, f"{top.name} (GeoNames {top.geonameid}), read from "
                          f"{search.city!r}", len(places), "locality")
    return None


def by_misspelling(search: Search) -> Lookup | None:
    """``GLASGLOW`` → Glasgow, ``Kehlheim`` → Kelheim: one town of 5,000+ spelled
    nearly so, and no other as near."""
    if reasons.looks_like_street(search.city):
        return None
    for name, how in search.names():
        if how in PIECES or len(name) < 5:
            continue
        place, score = search.gazetteer.spelled_like(key_of(name), search.country)
        if place is not None:
            return result(place, f"{place.name} (GeoNames {place.geonameid}), read "
                          f"{search.city!r} as a misspelling ({score:.0f} % alike)", 1,
                          "locality")
    return None


def by_postcode(search: Search) -> Lookup | None:
    if search.near is None:
        return None
    return result(postal_place(search.near, search.country), f"postcode {search.code} "
                  f"(GeoNames postal codes); no place called {search.city!r} was found",
                  1, "postcode")


STEPS: tuple[Callable[[Search], Lookup | None], ...] = (
    by_name, by_part_among_villages, by_ambiguity, by_area, by_word, by_postcode,
    by_misspelling)


def why_not(search: Search) -> Lookup:
    city, code = search.city.strip(), search.code
    if not city and not code:
        return missing("not_found", "no_place")
    if code and city:
        return missing("not_found", "postcode_unknown", postcode=code, city=city,
                       country=search.country)
    if reasons.looks_like_street(city):
        return missing("not_found", "looks_like_street", city=city)
    return missing("not_found", "place_unknown", city=city or code, country=search.country)


def country_elsewhere(gazetteer: Gazetteer, reading: Reading) -> str | None:
    """The one covered country where the field names a town of 1,000+, if exactly one
    does: "Bratislava" declared in SR (Suriname) is in SK."""
    found = set()
    for name, how in reading.names:
        if how in ("whole", "expanded", "bare"):
            key = key_of(name)
            for country in gazetteer.bounds:
                places = gazetteer.named(country, key)
                if places and places[0].population >= 1_000:
                    found.add(country)
    return found.pop() if len(found) == 1 else None


# -- choosing among candidates -----------------------------------------------------------

def choose_settlement(search: Search, places: list[Place], name: str) -> Lookup:
    """One GeoNames settlement among namesakes: by postcode, by size, by the namesake
    rule; else an ambiguity."""
    read_as, code, near = search.read_as(name), search.code, search.near
    if near is not None:
        close = [p for p in places if distance_km(p, near) <= NEAR_KM]
        if close:
            top = close[0]
            if top.population >= CITY:
                return result(postal_place(near, search.country), f"postcode {code} in "
                              f"{top.name} (GeoNames postal codes){read_as}", len(places),
                              "postcode")
            return result(top, f"{top.name} (GeoNames {top.geonameid}), chosen by postcode "
                          f"{code}{read_as}", len(places), "locality")
    narrowed = search.gazetteer.narrow_by_postcode(places, search.country, code)
    if len(narrowed) == 1 and (len(places) == 1 or narrowed is not places):
        how = "the only match" if len(places) == 1 else \
            f"chosen among {len(places)} places by postcode {code}"
        return namesake(search, narrowed[0], name, len(places), f"{how}{read_as}",
                        narrowed is places)
    if dominates(narrowed):
        return namesake(search, narrowed[0], name, len(places), f"the most populous of "
                        f"{len(narrowed)} places with that name{read_as}", True)
    if near is not None:  # a postcode none of them is near says more than a tie-break
        return result(postal_place(near, search.country), f"postcode {code} (GeoNames postal "
                      f"codes): {len(narrowed)} places called {name!r}, none near it",
                      len(places), "postcode")
    own = spelled_as_written(narrowed, name)
    if own is not narrowed and dominates(own):
        which = "the only one" if len(own) == 1 else "the most populous"
        return namesake(search, own[0], name, len(places), f"{which} of {len(narrowed)} "
                        f"places called so whose own name it is{read_as}", True)
    busiest = by_postcodes(search, own, name)
    if busiest is not None:
        return result(busiest, f"{busiest.name} (GeoNames {busiest.geonameid}), the one of "
                      f"{len(own)} places called so that the post gives many more postcodes"
                      f"{read_as}", len(places), "locality")
    return missing("ambiguous", "ambiguous", count=len(narrowed), city=name,
                   country=search.country)


def spelled_as_written(places: list[Place], name: str) -> list[Place]:
    """The namesakes whose own name is ``name`` as written (accents and all), else those
    whose own name has its key; else all. ``Urbania`` is the town, not Tavullia (once
    called so); ``Thalmässing`` is not Thalmassing 70 km away."""
    for same in (lambda p: p.name.casefold() == name.casefold(),
                 lambda p: key_of(p.name) == key_of(name)):
        chosen = [p for p in places if same(p)]
        if chosen and len(chosen) < len(places):
            return chosen
    return places


def by_postcodes(search: Search, places: list[Place], name: str) -> Place | None:
    """Among namesakes of about the same population (within a factor of two), the one
    the post gives many more postcodes (GeoNames lists the county town Călărași with
    6,687 inhabitants, as it does a village of that name), or None."""
    points = search.gazetteer.postal.locality(search.country, key_of(name))
    if len(points) < 2 or points[0].weight < POSTAL_MIN_CODES:
        return None  # most postcodes first: none has enough (the usual case, at once)
    weights = []
    for place in places:
        near = [p.weight for p in points if distance_km(p, place) <= POSTAL_SAME_KM]
        weights.append(max(near, default=0))
    ranked = sorted(zip(weights, range(len(places))), reverse=True)
    (top, best), second = ranked[0], ranked[1][0] if len(ranked) > 1 else 0
    # The post breaks a tie of populations; it never overturns one (in Portugal a parish's
    # postcodes bear its town's name, so a large parish may have none of its own).
    tied = places[best].population * 2 >= places[0].population
    if tied and top >= POSTAL_MIN_CODES and top >= POSTAL_DOMINANCE * max(second, 1):
        return places[best]
    return None


def namesake(search: Search, place: Place, name: str, count: int, how: str,
             free: bool) -> Lookup:
    """The namesake rule: a village that shares its name with the first words of a large
    place gives way to it (``Molenbeek`` → Molenbeek-Saint-Jean in Brussels, not the
    village Molenbeek-Wersbeek), unless a postcode chose the village."""
    if free and place.population < NAMESAKE_SMALL:
        large = search.gazetteer.largest_starting_with(key_of(name), search.country)
        if large is not None and large.population >= max(
                NAMESAKE_LARGE, DOMINANCE * max(place.population, 1)):
            return result(large, f"{large.name} (GeoNames {large.geonameid}), the large "
                          f"place whose name starts with {name!r}, rather than the village "
                          f"{place.name}", count + 1, "locality")
    return result(place, f"{place.name} (GeoNames {place.geonameid}), {how}", count,
                  "locality")


def choose_postal(search: Search, name: str, how: str) -> Lookup | None:
    """A place the post knows but GeoNames' settlements do not: a village, a district."""
    points = search.gazetteer.postal.locality(search.country, key_of(name))
    if not points:
        return None
    if search.near is not None:
        points = tuple(p for p in points if distance_km(p, search.near) <= NEAR_KM) or points
    qualifier = qualifier_town(search, name)
    if qualifier is not None:
        points = tuple(p for p in points
                       if distance_km(p, qualifier) <= QUALIFIER_KM) or points
    top = points[0]
    if len(points) > 1 and top.weight < POSTAL_DOMINANCE * points[1].weight:
        return missing("ambiguous", "ambiguous", count=len(points), city=name,
                       country=search.country)
    district = bool(NUMBERED.match(name)) or (search.reading.compound and how != "part"
                                              and "-" in top.name)
    return result(postal_place(top, search.country), f"{top.name} (GeoNames postal codes)"
                  f"{search.read_as(name)}", len(points),
                  "district" if district else "locality")


def area_named(search: Search, name: str) -> Lookup | None:
    """A région, département, county or district of that name, at its centre."""
    key = admin_key(name)
    key = search.gazetteer.region_names.get((search.country, key), key)
    area = search.gazetteer.postal.area(search.country, key)
    if area is None:
        return None
    return result(postal_place(area, search.country), f"{uninvert(area.name)}, an "
                  f"administrative area of {search.country}: placed at its centre "
                  "(approximate)", 1, "region")


def dominates(places: list[Place]) -> bool:
    """One place is the one meant: the only one, five times the next, or a city of
    100,000+ over a town of less than half its size (Heraklion in Crete, not Irakleio)."""
    if len(places) == 1:
        return True
    top, second = places[0].population, max(places[1].population, 1)
    return top >= DOMINANCE * second or (top >= CITY and top >= CITY_DOMINANCE * second)


# -- answers ------------------------------------------------------------------------------

def result(place: Place, note: str, candidates: int, precision: str) -> Lookup:
    return Lookup(place, "found", note, candidates, precision)


def missing(status: str, reason: str, **params: object) -> Lookup:
    return Lookup(None, status, reasons.word(reason, **params), reason=reason, params=params)


def postal_place(point: PostalPoint, country: str) -> Place:
    """A postal point as a Place; negative ids keep it apart from GeoNames settlements."""
    admin1 = point.area if len(point.area) > 1 else ""
    return Place(-1 - point.ref, point.name, country, admin1, point.latitude,
                 point.longitude, 0)


def distance_km(a: Place | PostalPoint, b: Place | PostalPoint) -> float:
    """Great-circle distance (haversine), in km."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a.latitude, a.longitude,
                                                b.latitude, b.longitude))
    h = math.sin((lat2 - lat1) / 2) ** 2 + \
        math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(h))
