"""Why a place was not found, worded in one place for the staff who will fix the row.

A lookup that fails carries a reason code and its parameters; :func:`word` turns them into
the sentence stored as the organisation's location note and shown in the upload report,
the staff review and ``atlas geocode --list``. Surfaces that translate match on the code.
"""

from __future__ import annotations

import re

REASONS: dict[str, str] = {
    "no_place": "the row has neither a city nor a postcode — add the town (or the postcode) "
                "or set the coordinates by hand",
    "country_not_covered": "the offline gazetteer does not cover {country} — set the "
                           "coordinates by hand, or enable the online geocoder",
    "country_elsewhere": "{city!r} is not looked up in {country} (outside the offline "
                         "gazetteer) but is a town in {elsewhere} — check the country "
                         "column",
    "looks_like_street": "{city!r} looks like a street, building or business park rather "
                         "than a town — put the town in the city column and this in the "
                         "address",
    "place_unknown": "no town, district, postcode or region called {city!r} in {country} "
                     "in GeoNames — check the spelling, add the postcode, or set the "
                     "coordinates by hand",
    "postcode_unknown": "postcode {postcode!r} is not in GeoNames for {country}, and no "
                        "place called {city!r} was found there — check both",
    "ambiguous": "{count} places called {city!r} in {country} are of similar size — add "
                 "the postcode or the region to say which",
}

# Words that mark a street or a site rather than a settlement.
STREET_WORDS = re.compile(
    r"\b(?:road|rd|street|st\.?$|lane|avenue|ave|way|close|drive|business park|industrial "
    r"estate|estate|park|centre|center|house|building|strasse|straße|str\.|weg|rue|avenue|"
    r"boulevard|chemin|calle|via|viale|piazza|plaza|ulica|ul\.)\b", re.IGNORECASE)


def word(reason: str, **params: object) -> str:
    """The sentence for a reason code: ``word("ambiguous", count=2, city="Bangor",
    country="GB")``."""
    return REASONS[reason].format(**params)


def looks_like_street(city: str) -> bool:
    return bool(STREET_WORDS.search(city))
