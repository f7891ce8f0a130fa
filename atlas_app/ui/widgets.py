"""Reusable pieces of the public pages: the sector legend and the detail panel."""

from __future__ import annotations

import streamlit as st

from atlas_app.i18n import Translator, language_name_in
from atlas_app.public.detail import Detail, md_escape
from atlas_app.registry.schema import Taxonomy
from atlas_app.ui import state


def sector_legend(taxonomy: Taxonomy, counts: dict[str, int], _: Translator) -> list[str]:
    """The legend: one pill per sector, in its colour, with how many organisations it has
    under the other filters; clicking pills filters by sector."""
    # The dot itself is styled in static/atlas/app.css; only its colour is data.
    rules = "\n".join(
        f".st-key-{state.SECTOR} button:nth-of-type({n}) p::before "
        f"{{--sector-colour: {s.colour};}}"
        for n, s in enumerate(taxonomy.sectors, start=1))
    st.html(f"<style>{rules}</style>")
    chosen = st.pills(_("Sectors (click to show only some)"), list(taxonomy.ids),
                      selection_mode="multi", key=state.SECTOR, label_visibility="collapsed",
                      format_func=lambda sid: f"{taxonomy.get(sid).label(_.lang)} "
                                              f"· {_.number(counts.get(sid, 0))}")
    return list(chosen or [])


def detail_panel(detail: Detail | None, _: Translator) -> None:
    """The selected organisation, or a hint when none is selected."""
    if detail is None:
        with st.container(key="detail-hint", border=True):
            st.caption(_("Click a dot on the map or a name in the list to see an "
                         "organisation here."))
        return
    with st.container(key="detail", border=True):
        st.subheader(md_escape(detail.name))
        st.markdown(f"**{md_escape(detail.sector)}** · {md_escape(detail.kind)}")
        st.caption(md_escape(detail.place))
        if detail.description:
            st.markdown(md_escape(detail.description))
            if detail.description_lang:
                st.caption(_("(description in {language}; none in {wanted} yet)",
                             language=md_escape(language_name_in(detail.description_lang,
                                                                 _.lang)),
                             wanted=md_escape(language_name_in(_.lang, _.lang))))
        if detail.website:
            st.link_button(_("Visit the website"), detail.website)
            st.caption(md_escape(detail.website))
        if detail.tags:
            st.caption(_("Keywords: {tags}", tags=md_escape(", ".join(detail.tags))))
        st.caption(md_escape(detail.location))
        if detail.source:
            st.caption(_("Source: {source}", source=md_escape(detail.source)))
        st.button(_("Close"), key="close-detail", on_click=state.select_org, args=(None,))


def point_picker(fmap, key: str, lat_key: str, lon_key: str) -> bool:
    """A map to click on: a new click writes its coordinates into the ``lat_key`` and
    ``lon_key`` widgets' state. Returns True when it did (the caller may rerun)."""
    from streamlit_folium import st_folium

    clicked = st_folium(fmap, key=key, height=300, use_container_width=True,
                        returned_objects=["last_clicked"])
    point = (clicked or {}).get("last_clicked")
    if not point or point == st.session_state.get(f"{key}-last-click"):
        return False
    st.session_state[f"{key}-last-click"] = point
    st.session_state[lat_key] = f"{point['lat']:.6f}"
    st.session_state[lon_key] = f"{point['lng']:.6f}"
    return True


def form_problems(problems, *, errors_only: bool = False) -> None:
    """A form's problems, one message each: field, what is wrong, how to fix it
    (errors in red, warnings in yellow). Used by every form that validates a record."""
    for problem in problems:
        if problem.severity != "error" and errors_only:
            continue
        show = st.error if problem.severity == "error" else st.warning
        show(f"**{md_escape(problem.field or '')}** — {md_escape(problem.message)} — "
             f"{md_escape(problem.fix)}")
