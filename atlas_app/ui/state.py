"""Session-state keys, named once here; the view ⇄ URL synchronisation.

The first run of a session seeds the widgets from the URL
(``?lang=fr&country=FR&sector=health&kind=solution&q=…&org=12``); every run then writes
the current view back, so the address bar is always a link to what is on screen.
"""

from __future__ import annotations

import streamlit as st

from atlas_app.i18n import available_languages, choose_language
from atlas_app.public.filters import Filters
from atlas_app.public.permalink import View, parse_view, view_params
from atlas_app.registry.schema import Taxonomy

LANG = "lang"
COUNTRY = "country"
SECTOR = "sector"
KIND = "kind"
QUERY = "q"
ORG = "org"
MAP = "atlas-map"
LIST = "org-list"
LIST_IDS = "org-list-ids"
LAST_MAP_CLICK = "last-map-click"
PLACE = "place"          # "go to a town": what the visitor typed
FOCUS = "map-focus"      # … and where it is: (lat, lon, token) for the map, or None
SEEDED = "seeded-from-url"
# Whether the language belongs in the address bar: it came with the link, or the visitor
# chose it. A language taken from the browser stays out, so that landing on the atlas
# rewrites nothing (a rewrite is a history entry).
LANG_IN_URL = "lang-in-url"

# What a partner may hide in an embedded map: ?embed=true&hide=legend&hide=filters
HIDE = "embed-hide"
EMBED_PARTS = ("legend", "filters")

FILTER_DEFAULTS: dict[str, object] = {COUNTRY: [], SECTOR: [], KIND: [], QUERY: ""}


def init_from_url(taxonomy: Taxonomy) -> None:
    """Put the URL's view into the widgets' state: on a session's first run, and again
    when the visitor goes Back or Forward to another view."""
    if st.session_state.get(SEEDED) and not (_history_navigation() and _url_differs()):
        return
    view = parse_view(st.query_params.get_all, taxonomy, available_languages())
    st.session_state[LANG_IN_URL] = view.lang is not None
    st.session_state[LANG] = view.lang or choose_language(None, st.context.locale)
    st.session_state[COUNTRY] = list(view.filters.countries)
    st.session_state[SECTOR] = list(view.filters.sectors)
    st.session_state[KIND] = list(view.filters.kinds)
    st.session_state[QUERY] = view.filters.q
    st.session_state[ORG] = view.org
    st.session_state[HIDE] = [v for v in EMBED_PARTS if v in st.query_params.get_all("hide")]
    st.session_state[SEEDED] = True


def current_filters() -> Filters:
    return Filters(tuple(st.session_state.get(COUNTRY) or ()),
                   tuple(st.session_state.get(SECTOR) or ()),
                   tuple(st.session_state.get(KIND) or ()), st.session_state.get(QUERY) or "")


def _view() -> View:
    return View(st.session_state.get(LANG) if st.session_state.get(LANG_IN_URL) else None,
                current_filters(), st.session_state.get(ORG))


def _params() -> dict[str, str | list[str]]:
    params = view_params(_view())
    if st.session_state.get(HIDE):
        params["hide"] = list(st.session_state[HIDE])
    return params


def hidden(part: str) -> bool:
    """Whether the embedding page asked to hide ``part`` (see EMBED_PARTS)."""
    return part in (st.session_state.get(HIDE) or ())


def _url_differs() -> bool:
    current = {k: st.query_params.get_all(k) for k in st.query_params}
    return current != _as_lists(_params())


def _history_navigation() -> bool:
    """Whether this run follows the browser's Back or Forward button (Streamlit reruns the
    page with the URL of that history entry, and marks the run)."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    return bool(getattr(get_script_run_ctx(), "is_history_navigation", False))


def _as_lists(params: dict[str, str | list[str]]) -> dict[str, list[str]]:
    return {k: v if isinstance(v, list) else [v] for k, v in params.items()}


def write_url() -> None:
    """Make the address bar show the current view."""
    show_in_address_bar(_params())


def show_in_address_bar(params: dict[str, str | list[str]]) -> None:
    """Write ``params`` as the page's query string, only when it differs from what the
    address bar shows (writing pushes a browser history entry). Every page's URL sync
    ends here."""
    current = {k: st.query_params.get_all(k) for k in st.query_params}
    if current != _as_lists(params):
        st.query_params.from_dict(params)


def reset_filters() -> None:
    """Callback: every filter back to its default."""
    for key, value in FILTER_DEFAULTS.items():
        st.session_state[key] = list(value) if isinstance(value, list) else value
    st.session_state[ORG] = None


def selected_org() -> int | None:
    return st.session_state.get(ORG)


def select_org(org_id: int | None) -> None:
    st.session_state[ORG] = org_id


def on_list_select() -> None:
    """Callback of the list view: the chosen row opens in the detail panel."""
    selection = st.session_state[LIST].selection
    rows = list(selection.rows) or [cell[0] for cell in selection.cells]
    ids = st.session_state.get(LIST_IDS, [])
    if rows and rows[0] < len(ids):
        select_org(ids[rows[0]])
