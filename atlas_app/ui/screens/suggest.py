"""Public form: suggest an organisation (no sign-in; lands as pending for staff review).

Spam resistance: a honeypot field people never see, a per-session limit and a limit for
the whole site per hour (see ``ui/suggest_form.py``)."""

from __future__ import annotations

import streamlit as st

from atlas_app.i18n import language_name
from atlas_app.maps.elements import build_base_map
from atlas_app.places.countries import EUROPE, country_name
from atlas_app.registry.schema import DESCRIPTION_LANGUAGES, KIND_LABELS, KINDS
from atlas_app.ui import lang
from atlas_app.ui import suggest_form as form
from atlas_app.ui.resources import get_taxonomy
from atlas_app.ui.widgets import point_picker

_ = lang.current()
taxonomy = get_taxonomy()


def beside(field: str) -> None:
    """The field's problem, if any, right under it, in the visitor's language."""
    message = problems.get(field)
    if message:
        with st.container(key=f"suggest-error-{field}"):
            st.markdown(_(message))  # markdown: a catalogue message


st.title(_("Suggest an organisation"))
st.markdown(_("Know an organisation that uses digital technology for the common good? Tell "
              "us; the atlas team checks every suggestion before it appears on the map."))
outcome, problems = form.take_outcome()
if outcome == "thanks":
    st.success(_("Thank you! The atlas team will review your suggestion."))
elif outcome == "visitor_limit":
    st.warning(_("You have sent as many suggestions in the last hour as one visitor can; "
                 "please come back later."))
elif outcome == "site_limit":
    st.warning(_("Many suggestions have arrived in the last hour; please try again later."))
with st.expander(_("Optional: click the map where the organisation is (otherwise it is "
                  "placed at its city).")):
    if point_picker(build_base_map(lang=_.lang), "suggest-map", form.LATITUDE,
                    form.LONGITUDE):
        st.rerun()
with st.form("suggest"):
    st.text_input(_("Name"), key=form.KEYS["name"])
    beside("name")
    st.text_input(_("Website"), key=form.KEYS["website"], placeholder="https://")
    beside("website")
    cols = st.columns(2)
    with cols[0]:
        st.text_input(_("City"), key=form.KEYS["city"])
        beside("city")
    with cols[1]:
        st.selectbox(_("Country"), sorted(EUROPE, key=lambda c: country_name(c, _.lang)),
                     key=form.KEYS["country"], format_func=lambda c: country_name(c, _.lang),
                     index=None, placeholder=_("Choose a country"))
        beside("country")
    with cols[0]:
        st.selectbox(_("Kind"), KINDS, key=form.KEYS["kind"], index=None,
                     format_func=lambda k: _(KIND_LABELS[k]), placeholder=_("Choose a kind"))
        beside("kind")
    with cols[1]:
        st.selectbox(_("Sector"), taxonomy.ids, key=form.KEYS["sector"], index=None,
                     format_func=lambda s: taxonomy.get(s).label(_.lang),
                     placeholder=_("Choose a sector"))
        beside("sector")
    st.text_area(_("What does it do?"), key=form.KEYS["description"])
    # Each language by its own name, as the language switch shows them.
    st.radio(_("The description is written in"), DESCRIPTION_LANGUAGES,
             key=form.KEYS["description-lang"], index=None, horizontal=True,
             format_func=language_name)
    beside("description")
    st.text_input(_("Leave this empty"), key=form.TRAP, label_visibility="collapsed")
    if st.session_state.get(form.LATITUDE):
        st.caption(_("Location: {lat}, {lon} (from the map above)",  # markdown: numbers
                     lat=st.session_state[form.LATITUDE],
                     lon=st.session_state[form.LONGITUDE]))
    st.form_submit_button(_("Send the suggestion"), on_click=form.on_send)
