"""Streamlit entrypoint: page setup, the language switch and navigation only."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from atlas_app.maps.elements import json_for_script
from atlas_app.ui import lang, state, upload_gate
from atlas_app.ui.resources import get_settings, get_store, get_taxonomy, static_text
from atlas_app.ui.staff_session import TOKEN, current_staff

PAGES = Path(__file__).parent / "screens"

st.set_page_config(page_title="Social Tech Atlas", page_icon="🗺️", layout="wide",
                   initial_sidebar_state="collapsed")
st.html(f"<style>{static_text('atlas/app.css')}</style>")
state.init_from_url(get_taxonomy())
# The language switch sits in the top bar (app.css), so no page needs a sidebar; an
# embedded map takes its language from the link (?lang=).
with st.container(key="lang-bar"):
    _ = lang.current() if st.context.is_embedded else lang.language_switch()
    # The page's script (static/atlas/page.js) with its data: language, labels, selection.
    config = json_for_script({"lang": _.lang, "mapTitle": _("Map of the organisations"),
                              "selected": state.selected_org()})
    st.html(f"<script>window.atlasPageConfig = {config};\n"
            f"{static_text('atlas/page.js')}</script>", unsafe_allow_javascript=True)
pages = [
    st.Page(PAGES / "map.py", title=_("Map"), url_path="map", default=True),
    st.Page(PAGES / "research.py", title=_("Research"), url_path="research"),
    st.Page(PAGES / "about.py", title=_("About"), url_path="about"),
    st.Page(PAGES / "suggest.py", title=_("Suggest an organisation"), url_path="suggest"),
    st.Page(PAGES / "signin.py", title=_("Staff sign-in"), url_path="signin"),
]
# Staff pages are listed only for a signed-in session; by URL (a reload after the session
# ended) they say so and offer to sign in again. Every staff write checks the session.
staff = current_staff()
# Streamlit's upload endpoint keeps files only for a signed-in staff session.
upload_gate.follow(st.session_state.get(TOKEN) if staff else None, get_store(),
                   get_settings().max_upload_bytes)
visibility = "visible" if staff is not None else "hidden"
pages.append(st.Page(PAGES / "staff.py", title=_("Staff workspace"), url_path="staff",
                     visibility=visibility))
pages.append(st.Page(PAGES / "upload.py", title=_("Upload a file"), url_path="upload",
                     visibility=visibility))
navigation = st.navigation(pages, position="hidden" if st.context.is_embedded else "top")
navigation.run()
