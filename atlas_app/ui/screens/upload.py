"""Staff upload: read → map columns → check → locate → duplicates → commit."""

from __future__ import annotations

import streamlit as st

from atlas_app.errors import AtlasError
from atlas_app.intake.corrections import recheck_rows
from atlas_app.intake.pipeline import ImportOptions, prepare_import
from atlas_app.intake.reader import read_bytes
from atlas_app.intake.upload_memory import best_mapping, save_mapping, saved_mappings
from atlas_app.intake.validation import DUPLICATE_CODES
from atlas_app.maps.elements import build_map
from atlas_app.places.geocoding import Locator
from atlas_app.public.detail import md_escape
from atlas_app.staff.uploads import commit_upload
from atlas_app.ui import lang
from atlas_app.ui.duplicate_widgets import duplicate_choices, forget_decisions
from atlas_app.ui.fix_widgets import correct_rows, current_edits, fix_in_place, forget_edits
from atlas_app.ui.problem_words import describe_table, error_message, read_notes
from atlas_app.ui.resources import (
    get_gazetteer,
    get_settings,
    get_store,
    get_taxonomy,
    warm_gazetteer,
)
from atlas_app.ui.staff_session import require_staff
from atlas_app.ui.upload_progress import file_in_progress, forget_progress, remember_progress
from atlas_app.ui.upload_widgets import (
    FIELD_WORDS,
    apply_overrides,
    column_mapping,
    locate_by_hand,
    missing_fields,
    problems_table,
    set_column_choices,
    upload_history,
)

_ = lang.current()
account = require_staff()
settings, taxonomy, store = get_settings(), get_taxonomy(), get_store()
st.title(_("Upload a file"))
uploaded = st.file_uploader(_("CSV, GeoJSON or Excel file"), key="upload-file",
                            type=["csv", "txt", "tsv", "geojson", "json", "xlsx"])
