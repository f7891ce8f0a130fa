"""Every view is a link: a view ⇄ its URL query parameters (no Streamlit here).

``?lang=fr&country=FR&country=DE&sector=health&kind=solution&q=coop&org=12``
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from atlas_app.public.filters import MAX_QUERY_CHARS, Filters
from atlas_app.registry.schema import KINDS, Taxonomy


@dataclass(frozen=True)
class View:
    """What a visitor is looking at."""

    lang: str | None = None
    filters: Filters = field(default_factory=Filters)
    org: int | None = None


def parse_view(get_all: Callable[[str], list[str]], taxonomy: Taxonomy,
               languages: tuple[str, ...]) -> View:
    """Read a view from query parameters (``get_all(name)`` → its values); values that
    mean nothing are dropped, so a mangled link still opens a sensible view."""
    lang = next((v.lower() for v in get_all("lang") if v.lower() in languages), None)
    countries = tuple(dict.fromkeys(v.strip().upper() for v in get_all("country")
                                    if len(v.strip()) == 2 and v.strip().isalpha()))
    sectors = tuple(dict.fromkeys(v for v in get_all("sector") if v in taxonomy.ids))
    kinds = tuple(dict.fromkeys(v for v in get_all("kind") if v in KINDS))
    q = next(iter(get_all("q")), "")[:MAX_QUERY_CHARS]
    org = next((int(v) for v in get_all("org") if v.isdigit()), None)
    return View(lang, Filters(countries, sectors, kinds, q), org)


def view_params(view: View) -> dict[str, str | list[str]]:
    """The query parameters of a view (empty parts left out)."""
    params: dict[str, str | list[str]] = {}
    if view.lang:
        params["lang"] = view.lang
    f = view.filters
    for name, values in (("country", f.countries), ("sector", f.sectors), ("kind", f.kinds)):
        if values:
            params[name] = list(values)
    if f.q.strip():
        params["q"] = f.q.strip()
    if view.org is not None:
        params["org"] = str(view.org)
    return params
