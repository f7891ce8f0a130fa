"""Cached resources for the Streamlit app: settings, store, taxonomy, the registry index.

Everything derived from the registry is cached by its revision (a small integer read from
the database, so a write through any replica shows on every replica's next rerun), never
by hashing a DataFrame.
"""

from __future__ import annotations

import functools
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import astuple, dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import streamlit as st

from atlas_app.maps.elements import json_for_script
from atlas_app.public.detail import list_rows
from atlas_app.public.filters import Filters
from atlas_app.public.index import LiveIndex, RegistryIndex
from atlas_app.public.snapshot import load_index
from atlas_app.public.updates import updated_index
from atlas_app.public.viewport import Window
from atlas_app.registry.schema import Taxonomy, load_taxonomy
from atlas_app.registry.store import Store
from atlas_app.settings import Settings, load_settings


@st.cache_resource
def get_settings() -> Settings:
    return load_settings()


@st.cache_resource
def get_store() -> Store:
    return Store(get_settings().resolved_database_url)


@st.cache_resource
def get_taxonomy() -> Taxonomy:
    return load_taxonomy(get_settings().data_dir)


@st.cache_resource
def _live_index() -> LiveIndex:
    # One shared, read-only index per process (cache_data would copy a million
    # organisations into every rerun).
    # Each revision's index is saved in the cache folder: the next process maps it
    # instead of reading the registry (public/snapshot.py).
    # A few changes (a staff edit) are applied to the index in place (public/updates.py).
    return LiveIndex(lambda revision: load_index(get_store(), revision,
                                                 get_settings().cache_dir),
                     update=lambda current, revision: updated_index(get_store(), current,
                                                                    revision))


def registry_index() -> RegistryIndex:
    """The published registry's compact index for the current revision (for a large
    registry, the previous one while the new one is built)."""
    return _live_index().get(get_store().revision())


# What the visitors' views compute from the index (a mask, a payload, a list) borrows
# tens of megabytes for a moment at a million organisations. Two cores do two at a time
# however many visitors ask; the others wait their turn instead of borrowing as well, so
# the process's peak stays near its resting size. (Only these leaves take it: none of
# them calls another while holding it.)
_COMPUTING = threading.BoundedSemaphore(2)


@st.cache_resource(max_entries=64, show_spinner=False)
def _filter_mask(revision: int, filters: Filters, _index: RegistryIndex) -> np.ndarray:
    # Kept as bits: an eighth of the memory (125 kB at a million organisations), and
    # unpacked in a fraction of a millisecond.
    with _COMPUTING:
        packed = np.packbits(_index.mask(filters))
    packed.setflags(write=False)
    return packed


def filter_mask(index: RegistryIndex, filters: Filters) -> np.ndarray:
    """Which organisations of ``index`` match ``filters`` (cached)."""
    return np.unpackbits(_filter_mask(index.revision, filters, index),
                         count=len(index)).view(bool)


@st.cache_resource(max_entries=256, show_spinner=False)
def _sector_counts(revision: int, filters: Filters, _index: RegistryIndex) -> dict[str, int]:
    mask = filter_mask(_index, replace(filters, sectors=()))
    with _COMPUTING:
        return _index.counts(mask, "sector")


def sector_counts(index: RegistryIndex, filters: Filters) -> dict[str, int]:
    """Organisations per sector under every filter but the sector one (what each sector
    pill would show)."""
    return _sector_counts(index.revision, filters, index)


# cache_resource, not cache_data, for what a rerun only reads: cache_data would pickle
# the value into every rerun (a copy per visitor). A payload is a few kB aggregated, up
# to a few hundred kB when a small selection goes to the browser whole.
@st.cache_resource(max_entries=128, show_spinner=False)
def _map_payload_json(revision: int, filters: Filters, lang: str, window: tuple | None,
                      fit: bool, _index: RegistryIndex) -> str:
    mask, taxonomy = filter_mask(_index, filters), get_taxonomy()
    with _COMPUTING:
        return json_for_script(_index.payload(mask, Window(*window) if window else None,
                                              taxonomy, lang, fit))


