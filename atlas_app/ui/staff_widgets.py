"""The staff forms: add an organisation, change a status, read the audit log."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from atlas_app.errors import ConflictError, UnclassifiedError
from atlas_app.i18n import N_, Translator, language_name_in
from atlas_app.intake.pipeline import locate_records
from atlas_app.intake.validation import validate_record
from atlas_app.places.countries import EUROPE, country_name
from atlas_app.places.geocoding import Locator
from atlas_app.public.detail import APPROXIMATE, md_escape, pick_description
from atlas_app.registry.lookups import (
    count_in,
    count_unlocated,
    find_organisations,
    names_of,
    organisations_by_status,
    status_counts,
)
from atlas_app.registry.schema import (
    DESCRIPTION_FIELDS,
    DESCRIPTION_LANGUAGES,
    KIND_LABELS,
    KINDS,
    Taxonomy,
)
from atlas_app.staff.edits import (
    SUGGESTION_SOURCE,
    add_organisation,
    changed_fields,
    describe_values,
    recent_changes,
    registry_duplicates,
    set_status,
    update_organisation,
)
from atlas_app.ui.problem_words import error_message, field_words
from atlas_app.ui.resources import get_gazetteer, get_store
from atlas_app.ui.staff_session import require_staff
from atlas_app.ui.widgets import form_problems, point_picker


def description_areas(prefix: str, _: Translator, org: dict | None = None) -> dict[str, str]:
    """A description in each configured language: one tab per language (named in the
    interface's language, ✓ on those that have a text), one text area each (key
    ``<prefix>-description_<lang>``)."""
    names = [language_name_in(lang, _.lang) for lang in DESCRIPTION_LANGUAGES]
    tabs = st.tabs([name[:1].upper() + name[1:] + (" ✓" if org and org.get(field) else "")
                    for name, field in zip(names, DESCRIPTION_FIELDS)])
    return {field: tab.text_area(_("Description ({language})", language=name),
                                 key=f"{prefix}-{field}")
            for tab, name, field in zip(tabs, names, DESCRIPTION_FIELDS)}


def add_form(taxonomy: Taxonomy, _: Translator) -> None:
    with st.form("add-org", clear_on_submit=False):
        name = st.text_input(_("Name"), key="add-name")
        cols = st.columns(2)
        kind = cols[0].selectbox(_("Kind"), KINDS, key="add-kind",
                                 format_func=lambda k: _(KIND_LABELS[k]))
        sector = cols[1].selectbox(_("Sector"), taxonomy.ids, key="add-sector",
                                   format_func=lambda s: taxonomy.get(s).label(_.lang))
        country = cols[0].selectbox(_("Country"), sorted(EUROPE, key=country_name),
                                    key="add-country", format_func=lambda c: country_name(c, _.lang),
                                    index=None, placeholder=_("Choose a country"))
        city = cols[1].text_input(_("City"), key="add-city")
        website = st.text_input(_("Website"), key="add-website", placeholder="https://")
        descriptions = description_areas("add", _)
        publish = st.checkbox(_("Publish now"), key="add-publish")
        submitted = st.form_submit_button(_("Add the organisation"))
    if not submitted:
        return
    account = require_staff()
    cells = {"name": name, "kind": kind, "sector": sector, "country": country or "", "city": city,
             "website": website, **descriptions}
    record, problems = validate_record(cells, taxonomy, line=1,
                                       default_status="published" if publish else "pending",
                                       default_source=f"added by {account.email}")
    form_problems(problems)
    if record is None:
        return
    locate_records([(1, record)], Locator(get_gazetteer()), "line")
    org_id = add_organisation(get_store(), record, account.email)
    st.success(_("Added as #{id}.", id=org_id))


STATUS_LABELS = {"published": N_("published"), "pending": N_("pending review"),
                 "archived": N_("archived")}


def status_actions(org: dict, _: Translator) -> None:
    """Publish, hold or archive the organisation picked above."""
    st.caption(_("#{id} {name} is {status}.", id=org["id"], name=md_escape(org["name"]),
                 status=_(STATUS_LABELS.get(org["status"], org["status"]))))
    cols = st.columns(3)
    for col, (status, label) in zip(cols, (("published", _("Publish")),
                                           ("pending", _("Hold for review")),
                                           ("archived", _("Archive")))):
        if col.button(label, key=f"set-{status}", disabled=org["status"] == status):
            account = require_staff()
            try:
                set_status(get_store(), org["id"], status, account.email)
            except UnclassifiedError as exc:
                st.error(error_message(exc, _))  # markdown: translated, numbers, #ids
                return
            st.rerun()


DUPLICATES_AUTO_LIMIT = 20_000
DUPLICATES_SHOWN = "duplicates-shown"


def duplicate_pairs(_: Translator) -> None:
    """Possible duplicates already in the registry, each with an action. Looked for at
    once in a registry of up to 20,000 live organisations, on request above."""
    store = get_store()
    if count_in(store, ("published", "pending")) > DUPLICATES_AUTO_LIMIT and \
            not st.session_state.get(DUPLICATES_SHOWN):
        if st.button(_("Look for possible duplicates"), key="find-duplicates"):
            st.session_state[DUPLICATES_SHOWN] = True
            st.rerun()
        return
    with st.spinner(_("Looking for possible duplicates…")):
        pairs = registry_duplicates(store)
    if not pairs:
        st.caption(_("No possible duplicate in the registry."))
        return
    names = names_of(store, sorted({i for pair in pairs[:10] for i in pair[:2]}))
    for newer, older, why in pairs[:10]:
        cols = st.columns([4, 1])
        cols[0].markdown(md_escape(f"#{newer} {names.get(newer, '')} ↔ #{older} "
                                   f"{names.get(older, '')} ({why})"))
        if cols[1].button(_("Archive #{id}", id=newer), key=f"archive-dup-{newer}"):
            account = require_staff()
            set_status(store, newer, "archived", account.email,
                       reason=f"duplicate of #{older}")
            st.rerun()


def audit_table(_: Translator, org_id: int | None = None) -> None:
    changes = recent_changes(get_store(), org_id=org_id)
    if not changes:
        st.caption(_("No change recorded yet."))
        return
    with st.container(key=f"audit-{org_id or 'all'}"):
        st.dataframe(pd.DataFrame([{
            _("When"): c["at"], _("Who"): c["actor"], _("What"): c["action"],
            _("Organisation"): c["organisation_id"],
            _("Fields"): ", ".join(changed_fields(c)),
            _("Before"): describe_values(c, "before"),
            _("After"): describe_values(c, "after")} for c in changes]), hide_index=True)


REVIEW_LIMIT = 200


def review_queue(_: Translator) -> None:
    """Pending organisations, the public's suggestions first, then the oldest: approve,
    or reject with a reason."""
    store = get_store()
    pending = organisations_by_status(store, ("pending",), limit=REVIEW_LIMIT,
                                      first_source=SUGGESTION_SOURCE)
    if not pending:
        st.caption(_("Nothing is waiting for review."))
        return
    waiting = count_in(store, ("pending",)) if len(pending) == REVIEW_LIMIT else len(pending)
    if waiting > len(pending):
        st.caption(_("{count} organisations wait for review; the oldest {shown} are listed.",
                     count=_.number(waiting), shown=_.number(len(pending))))
    labels = {o["id"]: f"#{o['id']} {o['name']} — {o['source'] or ''}" for o in pending}
    org_id = st.selectbox(_("Waiting for review"), list(labels), key="review-org",
                          format_func=lambda i: labels.get(i, f"#{i}"))
    org = store.get_organisation(org_id) if org_id is not None else None
    if org is None:
        return
    st.markdown(md_escape(f"{org['name']} · {org['city']}, {org['country']} · "
                          f"{org['website'] or ''}"))
    description, _written_in = pick_description(org, _.lang)
    if description:
        st.caption(md_escape(description))
    if org.get("location_precision") in APPROXIMATE:
        st.warning(_("Approximate location: placed at the centre of a region ({note}). "
                     "Set the position by hand if you know it.",
                     note=md_escape(org.get("location_note") or "")), icon="📍")
    reason = st.text_input(_("Reason (needed to reject)"), key="review-reason")
    cols = st.columns(2)
    if cols[0].button(_("Approve and publish"), key="review-approve"):
        account = require_staff()
        try:
            set_status(store, org_id, "published", account.email)
        except UnclassifiedError as exc:
            st.error(error_message(exc, _))  # markdown: translated, numbers, #ids
        else:
            st.rerun()
    if cols[1].button(_("Reject"), key="review-reject"):
        account = require_staff()
        if not reason.strip():
            st.error(_("Say why the suggestion is rejected."))
        else:
            set_status(store, org_id, "archived", account.email, reason=reason.strip())
            st.rerun()


PICK = "org-pick"


def organisation_picker(_: Translator) -> dict | None:
    """Find an organisation by name, city or number (the most recently changed ones
    when nothing is typed) and choose it; returns it whole, or None until one is chosen.
    The choice is kept by number, so it stays on the same organisation when the list
    changes (after publishing it, say)."""
    store = get_store()
    text = st.text_input(_("Find an organisation (name, city or #number)"), key="find-org")
    found = find_organisations(store, text)
    chosen = st.session_state.get(PICK)
    if chosen is not None and chosen not in {o["id"] for o in found}:
        kept = find_organisations(store, f"#{chosen}")
        found = kept + found  # the chosen one stays on the list
        if not kept:
            st.session_state[PICK] = None
    if not found:
        st.info(_("No organisation matches “{text}”.", text=md_escape(text)) if text.strip()
                else _("The registry is empty."))
        return None
    labels = {o["id"]: f"#{o['id']} {o['name']} — {o['city'] or ''} · "
                       f"{_(STATUS_LABELS.get(o['status'], o['status']))}" for o in found}
    org_id = st.selectbox(_("Organisation"), list(labels), key=PICK, index=None,
                          placeholder=_("Choose an organisation"),
                          format_func=lambda i: labels.get(i, f"#{i}"))
    return store.get_organisation(org_id) if org_id is not None else None


def organisation_history(org: dict, _: Translator) -> None:
    """The audit trail of one organisation."""
    audit_table(_, org["id"])


UNLOCATED = ("todo", "offline_miss", "deferred", "not_found", "ambiguous")


def quality_overview(_: Translator) -> None:
    """Data quality at a glance: pending, unlocated (with the reason), archived."""
    store = get_store()
    counts = status_counts(store)
    unlocated_count = count_unlocated(store, UNLOCATED)
    cols = st.columns(3)
    cols[0].metric(_("Pending review"), _.number(counts.get("pending", 0)))
    cols[1].metric(_("Without location"), _.number(unlocated_count))
    cols[2].metric(_("Archived"), _.number(counts.get("archived", 0)))
    if unlocated_count:
        unlocated = store.unlocated(UNLOCATED, limit=REVIEW_LIMIT)
        with st.container(key="unlocated-list"):
            st.dataframe(pd.DataFrame(unlocated)[["id", "name", "city", "country",
                                                  "geocode_status", "location_note"]],
                         hide_index=True)
        if unlocated_count > len(unlocated):
            st.caption(_("The first {shown} of {count}.", shown=_.number(len(unlocated)),
                         count=_.number(unlocated_count)))
        st.caption(_("Add a postcode or correct the city, or run `atlas geocode --online` "
                     "when an online geocoder is configured."))


EDIT_TEXT = ("name", "website", "email", "city", "postcode", "address", "legal_form")
EDIT_AREAS = DESCRIPTION_FIELDS
EDIT_LOADED = "edit-loaded"


def _load_for_edit(org: dict) -> None:
    """Put an organisation's values into the edit form's widgets."""
    for name in (*EDIT_TEXT, *EDIT_AREAS, "country"):
        st.session_state[f"edit-{name}"] = org.get(name) or ""
    st.session_state["edit-kind"], st.session_state["edit-sector"] = org["kind"], org["sector"]
    st.session_state["edit-tags"] = ";".join(org.get("tags") or [])
    for name in ("latitude", "longitude"):
        st.session_state[f"edit-{name}"] = "" if org.get(name) is None else f"{org[name]}"
    st.session_state[EDIT_LOADED] = org["id"]


def _location_picker(org: dict, taxonomy: Taxonomy, _: Translator) -> None:
    """Click the map to set the location (it fills the latitude and longitude below)."""
    from atlas_app.maps.elements import build_map

    shown = pd.DataFrame([org]) if org.get("latitude") is not None else \
        pd.DataFrame(columns=list(org))
    if point_picker(build_map(shown, taxonomy, lang=_.lang), "edit-map", "edit-latitude",
                    "edit-longitude"):
        st.rerun()
    st.caption(_("Click the map to set the location, or type the coordinates below."))


EDIT_BASE = "edit-base"
EDIT_CONFLICT = "edit-conflict"


def edit_form(org: dict, taxonomy: Taxonomy, _: Translator) -> None:
    """Edit the organisation picked above with the upload's rules; a location set by
    hand (clicked or typed) becomes manual. Saving an organisation someone changed since
    it was loaded is refused, with what changed, and the form offers the new version."""
    if st.session_state.get(EDIT_LOADED) != org["id"]:
        _load_for_edit(org)
        st.session_state[EDIT_BASE] = org
        st.session_state.pop(EDIT_CONFLICT, None)
    conflict = st.session_state.get(EDIT_CONFLICT)
    if conflict and conflict[0] == org["id"]:
        st.error(_("Not saved: someone changed #{id} since you opened it ({fields}). Your "
                   "changes are still in the form; load the new version to redo them on it.",
                   id=org["id"], fields=md_escape(", ".join(conflict[1]))))
        if st.button(_("Load the new version"), key="edit-reload"):
            st.session_state.pop(EDIT_LOADED, None)
            st.session_state.pop(EDIT_CONFLICT, None)
            st.rerun()
    _location_picker(org, taxonomy, _)
    with st.form("edit-organisation"):
        cells = {name: st.text_input(field_words(name, _), key=f"edit-{name}")
                 for name in EDIT_TEXT}
        cols = st.columns(3)
        cells["kind"] = cols[0].selectbox(_("Kind"), KINDS, key="edit-kind",
                                          format_func=lambda k: _(KIND_LABELS[k]))
        cells["sector"] = cols[1].selectbox(_("Sector"), taxonomy.ids, key="edit-sector",
                                            format_func=lambda s: taxonomy.get(s).label(_.lang))
        cells["country"] = cols[2].text_input(_("Country"), key="edit-country")
        cells["tags"] = st.text_input(_("Keywords (separated by ;)"), key="edit-tags")
        cells.update(description_areas("edit", _, st.session_state.get(EDIT_BASE)))
        cols = st.columns(2)
        for col, name in zip(cols, ("latitude", "longitude")):
            cells[name] = col.text_input(field_words(name, _), key=f"edit-{name}")
        saved = st.form_submit_button(_("Save the changes"))
    if not saved:
        return
    account = require_staff()
    record, problems = validate_record(cells, taxonomy, line=1, default_status=org["status"])
    form_problems(problems, errors_only=True)
    if record is None:
        return
    try:
        changed = update_organisation(get_store(), org["id"], record, account.email,
                                      expected=st.session_state.get(EDIT_BASE))
    except ConflictError as exc:
        st.session_state[EDIT_CONFLICT] = (exc.org_id, exc.fields)
        st.rerun()
    st.session_state.pop(EDIT_LOADED, None)
    st.success(_("Saved: {fields}.", fields=md_escape(", ".join(changed))) if changed
               else _("Nothing changed."))
