"""The public map: filters, a sentence saying what is shown, the map, a detail panel and
the list. Every view is a URL (see ``ui/state.py``)."""

from __future__ import annotations

import streamlit as st
from streamlit_folium import st_folium

from atlas_app.countries import country_name, known_codes
from atlas_app.display import list_rows, organisation_detail
from atlas_app.filters import apply_filters, describe_filters
from atlas_app.mapping import build_base_map, build_data_layer, nearest_organisation
from atlas_app.schema import KIND_LABELS, KINDS
from atlas_app.ui import lang, state
from atlas_app.ui.resources import get_settings, get_taxonomy, map_payload_json, \
    published_frame
from atlas_app.ui.widgets import detail_panel, sector_legend

# The map draws inside streamlit-folium's iframe at <base>/component/<name>/index.html;
# this relative URL reaches <base>/app/static whatever the deployment's base path.
ASSET_BASE = "../../app/static"


def render() -> None:
    _ = lang.current()
    settings, taxonomy = get_settings(), get_taxonomy()
    frame = published_frame()
    embedded = st.context.is_embedded
    if not embedded:
        st.title(_("Social Tech Atlas"))
        st.caption(_("European organisations using digital technology for the common good."))
    if frame.empty:
        st.info(_("The atlas has no published organisations yet."))
        return
    _render_view(frame, settings, taxonomy, _, embedded)
    state.write_url()


def _render_view(frame, settings, taxonomy, _, embedded: bool) -> None:
    with st.sidebar:
        st.header(_("Filter"))
        # A shared link may name a country with no organisation (yet): it stays in the
        # view if it is a real country.
        chosen = [c for c in st.session_state[state.COUNTRY] if c in known_codes()]
        st.session_state[state.COUNTRY] = chosen
        countries = sorted(set(frame["country"]) | set(chosen),
                           key=lambda c: country_name(c, _.lang))
        st.multiselect(_("Country"), countries, key=state.COUNTRY,
                       format_func=lambda c: country_name(c, _.lang),
                       placeholder=_("All countries"))
        st.pills(_("Kind"), list(KINDS), selection_mode="multi", key=state.KIND,
                 format_func=lambda k: _(KIND_LABELS[k]))
        st.text_input(_("Search"), key=state.QUERY, placeholder=_("name, city, keyword…"))
        st.button(_("Reset filters"), key="reset-filters", on_click=state.reset_filters)

    sector_legend(taxonomy, _)
    filters = state.current_filters()
    shown = apply_filters(frame, filters)
    with st.container(key="result-summary"):
        st.markdown(describe_filters(filters, len(shown), len(frame), taxonomy, _.lang))
    if shown.empty:
        st.warning(_("No organisation matches these filters."))
        st.button(_("Show all organisations"), key="reset-empty", on_click=state.reset_filters)
        return

    map_column, detail_column = st.columns([3, 2]) if not embedded else (st.container(), None)
    with map_column:
        clicked = st_folium(
            build_base_map(tile_url=settings.tile_url, tile_attribution=settings.tile_attribution,
                           asset_base=ASSET_BASE, lang=_.lang),
            feature_group_to_add=build_data_layer(
                None, taxonomy, lang=_.lang, asset_base=ASSET_BASE,
                payload_json=map_payload_json(filters, _.lang)),
            key=state.MAP, height=480, use_container_width=True,
            returned_objects=["last_object_clicked", "last_object_clicked_tooltip",
                              "last_object_clicked_count"])
        _follow_map_click(clicked, shown)
        unlocated = int(shown["latitude"].isna().sum())
        if unlocated:
            st.caption(_("{count} of these organisations are not on the map yet (no "
                         "location); they are in the list.", count=_.number(unlocated)))
    if detail_column is None:
        return
    org_id = state.selected_org()
    match = frame[frame["id"] == org_id]
    with detail_column:
        detail_panel(organisation_detail(match.iloc[0].to_dict(), taxonomy, _.lang)
                     if len(match) else None, _)
    _organisation_list(shown, taxonomy, _)


def _follow_map_click(clicked: dict | None, shown) -> None:
    """A new click on a dot selects its organisation (old clicks are ignored)."""
    count = (clicked or {}).get("last_object_clicked_count")
    if not count or count == st.session_state.get(state.LAST_MAP_CLICK):
        return
    st.session_state[state.LAST_MAP_CLICK] = count
    state.select_org(nearest_organisation(shown, clicked.get("last_object_clicked_tooltip"),
                                          clicked.get("last_object_clicked")))


def _organisation_list(shown, taxonomy, _) -> None:
    st.subheader(_("List"))
    table = list_rows(shown, taxonomy, _.lang)
    st.session_state[state.LIST_IDS] = table["id"].tolist()
    with st.container(key="organisation-list"):
        st.dataframe(table.drop(columns="id"), key=state.LIST, hide_index=True,
                     width="stretch", on_select=state.on_list_select,
                     selection_mode="single-row",
                     column_config={"name": _("Name"), "sector": _("Sector"),
                                    "kind": _("Kind"), "city": _("City"),
                                    "country": _("Country")})


render()
