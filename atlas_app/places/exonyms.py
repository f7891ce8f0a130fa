"""Europe's best-known cities in the visitor's language: the data keeps the name it was
given (``Lisboa``), the visitor reads Lisbon, Lisbonne, Lissabon or Lizbona.

The names are CLDR's exemplar cities (via Babel), one for each of Europe's time zones:
the capitals and a few other large cities, which are the ones whose names differ between
languages. Any other place is shown as it is stored.
"""

from __future__ import annotations

import zoneinfo
from functools import lru_cache

from babel.core import get_global
from babel.dates import get_timezone_location
from babel.languages import get_official_languages

from atlas_app.i18n import available_languages, cldr_locale
from atlas_app.text import place_key

# Zones whose CLDR "city" is their country's name, not a city's: Malta's is Malte in French,
# which is not what Valletta (Malta's name for the zone, in Maltese) is called.
NOT_CITIES = frozenset({"Europe/Andorra", "Europe/Guernsey", "Europe/Isle_of_Man",
                        "Europe/Jersey", "Europe/Malta"})


@lru_cache(maxsize=1)
def _zones() -> dict[str, str]:
    """place key of the city's name in the interface's languages and in its country's
    own → its time zone (about 0.2 s, once per process)."""
    zones: dict[str, str] = {}
    territories = get_global("zone_territories")
    for zone in sorted(z for z in zoneinfo.available_timezones()
                       if z.startswith("Europe/") and z not in NOT_CITIES):
        local = get_official_languages(territories.get(zone, ""), de_facto=True)
        for lang in (*local, *available_languages()):
            try:
                name = get_timezone_location(zone, locale=cldr_locale(lang), return_city=True)
            except (ValueError, LookupError):
                continue
            if name:
                zones.setdefault(place_key(name), zone)
    return zones


@lru_cache(maxsize=4096)
def city_in(city: str | None, lang: str, country: str | None = None) -> str | None:
    """``city`` as written in ``lang`` when it is one of the cities CLDR names, else as
    given: ``city_in("Lisboa", "fr")`` → ``Lisbonne``. Given its ``country``, a namesake
    elsewhere keeps its name: Vienne in France is not Vienna (``Wien``)."""
    if not city:
        return city
    zone = _zones().get(place_key(city))
    if zone is None:
        return city
    if country and get_global("zone_territories").get(zone) not in (None, country.upper()):
        return city
    try:
        return get_timezone_location(zone, locale=cldr_locale(lang), return_city=True) or city
    except (ValueError, LookupError):
        return city
