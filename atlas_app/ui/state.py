"""Session-state keys (named once, here) and their initialiser."""

from __future__ import annotations

import streamlit as st

COUNTRIES = "filter_countries"
SECTORS = "filter_sectors"
KINDS = "filter_kinds"
QUERY = "filter_q"

DEFAULTS: dict[str, object] = {COUNTRIES: [], SECTORS: [], KINDS: [], QUERY: ""}


def init_state() -> None:
    for key, value in DEFAULTS.items():
        st.session_state.setdefault(key, value if not isinstance(value, list) else list(value))


def reset_filters() -> None:
    for key, value in DEFAULTS.items():
        st.session_state[key] = value if not isinstance(value, list) else list(value)
