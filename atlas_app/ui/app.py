"""Streamlit entrypoint: page setup and navigation only."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

PAGES = Path(__file__).resolve().parent / "pages"

st.set_page_config(page_title="Social Tech Atlas", page_icon="🗺️", layout="wide")
navigation = st.navigation([st.Page(PAGES / "map.py", title="Map", url_path="map",
                                    default=True)])
navigation.run()