st.caption(_("Up to {mb} MB and {rows} rows; split bigger files.",
             mb=_.number(settings.max_upload_bytes // 1_048_576), rows=_.number(settings.max_rows)))
warm_gazetteer()  # while the person chooses a file
working = file_in_progress(uploaded, account, _)
if working is None:
    upload_history(_)
    st.stop()

filename, data, file_key = working
if uploaded is None:
    st.caption(_("Resumed: “{file}”. Choose another file above to start over.", file=md_escape(filename)))
remember_progress(account, filename, data, file_key)
st.subheader(_("1. Read"))
try:
    table = read_bytes(data, filename, max_bytes=settings.max_upload_bytes,
                       max_rows=settings.max_rows)
except AtlasError as exc:
    st.error(md_escape(error_message(exc, _)))
    st.stop()
st.markdown(describe_table(table, _))  # markdown: format, encoding and counts only
for note in read_notes(table, _):
    st.warning(md_escape(note))

if st.session_state.get("upload-file-id") != file_key:
    # A new file: propose the mapping saved for its source (the same columns).
    st.session_state["upload-file-id"] = file_key
    st.session_state.pop("upload-coordinates", None)  # positions set for another file
    forget_decisions()
    forget_edits()
    saved = saved_mappings(store)
    st.session_state["saved-mapping"] = best_mapping(saved, table.headers) or ""
    set_column_choices(table, saved.get(st.session_state["saved-mapping"]))

st.subheader(_("2. Columns"))
saved = saved_mappings(store)
if st.session_state.get("saved-mapping") not in ("", *saved):
    st.session_state["saved-mapping"] = ""
chosen = st.selectbox(_("Saved column mapping for this source"), ["", *saved], key="saved-mapping",
                      format_func=lambda n: n or _("— none —"),
                      on_change=lambda: set_column_choices(
                          table, saved.get(st.session_state["saved-mapping"])))
if chosen:
    st.caption(_("Proposed from the mapping saved as “{name}”; change any column below.",
                 name=md_escape(chosen)))
mapping = column_mapping(table, taxonomy, _, saved.get(chosen))
cols = st.columns([3, 1])
name = cols[0].text_input(_("Save this mapping as"), key="mapping-name",
                          placeholder=_("e.g. the partner's name"))
if cols[1].button(_("Save the mapping"), key="save-mapping") and name.strip():
    save_mapping(store, name, mapping, require_staff().email)
    st.success(_("Mapping saved as “{name}”: it will be proposed for the next file with "
                 "these columns.", name=md_escape(name.strip())))
missing = missing_fields(mapping)
if missing:
    st.info(_("Choose above where the {fields} of each row come from: the check starts "
              "once every required field has a column or a value.",
              fields=", ".join(_(FIELD_WORDS[f]) for f in missing)))  # markdown: field words
    st.stop()
publish = st.toggle(_("Publish the new organisations at once"), key="upload-publish")
reject_bad = st.toggle(_("Reject the rows with an invalid website, e-mail or postcode "
                         "(by default the value is left out and the row kept)"),
                       key="upload-reject-bad")
options = ImportOptions(mapping=mapping, status="published" if publish else "pending",
                        created_by=account.email, allow_repeat=st.session_state.get("upload-again", False),
                        skip_invalid=st.session_state.get("upload-valid-only", False),
                        reject_bad_optional=reject_bad)

# Checking a large file takes seconds: keep the result while the file, the column choices
# and the registry stay the same (ticking a duplicate box must not redo it all).
check_key = repr((file_key, mapping, options.status, reject_bad, store.revision()))
if st.session_state.get("upload-check-key") != check_key:
    try:
        with st.spinner(_("Checking and locating…")):
            locator = Locator(get_gazetteer(), store)
            # The corrections made so far (on this file, or in the resumed draft) are
            # applied again to the new check.
            st.session_state["upload-prepared"] = recheck_rows(prepare_import(
                data, filename, store, taxonomy, settings, options, locator=locator),
                current_edits(), store, taxonomy, locator)
    except AtlasError as exc:
        st.session_state.pop("upload-check-key", None)
        st.error(md_escape(error_message(exc, _)))
        st.stop()
    st.session_state["upload-check-key"] = check_key
prepared = st.session_state["upload-prepared"]
report = prepared.report

st.subheader(_("3. Check"))
with st.container(key="check-summary"):
    st.markdown(_.ngettext(
        "{rows} row — ready: {accepted}, refused: {rejected}, with a warning: {warned}.",
        "{rows} rows — ready: {accepted}, refused: {rejected}, with a warning: {warned}.",
        report.rows, rows=_.number(report.rows), accepted=_.number(report.accepted),
        rejected=_.number(report.rejected), warned=_.number(report.warned)))
corrections = fix_in_place(prepared, taxonomy, _)
if corrections:
    with st.spinner(_("Checking the corrected rows…")):
        correct_rows(corrections, store, taxonomy, Locator(get_gazetteer(), store))
    st.rerun()
problems_table([p for p in report.problems if p.code not in DUPLICATE_CODES], _)

st.subheader(_("4. Locate"))
located = [r for _line, r in prepared.accepted if r["latitude"] is not None]
st.caption(_("{located} of {total} located.", located=_.number(len(located)),
             total=_.number(len(prepared.accepted))))
if located:
    import pandas as pd
    from streamlit_folium import st_folium

    preview = pd.DataFrame([dict(r, id=i) for i, r in enumerate(located, start=1)])
    st_folium(build_map(preview, taxonomy, lang=_.lang), key="upload-map", height=360,
              use_container_width=True, returned_objects=[])

locate_by_hand(prepared.accepted, taxonomy, _)

st.subheader(_("5. Duplicates"))
decisions = duplicate_choices(report.problems, dict(prepared.accepted), _)
# Updated entries are written through the edit path (audited), not added again.
skip = {line for line, (_key, choice, _ref) in decisions.items() if choice != "keep"}

st.subheader(_("6. Commit"))
if prepared.earlier is not None:
    st.checkbox(_("This file was imported before (upload #{id}); import it again",
                  id=prepared.earlier.id), key="upload-again")
if report.rejected:
    st.checkbox(_("Write only the valid rows"), key="upload-valid-only")
if st.button(_("Commit the upload"), key="upload-commit", type="primary"):
    require_staff()
    apply_overrides(prepared.accepted, account.email)
    updates = {line: ref for line, (_key, choice, ref) in decisions.items()
               if choice == "update"}
    try:
        with st.spinner(_("Writing the upload…")):
            committed = commit_upload(
                store, prepared, options, account.email, skip_lines=skip, updates=updates,
                decisions={key: choice for key, choice, _ref in decisions.values()},
                fields=set(prepared.file_fields),
                mapping_name=chosen or name.strip() or prepared.source)
    except AtlasError as exc:
        st.error(md_escape(error_message(exc, _)))
    else:
        done = committed.report
        forget_progress(account)
        forget_edits()
        st.session_state.pop("upload-check-key", None)  # check again: the file is in now
        if committed.updated:
            st.success(_.ngettext("{count} existing organisation updated.",
                                  "{count} existing organisations updated.",
                                  len(committed.updated),
                                  count=_.number(len(committed.updated))))
        if done.written:
            st.success(_.ngettext("{count} organisation written as upload #{id}.",
                                  "{count} organisations written as upload #{id}.",
                                  done.written, count=_.number(done.written),
                                  id=done.batch_id))
        else:
            st.warning(_("Nothing was written: fix the rejected rows, or choose to write "
                         "only the valid rows."))
