"""The keys the registry stores beside each organisation for finding duplicates fast."""

from __future__ import annotations

from atlas_app.text import place_key, website_key


def identity_keys(values: dict) -> dict[str, str | None]:
    """``website_host`` and ``city_key`` for a row's website and city (None when empty)."""
    city = values.get("city")
    host = website_key(values.get("website"))
    return {"website_host": host[:253] if host else None,
            "city_key": (place_key(city)[:200] or None) if city else None}
