"""Public form: suggest an organisation (no sign-in; lands as pending for staff review).

Spam resistance: a honeypot field people never see, a per-session limit and a limit for
the whole site per hour."""

from __future__ import annotations

import time

import streamlit as st

from atlas_app.intake.pipeline import locate_records
from atlas_app.intake.validation import validate_record
from atlas_app.places.countries import EUROPE, country_name
from atlas_app.places.geocoding import Locator
from atlas_app.registry.schema import KIND_LABELS, KINDS
from atlas_app.staff.edits import add_suggestion, suggestions_open
from atlas_app.ui import lang
from atlas_app.ui.resources import get_gazetteer, get_store, get_taxonomy
from atlas_app.ui.staff_session import current_client
from atlas_app.ui.widgets import form_problems

SENT = "suggestions-sent"
PER_SESSION = 3

_ = lang.current()
taxonomy = get_taxonomy()
st.title(_("Suggest an organisation"))
st.markdown(_("Know an organisation that uses digital technology for the common good? Tell "
              "us; the atlas team checks every suggestion before it appears on the map."))
with st.form("suggest"):
    name = st.text_input(_("Name"), key="suggest-name")
    website = st.text_input(_("Website"), key="suggest-website", placeholder="https://")
    cols = st.columns(2)
    city = cols[0].text_input(_("City"), key="suggest-city")
    country = cols[1].selectbox(_("Country"), sorted(EUROPE, key=lambda c: country_name(c, _.lang)),
                                key="suggest-country", format_func=lambda c: country_name(c, _.lang),
                                index=None, placeholder=_("Choose a country"))
    kind = cols[0].selectbox(_("Kind"), KINDS, key="suggest-kind",
                             format_func=lambda k: _(KIND_LABELS[k]))
    sector = cols[1].selectbox(_("Sector"), taxonomy.ids, key="suggest-sector",
                               format_func=lambda s: taxonomy.get(s).label(_.lang))
    description = st.text_area(_("What does it do?"), key="suggest-description")
    trap = st.text_input("Leave this empty", key="suggest-hp", label_visibility="collapsed")
    sent = st.form_submit_button(_("Send the suggestion"))
if sent:
    recent = [t for t in st.session_state.get(SENT, []) if t > time.time() - 3600]
    if trap:
        st.success(_("Thank you! The atlas team will review your suggestion."))  # a bot
    elif len(recent) >= PER_SESSION or not suggestions_open(get_store(), current_client()):
        st.warning(_("Many suggestions have arrived in the last hour; please try again later."))
    else:
        field = "description_fr" if _.lang == "fr" else "description_en"
        record, problems = validate_record(
            {"name": name, "website": website, "city": city, "country": country or "", "kind": kind,
             "sector": sector, field: description}, taxonomy, line=1, default_status="pending")
        form_problems(problems, errors_only=True)
        if record is not None:
            locate_records([(1, record)], Locator(get_gazetteer()), "line")
            add_suggestion(get_store(), record, current_client())
            st.session_state[SENT] = recent + [time.time()]
            st.success(_("Thank you! The atlas team will review your suggestion."))
