"""Altair charts for the research views (Altair ships with Streamlit; no Streamlit here)."""

from __future__ import annotations

import altair as alt
import pandas as pd

from atlas_app.registry.schema import Taxonomy


def _sector_scale(taxonomy: Taxonomy, lang: str) -> alt.Scale:
    return alt.Scale(domain=[s.label(lang) for s in taxonomy.sectors],
                     range=[s.colour for s in taxonomy.sectors])


def sector_bars(shares: pd.DataFrame, taxonomy: Taxonomy, lang: str, title: str) -> alt.Chart:
    """Organisations by sector (one bar per sector, in the sector's colour)."""
    totals = shares.groupby("sector", as_index=False)["organisations"].sum()
    return alt.Chart(totals, title=title).mark_bar().encode(
        x=alt.X("organisations:Q", title=None),
        y=alt.Y("sector:N", sort="-x", title=None),
        color=alt.Color("sector:N", scale=_sector_scale(taxonomy, lang), legend=None),
        tooltip=["sector", "organisations"])


def share_bars(shares: pd.DataFrame, taxonomy: Taxonomy, lang: str, title: str) -> alt.Chart:
    """Each country's organisations split by sector, as shares (stacked to 100 %)."""
    return alt.Chart(shares, title=title).mark_bar().encode(
        x=alt.X("share:Q", stack="normalize", axis=alt.Axis(format="%"), title=None),
        y=alt.Y("country:N", title=None),
        color=alt.Color("sector:N", scale=_sector_scale(taxonomy, lang), title=None),
        tooltip=["country", "sector", "organisations", alt.Tooltip("share:Q", format=".0%")])


def rate_bars(counts: pd.DataFrame, column: str, title: str) -> alt.Chart:
    """One bar per country for ``column`` (organisations or per_million)."""
    return alt.Chart(counts, title=title).mark_bar(color="#332288").encode(
        x=alt.X(f"{column}:Q", title=None), y=alt.Y("name:N", sort="-x", title=None),
        tooltip=["name", "organisations", "population", "per_million"])


def growth_line(table: pd.DataFrame, title: str) -> alt.Chart:
    return alt.Chart(table, title=title).mark_line(point=True, color="#117733").encode(
        x=alt.X("year:O", title=None), y=alt.Y("total:Q", title=None),
        tooltip=["year", "added", "total"])
