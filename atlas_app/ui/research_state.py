"""Research page state: keys, and the view ⇄ URL synchronisation
(``?country=PT&country=BE&sector=health&kind=support&view=compare&metric=per_million``)."""

from __future__ import annotations

import streamlit as st

from atlas_app.i18n import available_languages
from atlas_app.public.filters import Filters
from atlas_app.public.permalink import parse_view
from atlas_app.registry.schema import Taxonomy
from atlas_app.ui.state import LANG, show_in_address_bar

COUNTRY = "r-country"
SECTOR = "r-sector"
KIND = "r-kind"
VIEW = "r-view"
METRIC = "r-metric"
SEEDED = "r-seeded"
LAST_CLICK = "r-last-choropleth-click"
PENDING_FOCUS = "r-pending-focus"
VIEWS = ("focus", "compare", "choropleth", "crosstab")
METRICS = ("organisations", "per_million")


def init_from_url(taxonomy: Taxonomy) -> None:
    """Before the widgets: the URL's view on a session's first run; a country clicked on
    the choropleth on the run after the click."""
    focus = st.session_state.pop(PENDING_FOCUS, None)
    if focus:
        st.session_state[COUNTRY] = [focus]
        st.session_state[VIEW] = "focus"
    if st.session_state.get(SEEDED):
        return
    view = parse_view(st.query_params.get_all, taxonomy, available_languages())
    st.session_state[COUNTRY] = list(view.filters.countries)
    st.session_state[SECTOR] = list(view.filters.sectors)
    st.session_state[KIND] = list(view.filters.kinds)
    requested = st.query_params.get("view")
    st.session_state[VIEW] = requested if requested in VIEWS else VIEWS[0]
    metric = st.query_params.get("metric")
    st.session_state[METRIC] = metric if metric in METRICS else METRICS[0]
    st.session_state[SEEDED] = True


def current_filters() -> Filters:
    return Filters(tuple(st.session_state[COUNTRY]), tuple(st.session_state[SECTOR]),
                   tuple(st.session_state[KIND] or ()), "")


def write_url() -> None:
    """Make the address bar show the current research view."""
    params: dict[str, str | list[str]] = {}
    lang = st.session_state.get(LANG)
    if lang:
        params["lang"] = lang
    for name, key in (("country", COUNTRY), ("sector", SECTOR), ("kind", KIND)):
        if st.session_state.get(key):
            params[name] = list(st.session_state[key])
    params["view"] = st.session_state[VIEW]
    if st.session_state[VIEW] == "choropleth":
        params["metric"] = st.session_state[METRIC]
    show_in_address_bar(params)


def follow_choropleth_click(clicked: dict | None) -> None:
    """A click on a country focuses the research on it."""
    feature = (clicked or {}).get("last_active_drawing") or {}
    code = (feature.get("properties") or {}).get("code")
    if not code or code == st.session_state.get(LAST_CLICK):
        return
    st.session_state[LAST_CLICK] = code
    # The filter widgets are already drawn on this run: apply the focus on the next one.
    st.session_state[PENDING_FOCUS] = code
    st.rerun()
