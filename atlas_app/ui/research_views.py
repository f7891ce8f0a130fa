"""The four research views; each takes the filtered organisations and renders them."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from atlas_app.i18n import N_, Translator
from atlas_app.maps.elements import CHOROPLETH_COLOURS, build_choropleth
from atlas_app.public.detail import list_rows, md_escape
from atlas_app.registry.schema import Taxonomy
from atlas_app.research import charts
from atlas_app.research.numbers import (
    choropleth_classes,
    country_counts,
    crosstab,
    growth,
    population_source,
    sector_shares,
)
from atlas_app.ui import research_state as rs
from atlas_app.ui.resources import get_outlines

LIST_LIMIT = 1_000
VIEW_LABELS = {"focus": N_("Country focus"), "compare": N_("Compare countries"),
               "choropleth": N_("Map of Europe"), "crosstab": N_("Cross-tab and growth")}


def focus(shown: pd.DataFrame, taxonomy: Taxonomy, _: Translator) -> None:
    metrics = st.columns(3)
    metrics[0].metric(_("Organisations"), _.number(len(shown)))
    metrics[1].metric(_("Countries"), _.number(shown["country"].nunique()))
    metrics[2].metric(_("Located on the map"), _.number(int(shown["latitude"].notna().sum())))
    kinds = shown["kind"].value_counts()
    st.caption(" · ".join(  # markdown: translated kind labels and numbers
        f"{_(label)}: {_.number(int(kinds.get(kind, 0)))}" for kind, label in
                          (("support", N_("Supports digital transition")),
                           ("solution", N_("Alternative digital solution")))))
    st.altair_chart(charts.sector_bars(sector_shares(shown, taxonomy, _.lang), taxonomy,
                                       _.lang, _("Organisations by sector")), width="stretch")
    if len(shown) > LIST_LIMIT:
        st.caption(_("The first {limit} of {count} organisations: the downloads below hold "
                     "them all.", limit=_.number(LIST_LIMIT), count=_.number(len(shown))))
    st.dataframe(list_rows(shown.head(LIST_LIMIT), taxonomy, _.lang).drop(columns="id"),
                 hide_index=True, key="focus-list",
                 column_config={"name": _("Name"), "sector": _("Sector"), "kind": _("Kind"),
                                "city": _("City"), "country": _("Country")})


def compare(shown: pd.DataFrame, taxonomy: Taxonomy, _: Translator) -> None:
    counts = country_counts(shown, _.lang)
    with st.container(key="compare-table"):
        st.dataframe(counts[["name", "organisations", "population", "per_million"]],
                     hide_index=True, column_config={
                         "name": _("Country"),
                         "organisations": st.column_config.NumberColumn(_("Organisations")),
                         "population": st.column_config.NumberColumn(_("Population"),
                                                                     format="localized"),
                         "per_million": st.column_config.NumberColumn(
                             _("Per million inhabitants"), format="%.2f")})
    st.altair_chart(charts.rate_bars(counts, "per_million",
                                     _("Organisations per million inhabitants")), width="stretch")
    st.altair_chart(charts.share_bars(sector_shares(shown, taxonomy, _.lang), taxonomy, _.lang,
                                      _("Share of each country's organisations by sector")),
                    width="stretch")
    st.caption(md_escape(population_source(_.lang)))


def choropleth(shown: pd.DataFrame, taxonomy: Taxonomy, _: Translator) -> None:
    metric = st.radio(_("Colour by"), rs.METRICS, key=rs.METRIC, horizontal=True,
                      format_func=lambda m: _("Organisations") if m == "organisations"
                      else _("Per million inhabitants"))
    counts = country_counts(shown, _.lang)
    values = dict(zip(counts["country"], counts[metric].fillna(0)))
    bounds = choropleth_classes(list(values.values()))
    labels = {c: f"{n} · {_.number(v)}" for c, n, v in
              zip(counts["country"], counts["name"], counts[metric].fillna(0))}
    clicked = st_folium(build_choropleth(get_outlines(), values, labels, bounds, lang=_.lang,
                                         asset_base="../../app/static"),
                        key="choropleth", height=520, use_container_width=True,
                        returned_objects=["last_active_drawing"])
    rs.follow_choropleth_click(clicked)
    swatches = " ".join(f"<span style='background:{colour};padding:0 .8em;margin-left:.6em'>"
                        f"</span> ≤ {_.number(bound)}" for colour, bound in
                        zip(CHOROPLETH_COLOURS[-len(bounds):], bounds))
    with st.container(key="choropleth-legend"):
        st.html(f"<div>{swatches}</div>")
    st.caption(_("Click a country to focus on it.") + " " + md_escape(population_source(_.lang)))


def crosstab_and_growth(shown: pd.DataFrame, taxonomy: Taxonomy, _: Translator) -> None:
    with st.container(key="crosstab"):
        st.dataframe(crosstab(shown, taxonomy, _.lang))
    st.altair_chart(charts.growth_line(growth(shown), _("Organisations in the atlas, by year "
                                                         "added")), width="stretch")


RENDERERS = {"focus": focus, "compare": compare, "choropleth": choropleth,
             "crosstab": crosstab_and_growth}
