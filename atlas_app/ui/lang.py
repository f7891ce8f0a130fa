"""The UI language switch (``?lang=``; by default the browser's language)."""

from __future__ import annotations

import streamlit as st

from atlas_app.i18n import Translator, available_languages, language_name, translator
from atlas_app.ui import state

SWITCH = "lang-switch"


def _on_switch() -> None:
    # The chosen language lives in its own key: the switch only reports clicks (a
    # segmented control seeded through session state has been seen to come back empty).
    if st.session_state.get(SWITCH):
        st.session_state[state.LANG] = st.session_state[SWITCH]
        st.session_state[state.LANG_IN_URL] = True


def language_switch() -> Translator:
    """Render the language switch and return the translator for the chosen language."""
    languages = list(available_languages())
    # Named in English too, so that someone who cannot read the page finds it.
    _ = current()
    name = _("Language")
    st.segmented_control("Language" + ("" if name == "Language" else f" · {name}"), languages,
                         key=SWITCH,
                         default=st.session_state.get(state.LANG) or languages[0],
                         on_change=_on_switch, label_visibility="collapsed",
                         format_func=language_name)
    return current()


def current() -> Translator:
    return translator(st.session_state.get(state.LANG) or "en")
