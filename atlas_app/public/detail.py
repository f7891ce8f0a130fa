"""What a visitor reads about an organisation, prepared for display (no Streamlit here).

Organisation text goes through :func:`md_escape` before any Markdown renderer sees it, so
``[x](javascript:…)``, ``:red[…]``, ``$…$`` or HTML in a name is shown as typed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from atlas_app.i18n import N_, translator
from atlas_app.places.countries import country_name
from atlas_app.places.exonyms import city_in
from atlas_app.registry.schema import DESCRIPTION_FIELDS, KIND_LABELS, Taxonomy
from atlas_app.text import safe_url

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=&^\"'])")

PRECISION_LABELS = {
    "exact": N_("exact position"), "address": N_("street address"),
    "postcode": N_("postcode area"), "district": N_("district of a town"),
    "locality": N_("city or town"), "region": N_("region"), "country": N_("country"),
    "none": N_("not located"),
}
# Points placed at the centre of an area larger than a town: shown as approximate.
APPROXIMATE = frozenset({"region", "country"})
SOURCE_LABELS = {
    "provided": N_("given with the data"), "manual": N_("set by the atlas team"),
    "gazetteer": N_("found from the city (GeoNames)"),
    "online": N_("found from the address (OpenStreetMap Nominatim)"), "none": N_("none"),
}


def md_escape(text: object) -> str:
    """Text made literal for Streamlit's Markdown (which also reads ``:color[…]``, ``$``)."""
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return ""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(text)).replace("\n", "  \n")


@dataclass(frozen=True)
class Detail:
    """One organisation as the detail panel shows it (all text still raw)."""

    id: int
    name: str
    kind: str
    sector: str
    colour: str
    place: str
    description: str
    description_lang: str | None  # set when the text is in another language than asked
    website: str | None
    tags: tuple[str, ...]
    source: str
    location: str


def organisation_detail(org: dict, taxonomy: Taxonomy, lang: str = "en") -> Detail:
    """Labels in ``lang``; the description in ``lang``, else another one, marked."""
    _ = translator(lang)
    sector = taxonomy.get(org.get("sector") or "")
    description, written_in = pick_description(org, lang)
    description_lang = written_in if written_in != lang else None
    place = ", ".join(p for p in (city_in(org.get("city"), lang, org.get("country")),
                                  country_name(org.get("country") or "", lang)) if p)
    precision = PRECISION_LABELS.get(org.get("location_precision") or "none", "")
    origin = SOURCE_LABELS.get(org.get("location_source") or "none", "")
    location = _("Location: {precision}, {origin}", precision=_(precision), origin=_(origin))
    if org.get("location_precision") in APPROXIMATE:
        location = _("{location} — approximate location", location=location)
    tags = org.get("tags")
    return Detail(
        id=int(org["id"]), name=org.get("name") or "",
        kind=_(KIND_LABELS.get(org.get("kind") or "", "")),
        sector=sector.label(lang) if sector else (org.get("sector") or ""),
        colour=sector.colour if sector else "#777777", place=place,
        description=description, description_lang=description_lang,
        website=safe_url(org.get("website")) and org.get("website"),
        tags=tuple(tags) if isinstance(tags, (list, tuple)) else (),
        source=org.get("source") or "", location=location)


# When there is no description in the visitor's language: English, then French (the
# languages most descriptions are written in), then any other.
FALLBACK_LANGUAGES = ("en", "fr")


def pick_description(org: dict, lang: str) -> tuple[str, str | None]:
    """The description to show a reader of ``lang`` and the language it is in: ``lang``'s,
    else English, else French, else any (("", None) when there is none)."""
    texts = {name.removeprefix("description_"): org.get(name) for name in DESCRIPTION_FIELDS}
    texts.update((k, v) for k, v in (org.get("descriptions") or {}).items() if k not in texts)
    for candidate in (lang, *FALLBACK_LANGUAGES, *texts):
        if texts.get(candidate):
            return str(texts[candidate]), candidate
    return "", None


def list_rows(frame: pd.DataFrame, taxonomy: Taxonomy, lang: str = "en") -> pd.DataFrame:
    """The filtered organisations as the list view shows them, sorted by name."""
    _ = translator(lang)
    labels = {s.id: s.label(lang) for s in taxonomy.sectors}
    table = pd.DataFrame({
        "id": frame["id"].astype("int64"),
        "name": frame["name"],
        "sector": frame["sector"].map(lambda s: labels.get(s, s)),
        "kind": frame["kind"].map(lambda k: _(KIND_LABELS.get(k, k))),
        "city": [city_in(c, lang, k) for c, k in zip(frame["city"], frame["country"])],
        "country": frame["country"].map(lambda c: country_name(c, lang)),
    })
    return table.sort_values("name", key=lambda s: s.str.casefold()).reset_index(drop=True)
