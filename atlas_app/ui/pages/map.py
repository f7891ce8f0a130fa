"""The public map: filters, a sentence saying what is shown, the map and a table."""

from __future__ import annotations

import streamlit as st
from streamlit_folium import st_folium

from atlas_app.countries import country_name
from atlas_app.filters import Filters, apply_filters, describe_filters
from atlas_app.mapping import build_map
from atlas_app.schema import KIND_LABELS, KINDS
from atlas_app.ui import state
from atlas_app.ui.resources import get_settings, get_taxonomy, published_frame

# The map draws inside streamlit-folium's iframe at <base>/component/<name>/index.html;
# this relative URL reaches <base>/app/static whatever the deployment's base path.
ASSET_BASE = "../../app/static"


def render() -> None:
    state.init_state()
    settings, taxonomy = get_settings(), get_taxonomy()
    frame = published_frame()

    st.title("Social Tech Atlas")
    st.caption("European organisations using digital technology for the common good.")
    if frame.empty:
        st.info("The registry has no published organisations yet. Staff can add some with "
                "`atlas import FILE`; `make run` loads the seed registry into an empty database.")
        return

    with st.sidebar:
        st.header("Filter")
        countries = sorted(frame["country"].unique(), key=country_name)
        st.multiselect("Country", countries, key=state.COUNTRIES, format_func=country_name)
        st.multiselect("Sector", list(taxonomy.ids), key=state.SECTORS,
                       format_func=lambda s: taxonomy.get(s).label_en)
        st.multiselect("Kind", list(KINDS), key=state.KINDS,
                       format_func=lambda k: KIND_LABELS[k][0])
        st.text_input("Search", key=state.QUERY, placeholder="name, city, keyword…")
        st.button("Reset filters", key="reset_filters", on_click=state.reset_filters)

    filters = Filters(tuple(st.session_state[state.COUNTRIES]),
                      tuple(st.session_state[state.SECTORS]),
                      tuple(st.session_state[state.KINDS]), st.session_state[state.QUERY])
    shown = apply_filters(frame, filters)
    with st.container(key="result-summary"):
        st.markdown(describe_filters(filters, len(shown), len(frame), taxonomy))

    if shown.empty:
        st.warning("No organisation matches these filters.")
        st.button("Show all organisations", key="reset_empty", on_click=state.reset_filters)
        return

    unlocated = int(shown["latitude"].isna().sum())
    if unlocated:
        st.caption(f"{unlocated:,} of these organisations have no coordinates yet and are "
                   "listed in the table only.")
    st_folium(build_map(shown, taxonomy, tile_url=settings.tile_url,
                        tile_attribution=settings.tile_attribution, asset_base=ASSET_BASE),
              key="atlas_map", height=520, use_container_width=True, returned_objects=[])

    table = shown.assign(
        sector=shown["sector"].map(lambda s: t.label_en if (t := taxonomy.get(s)) else s),
        country=shown["country"].map(country_name),
        kind=shown["kind"].map(lambda k: KIND_LABELS.get(k, (k,))[0]),
    )
    with st.container(key="organisation-list"):
        st.dataframe(table[["name", "sector", "kind", "city", "country", "website"]],
                     hide_index=True, width="stretch",
                     column_config={"website": st.column_config.LinkColumn("website"),
                                    "name": st.column_config.TextColumn("name",
                                                                        width="medium")})


render()
