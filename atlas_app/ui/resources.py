"""Cached resources for the Streamlit app: settings, store, taxonomy, registry frames.

Frames are cached by the registry's revision (a small integer read from the database),
never by hashing a DataFrame, so a write anywhere shows on the next rerun.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from atlas_app.filters import Filters, apply_filters
from atlas_app.mapping import json_for_script, map_payload
from atlas_app.schema import Taxonomy, load_taxonomy
from atlas_app.settings import Settings, load_settings
from atlas_app.store import Store


@st.cache_resource
def get_settings() -> Settings:
    return load_settings()


@st.cache_resource
def get_store() -> Store:
    return Store(get_settings().resolved_database_url)


@st.cache_resource
def get_taxonomy() -> Taxonomy:
    return load_taxonomy(get_settings().data_dir)


@st.cache_data(max_entries=4, show_spinner=False)
def _published_frame(revision: int) -> pd.DataFrame:
    return get_store().frame(statuses=("published",))


def published_frame() -> pd.DataFrame:
    """Published organisations, cached until the registry's revision changes."""
    return _published_frame(get_store().revision())


@st.cache_data(max_entries=32, show_spinner=False)
def _map_payload_json(revision: int, filters: Filters, lang: str) -> str:
    frame = apply_filters(_published_frame(revision), filters)
    return json_for_script(map_payload(frame, get_taxonomy(), lang))


def map_payload_json(filters: Filters, lang: str) -> str:
    """The map's data for a view, cached by registry revision, filters and language."""
    return _map_payload_json(get_store().revision(), filters, lang)


@st.cache_resource
def get_outlines() -> dict:
    """Country outlines for the choropleth (from the app's own static folder)."""
    from pathlib import Path

    from atlas_app.research import country_outlines

    return country_outlines(Path(__file__).resolve().parent / "static" / "basemap" /
                            "countries.json")


@st.cache_resource
def get_gazetteer():
    """The offline gazetteer (index cached in var/cache; loads in about 0.3 s)."""
    from atlas_app.gazetteer import Gazetteer

    settings = get_settings()
    return Gazetteer.load(settings.cache_dir, settings.data_dir)
