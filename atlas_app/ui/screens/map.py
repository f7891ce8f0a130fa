"""The public map: filters, a sentence saying what is shown, the map, a detail panel and
the list. Every view is a URL (see ``ui/state.py``)."""

from __future__ import annotations

import html
import time
from dataclasses import replace
from urllib.parse import urlencode

import numpy as np
import streamlit as st

from atlas_app.places.countries import country_name, known_codes
from atlas_app.public.detail import md_escape, organisation_detail
from atlas_app.public.filters import MAX_QUERY_CHARS, describe_filters
from atlas_app.public.permalink import View, view_params
from atlas_app.public.viewport import Viewport
from atlas_app.registry.schema import KIND_LABELS, KINDS
from atlas_app.ui import lang, state
from atlas_app.ui.map_component import prepared_public_map, show_map
from atlas_app.ui.resources import (
    filter_mask,
    get_gazetteer,
    get_settings,
    get_taxonomy,
    map_payload_json,
    organisation_list,
    published_organisation,
    registry_index,
    sector_counts,
)
from atlas_app.ui.widgets import detail_panel, sector_legend

# The map draws inside streamlit-folium's iframe at <base>/component/<name>/index.html;
# this relative URL reaches <base>/app/static whatever the deployment's base path.
ASSET_BASE = "../../app/static"
LIST_LIMIT = 300
FITTED_FOR = "map-fitted-for"
# What the map reports back (streamlit-folium reruns only when one of these changes).
MAP_REPORTS = ("last_object_clicked", "last_object_clicked_tooltip",
               "last_object_clicked_count", "bounds", "zoom")


def render() -> None:
    _ = lang.current()
    settings, taxonomy = get_settings(), get_taxonomy()
    index = registry_index()
    embedded = st.context.is_embedded
    if not embedded:
        with st.container(key="atlas-head"):
            st.title(_("Social Tech Atlas"))
            st.caption(_("European organisations using digital technology for the common "
                         "good."))
    if not len(index):
        st.info(_("The atlas has no published organisations yet."))
        return
    _render_view(index, settings, taxonomy, _, embedded)
    state.write_url()


def _filter_controls(index, _) -> None:
    """Kind up front; country and search in a labelled pop-over ("Filters · 2"), which
    opens as a sheet on a phone."""
    st.pills(_("Kind"), list(KINDS), selection_mode="multi", key=state.KIND,
             format_func=lambda k: _(KIND_LABELS[k]), label_visibility="collapsed")
    # .get: a client that reports only the widgets it changed (benchmarks/load_test.py,
    # a stale tab) must not break the page.
    active = len(st.session_state.get(state.COUNTRY) or []) + bool(
        (st.session_state.get(state.QUERY) or "").strip())
    label = _("Filters · {count}", count=_.number(active)) if active else _("Filters")
    with st.popover(label, key="filters"):
        chosen = st.session_state.get(state.COUNTRY) or []
        countries = sorted(set(index.countries()) | set(chosen),
                           key=lambda c: country_name(c, _.lang))
        st.multiselect(_("Country"), countries, key=state.COUNTRY,
                       format_func=lambda c: country_name(c, _.lang),
                       placeholder=_("All countries"))
        st.text_input(_("Search"), key=state.QUERY, placeholder=_("name, city, keyword…"),
                      max_chars=MAX_QUERY_CHARS)
        st.button(_("Reset filters"), key="reset-filters", on_click=state.reset_filters)
        st.text_input(_("Go to a town"), key=state.PLACE, on_change=_go_to_place,
                      placeholder=_("e.g. Lyon, Lisboa"), max_chars=80)
        if st.session_state.get(state.PLACE, "").strip() and not st.session_state.get(
                state.FOCUS):
            st.caption(_("No town of that name in the atlas's list of places."))


def _go_to_place() -> None:
    """Callback: the map moves to the town the visitor typed (offline gazetteer)."""
    name = (st.session_state.get(state.PLACE) or "").strip()
    place = get_gazetteer().find_place(name) if name else None
    st.session_state[state.FOCUS] = ((place.latitude, place.longitude, int(time.time() * 1000))
                                     if place else None)


def _render_view(index, settings, taxonomy, _, embedded: bool) -> None:
    # A shared link may name a country with no organisation (yet): it stays in the view
    # if it is a real country.
    st.session_state[state.COUNTRY] = [c for c in st.session_state.get(state.COUNTRY) or []
                                       if c in known_codes()]
    filters = state.current_filters()
    mask = filter_mask(index, filters)
    shown = int(np.count_nonzero(mask))
    with st.container(key="atlas-controls", horizontal=True, vertical_alignment="center"):
        if not (embedded and state.hidden("filters")):
            _filter_controls(index, _)
        with st.container(key="result-summary", width="content"):
            # The visitor's words (from a shared link, too) are shown as text, never
            # Markdown.
            st.markdown(describe_filters(  # markdown: q escaped; the rest are labels and numbers
                replace(filters, q=md_escape(filters.q)), shown, len(index), taxonomy,
                _.lang))
    if not (embedded and state.hidden("legend")):
        sector_legend(taxonomy, sector_counts(index, filters), _)
    if not shown:
        st.warning(_("No organisation matches these filters."))
        st.button(_("Show all organisations"), key="reset-empty", on_click=state.reset_filters)
        return

    if not embedded:
        # Past the map in one keystroke (static/atlas/page.js moves the focus).
        skip = html.escape(_("Skip the map: go to the list"))
        st.html(f'<a class="atlas-skip" href="#organisations" '
                f'data-target=".st-key-organisation-list">{skip}</a>')
    with st.container(key="map-area"):
        map_column, detail_column = st.columns([5, 2]) if not embedded else (st.container(),
                                                                             None)
    org = published_organisation(index, state.selected_org())
    with map_column:
        _map(filters, _located(org), settings, _)
    detail = organisation_detail(org, taxonomy, _.lang) if org else None
    if detail_column is None:
        _embed_footer(detail, filters, _)
        return
    with detail_column:
        detail_panel(detail, _)
    _organisation_list(index, filters, shown, _)


