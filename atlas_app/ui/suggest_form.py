"""The public suggestion form's state: sending (a callback, before the page draws), the
problems worded for a visitor beside their fields, the limits said honestly."""

from __future__ import annotations

import time

import streamlit as st

from atlas_app.i18n import N_
from atlas_app.intake.pipeline import locate_records
from atlas_app.intake.validation import validate_record
from atlas_app.places.geocoding import Locator
from atlas_app.registry.schema import DESCRIPTION_FIELDS, DESCRIPTION_LANGUAGES, description_field
from atlas_app.staff.edits import (
    SUGGESTIONS_PER_CLIENT,
    SUGGESTIONS_PER_HOUR,
    add_suggestion,
    suggestions_last_hour,
)
from atlas_app.ui.resources import get_gazetteer, get_store, get_taxonomy
from atlas_app.ui.staff_session import current_client

SENT = "suggestions-sent"
PER_SESSION = 3
FIELDS = ("name", "website", "city", "country", "kind", "sector", "description",
          "description-lang")
KEYS = {field: f"suggest-{field}" for field in FIELDS}
TRAP = "suggest-hp"
# Where the person clicked the map (optional): plain state, written by the map picker.
LATITUDE, LONGITUDE = "suggest-latitude", "suggest-longitude"
PROBLEMS = "suggest-problems"   # field → message id, shown beside the field
OUTCOME = "suggest-outcome"     # "thanks" | "visitor_limit" | "site_limit"

# A problem's code → what a visitor reads beside the field (translated when shown).
MESSAGES = {
    "required": N_("Please fill this in."),
    "too_long": N_("This is too long: please shorten it."),
    "bad_website": N_("Give the full address of the website, starting with https://"),
    "unknown_country": N_("Choose a country in Europe."),
    "outside_europe": N_("Choose a country in Europe."),
    "unknown_kind": N_("Choose what kind of organisation it is."),
    "unknown_sector": N_("Choose the sector it works in."),
    "description_lang": N_("Say which language the description is written in."),
}
OTHER = N_("Please check this value.")
# An empty choice is worded as a choice to make.
CHOOSE = {("country", "required"): "unknown_country", ("kind", "required"): "unknown_kind",
          ("sector", "required"): "unknown_sector"}
# The record's field a problem names → the form's field it is shown beside.
FORM_FIELD = dict.fromkeys(DESCRIPTION_FIELDS, "description")


def on_send() -> None:
    """Callback of the send button: validate, store, clear the form or keep it with the
    problems beside their fields."""
    state = st.session_state
    values = {field: state.get(KEYS[field]) for field in FIELDS}
    recent = [t for t in state.get(SENT, []) if t > time.time() - 3600]
    state[PROBLEMS] = {}
    if state.get(TRAP):
        state[OUTCOME] = "thanks"  # a bot: thanked, nothing stored
        return
    client = current_client()
    if len(recent) >= PER_SESSION or (client is not None and suggestions_last_hour(
            get_store(), client) >= SUGGESTIONS_PER_CLIENT):
        state[OUTCOME] = "visitor_limit"  # this visitor's quota (session, address)
        return
    if suggestions_last_hour(get_store()) >= SUGGESTIONS_PER_HOUR:
        state[OUTCOME] = "site_limit"     # everybody's: the review queue's pace
        return
    state[OUTCOME] = None
    description = (values["description"] or "").strip()
    lang = values["description-lang"]
    record, problems = validate_record(
        {"name": values["name"] or "", "website": values["website"] or "",
         "city": values["city"] or "", "country": values["country"] or "",
         "kind": values["kind"] or "", "sector": values["sector"] or "",
         description_field(lang if lang in DESCRIPTION_LANGUAGES else "en"): description,
         "latitude": state.get(LATITUDE) or "", "longitude": state.get(LONGITUDE) or ""},
        get_taxonomy(), line=1, default_status="pending")
    errors = {FORM_FIELD.get(p.field, p.field): p.code for p in problems
              if p.severity == "error" and p.field}
    if description and not lang:
        errors["description"] = "description_lang"
    if record is None or errors:
        state[PROBLEMS] = errors
        return
    locate_records([(1, record)], Locator(get_gazetteer()), "line")
    add_suggestion(get_store(), record, client)
    state[SENT] = recent + [time.time()]
    state[OUTCOME] = "thanks"
    for key in (*KEYS.values(), LATITUDE, LONGITUDE):
        state.pop(key, None)


def take_outcome() -> tuple[str | None, dict[str, str]]:
    """What the last send came to, once: its outcome and each field's problem as a
    message id (to translate)."""
    problems = st.session_state.pop(PROBLEMS, None) or {}
    return (st.session_state.pop(OUTCOME, None),
            {field: MESSAGES.get(CHOOSE.get((field, code), code), OTHER)
             for field, code in problems.items()})