def map_payload_json(index: RegistryIndex, filters: Filters, lang: str, window: Window | None,
                     fit: bool) -> str:
    """The map's data for a view, cached by revision, filters, language and the snapped
    grid window (nearby views share an entry)."""
    return _map_payload_json(index.revision, filters, lang,
                             astuple(window) if window else None, fit, index)


@dataclass(frozen=True)
class OrganisationList:
    """The list under the map: the organisations' ids, and the table shown (name,
    sector, kind, city, country) as Arrow, which Streamlit sends without converting."""

    ids: tuple[int, ...]
    table: pa.Table


@st.cache_resource(max_entries=256, show_spinner=False)
def _organisation_list(revision: int, filters: Filters, lang: str, limit: int,
                       _index: RegistryIndex) -> OrganisationList:
    mask, taxonomy = filter_mask(_index, filters), get_taxonomy()
    with _COMPUTING:
        rows = list_rows(_index.by_name(mask, limit), taxonomy, lang)
    return OrganisationList(tuple(rows["id"].tolist()),
                            pa.Table.from_pandas(rows.drop(columns="id"), preserve_index=False))


def organisation_list(index: RegistryIndex, filters: Filters, lang: str,
                      limit: int) -> OrganisationList:
    """The first ``limit`` matching organisations by name, as the list shows them."""
    return _organisation_list(index.revision, filters, lang, limit, index)


@st.cache_data(max_entries=256, show_spinner=False)
def _published_organisation(revision: int, org_id: int) -> dict | None:
    org = get_store().get_organisation(org_id)
    return org if org and org.get("status") == "published" else None


def published_organisation(index: RegistryIndex, org_id: int | None) -> dict | None:
    """One published organisation, whole (None if unknown or not published), as of the
    revision ``index`` was built from."""
    if org_id is None:
        return None
    return _published_organisation(index.revision, int(org_id))


def published_rows(filters: Filters, ids) -> pd.DataFrame:
    """Whole rows of the published organisations with these ids (for downloads): the
    database narrows by country, sector and kind with its indexes, the ids (which carry
    the text search) do the rest."""
    frame = get_store().frame(statuses=("published",), countries=filters.countries,
                              sectors=filters.sectors, kinds=filters.kinds)
    return frame[frame["id"].isin(set(int(i) for i in ids))].reset_index(drop=True)


STATIC = Path(__file__).resolve().parent / "static"


@functools.cache
def static_text(relative: str) -> str:
    """A text file of the app's static folder (its style sheet, its page script), read once
    per process instead of on every rerun."""
    return (STATIC / relative).read_text(encoding="utf-8")


@st.cache_resource
def get_outlines() -> dict:
    """Country outlines for the choropleth (from the app's own static folder)."""
    from atlas_app.research.numbers import country_outlines

    return country_outlines(STATIC / "basemap" / "countries.json")


@st.cache_resource
def _gazetteer_loading() -> Future:
    """The offline gazetteer, loading in a worker thread (the index is cached in
    var/cache and loads in about a second); once loaded, it is prepared for imports in
    the background."""
    from atlas_app.places.gazetteer import Gazetteer

    settings = get_settings()

    def load() -> Gazetteer:
        gazetteer = Gazetteer.load(settings.cache_dir, settings.data_dir)
        threading.Thread(target=gazetteer.prepare_for_imports, name="gazetteer-prepare",
                         daemon=True).start()
        return gazetteer

    worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gazetteer")
    loading = worker.submit(load)
    worker.shutdown(wait=False)
    return loading


def get_gazetteer():
    """The offline gazetteer (waits for it when it is still loading). A load that failed
    is not kept: the next call loads it again."""
    try:
        return _gazetteer_loading().result()
    except Exception:
        _gazetteer_loading.clear()
        return _gazetteer_loading().result()


def warm_gazetteer() -> None:
    """Start loading the gazetteer now, without waiting (the upload page calls it while
    the person chooses a file: their first check then finds it ready)."""
    _gazetteer_loading()
