"""The keys the registry stores beside each organisation for finding duplicates fast."""

from __future__ import annotations

from atlas_app.text import place_key, website_key

SEARCH_KEY_LENGTH = 400


def search_key(name: str | None, city: str | None) -> str:
    """What the staff search looks in: name and city folded as place keys (accents,
    case, punctuation), ``Café-Lab`` in ``Montréal`` → ``cafe lab | montreal``."""
    return f"{place_key(name or '')} | {place_key(city or '')}"[:SEARCH_KEY_LENGTH]


def identity_keys(values: dict) -> dict[str, str | None]:
    """``website_host`` and ``city_key`` for a row's website and city (None when empty),
    and the ``search_key`` of its name and city."""
    city = values.get("city")
    host = website_key(values.get("website"))
    return {"website_host": host[:253] if host else None,
            "city_key": (place_key(city)[:200] or None) if city else None,
            "search_key": search_key(values.get("name"), city)}