@st.fragment
def _map(filters, selected, settings, _) -> None:
    """The map and what it says under it. A fragment: panning or zooming reruns only
    this, not the page (filters, legend, card and list stay as they are); a click on a
    dot selects its organisation and reruns the page, so that the card and the list
    follow. Its arguments are kept with the session for its reruns: small values only
    (the index and the filters' mask are shared caches, fetched here)."""
    index = registry_index()
    mask = filter_mask(index, filters)
    clicked = show_map(
        prepared_public_map(_.lang, settings.tile_url, settings.tile_attribution, ASSET_BASE,
                            state.MAP, MAP_REPORTS),
        _payload_for_view(index, mask, filters, _.lang), selected=selected,
        focus=st.session_state.get(state.FOCUS), key=state.MAP, height=480)
    if _follow_map_click(clicked, index, mask):
        st.rerun()
    unlocated = int(np.count_nonzero(mask & ~index.located))
    if unlocated:
        st.caption(_("{count} of these organisations are not on the map yet (no "
                     "location); they are in the list.", count=_.number(unlocated)))


def _embed_footer(detail, filters, _) -> None:
    """Under an embedded map, one line: the clicked organisation with its website, and
    the same view in the atlas itself (a new tab)."""
    view = View(_.lang, filters, state.selected_org())
    address = "./?" + urlencode(view_params(view), doseq=True)
    label = _("Open in the Social Tech Atlas")
    with st.container(key="embed-link", horizontal=True, vertical_alignment="center"):
        if detail is not None:
            website = (f" · [{md_escape(detail.website)}]"
                       f"({detail.website.replace('(', '%28').replace(')', '%29')})"
                       if detail.website else "")
            line = f"**{md_escape(detail.name)}** · {md_escape(detail.sector)}{website}"
            st.markdown(line)  # markdown: escaped names; a validated http(s) address
        st.markdown(f"[{label}]({address})")  # markdown: a catalogue label, a urlencoded link


def _payload_for_view(index, mask, filters, lang_code: str) -> str:
    """The data layer for what the map shows. A new set of filters fits the map to its
    organisations; otherwise the view the browser last reported decides (only when the
    server aggregates — a small selection goes to the browser whole)."""
    fit = st.session_state.get(FITTED_FOR) != filters
    st.session_state[FITTED_FOR] = filters
    viewport = None if fit else Viewport.from_map_state(st.session_state.get(state.MAP))
    window = viewport.window() if viewport and index.needs_window(mask) else None
    return map_payload_json(index, filters, lang_code, window, fit)


def _located(org: dict | None) -> tuple[int, float, float] | None:
    """The selected organisation's (id, latitude, longitude) for the map, if it has a place."""
    try:
        return int(org["id"]), float(org["latitude"]), float(org["longitude"])
    except (TypeError, KeyError, ValueError):
        return None


def _follow_map_click(clicked: dict | None, index, mask) -> bool:
    """A new click on a dot selects its organisation (old clicks are ignored); True when
    the selection changed."""
    count = (clicked or {}).get("last_object_clicked_count")
    if not count or count == st.session_state.get(state.LAST_MAP_CLICK):
        return False
    st.session_state[state.LAST_MAP_CLICK] = count
    org_id = index.clicked(mask, clicked.get("last_object_clicked_tooltip"),
                           clicked.get("last_object_clicked"))
    if org_id is None or org_id == state.selected_org():
        return False
    state.select_org(org_id)
    return True


def _organisation_list(index, filters, shown: int, _) -> None:
    st.subheader(_("List"), anchor="organisations")
    listed = organisation_list(index, filters, _.lang, LIST_LIMIT)
    if shown > LIST_LIMIT:
        st.caption(_("The first {limit} of {count} organisations by name: narrow the filters "
                     "to see the others, or download them all from the Research page.",
                     limit=_.number(LIST_LIMIT), count=_.number(shown)))
    st.session_state[state.LIST_IDS] = listed.ids
    with st.container(key="organisation-list"):
        st.dataframe(listed.table, key=state.LIST, hide_index=True,
                     width="stretch", on_select=state.on_list_select,
                     # A click on a name (any cell) selects, as does the row's box.
                     selection_mode=["single-row", "single-cell"],
                     column_config={"name": _("Name"), "sector": _("Sector"),
                                    "kind": _("Kind"), "city": _("City"),
                                    "country": _("Country")})


render()
