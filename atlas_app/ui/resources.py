"""Cached resources for the Streamlit app: settings, store, taxonomy, the registry index.

Everything derived from the registry is cached by its revision (a small integer read from
the database, so a write through any replica shows on every replica's next rerun), never
by hashing a DataFrame.
"""

from __future__ import annotations

from dataclasses import astuple

import numpy as np
import pandas as pd
import streamlit as st

from atlas_app.filters import Filters
from atlas_app.mapping import json_for_script
from atlas_app.schema import Taxonomy, load_taxonomy
from atlas_app.settings import Settings, load_settings
from atlas_app.store import Store
from atlas_app.viewport import RegistryIndex, Window


@st.cache_resource
def get_settings() -> Settings:
    return load_settings()


@st.cache_resource
def get_store() -> Store:
    return Store(get_settings().resolved_database_url)


@st.cache_resource
def get_taxonomy() -> Taxonomy:
    return load_taxonomy(get_settings().data_dir)


@st.cache_resource(max_entries=2, show_spinner=False)
def _registry_index(revision: int) -> RegistryIndex:
    # cache_resource, not cache_data: one shared, read-only index per process (a million
    # organisations would otherwise be copied for every rerun).
    return RegistryIndex.load(get_store())


def registry_index() -> RegistryIndex:
    """The published registry's compact index, rebuilt when the revision changes."""
    return _registry_index(get_store().revision())


@st.cache_resource(max_entries=64, show_spinner=False)
def _filter_mask(revision: int, filters: Filters) -> np.ndarray:
    mask = _registry_index(revision).mask(filters)
    mask.setflags(write=False)
    return mask


def filter_mask(filters: Filters) -> np.ndarray:
    """Which organisations of :func:`registry_index` match ``filters`` (cached)."""
    return _filter_mask(get_store().revision(), filters)


@st.cache_data(max_entries=512, show_spinner=False)
def _map_payload_json(revision: int, filters: Filters, lang: str, window: tuple | None,
                      fit: bool) -> str:
    index = _registry_index(revision)
    payload = index.payload(_filter_mask(revision, filters),
                            Window(*window) if window else None, get_taxonomy(), lang, fit)
    return json_for_script(payload)


def map_payload_json(filters: Filters, lang: str, window: Window | None, fit: bool) -> str:
    """The map's data for a view, cached by revision, filters, language and the snapped
    grid window (nearby views share an entry)."""
    return _map_payload_json(get_store().revision(), filters, lang,
                             astuple(window) if window else None, fit)


@st.cache_data(max_entries=256, show_spinner=False)
def _published_organisation(revision: int, org_id: int) -> dict | None:
    org = get_store().get_organisation(org_id)
    return org if org and org.get("status") == "published" else None


def published_organisation(org_id: int | None) -> dict | None:
    """One published organisation, whole (None if unknown or not published)."""
    if org_id is None:
        return None
    return _published_organisation(get_store().revision(), int(org_id))


def published_rows(ids) -> pd.DataFrame:
    """Whole rows of the published organisations with these ids (for downloads)."""
    frame = get_store().frame(statuses=("published",))
    return frame[frame["id"].isin(set(int(i) for i in ids))]


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
