"""The steps of the staff upload: map columns, show problems, locations, duplicates."""

from __future__ import annotations

import io

import pandas as pd
import streamlit as st

from atlas_app.i18n import N_, Translator
from atlas_app.intake.columns import ColumnMapping, suggest_field
from atlas_app.intake.reader import RawTable
from atlas_app.places.countries import EUROPE, country_name
from atlas_app.public.detail import md_escape
from atlas_app.registry.schema import FIELD_NAMES, KIND_LABELS, KINDS, REQUIRED_FIELDS, Taxonomy
from atlas_app.staff.uploads import (
    has_updates,
    recent_uploads,
    restore_before_upload,
    undo_upload,
    upload_organisations,
)
from atlas_app.ui.problem_words import problem_rows
from atlas_app.ui.resources import get_store
from atlas_app.ui.staff_session import require_staff
from atlas_app.ui.widgets import point_picker

IGNORE = "-"


# Constants offered when the file has no column for a field: only where one value for
# every row makes sense (never a name or a city).
CONSTANT_FIELDS = ("kind", "sector", "country")
# Chosen instead of a kind or a sector: the rows go to the review queue unclassified.
UNCLASSIFIED = "?"
UNCLASSIFIED_WORDS = N_("None for now: classify them in the review queue")


def set_column_choices(table: RawTable, mapping: ColumnMapping | None) -> None:
    """Put a mapping's choices (or the header's suggestions) into the column widgets.

    Widget state is set, not deleted: a deleted key lets the browser send its old value
    back on the next click, which is how a picked mapping used to revert."""
    mapping = mapping or ColumnMapping()
    choices = {IGNORE, *FIELD_NAMES}
    for i, header in enumerate(table.headers):
        saved = mapping.columns.get(header)
        st.session_state[f"map-{i}"] = saved if saved in choices else \
            (IGNORE if saved is not None else suggest_field(header) or IGNORE)
    for name in CONSTANT_FIELDS:
        st.session_state[f"const-{name}"] = UNCLASSIFIED if name in mapping.unclassified \
            else mapping.constants.get(name)


def column_mapping(table: RawTable, taxonomy: Taxonomy, _: Translator,
                   saved: ColumnMapping | None = None) -> ColumnMapping:
    """Step 2: one field per column (suggested from the header, or from a mapping saved
    for this source), and a value for every row where the file has no column for the
    kind, the sector or the country — chosen by the person, never pre-filled."""
    choices = [IGNORE, *FIELD_NAMES]
    for i, header in enumerate(table.headers):
        st.session_state.setdefault(f"map-{i}", suggest_field(header) or IGNORE)
    shown = [i for i in range(len(table.headers)) if st.session_state[f"map-{i}"] != IGNORE]
    hidden = [i for i in range(len(table.headers)) if i not in shown]
    columns: dict[str, str] = {}

    def pick(place, i: int) -> None:
        columns[table.headers[i]] = place.selectbox(
            md_escape(table.headers[i]), choices, key=f"map-{i}",
            format_func=lambda f: _("— not imported —") if f == IGNORE else f)

    grid = st.columns(3)
    for n, i in enumerate(shown):
        pick(grid[n % 3], i)
    if hidden:
        with st.expander(_.ngettext(
                "{count} other column, not imported unless you choose a field",
                "{count} other columns, not imported unless you choose a field",
                len(hidden), count=_.number(len(hidden)))):
            grid = st.columns(3)
            for n, i in enumerate(hidden):
                pick(grid[n % 3], i)
    mapped = set(columns.values())
    constants = {k: v for k, v in (saved or ColumnMapping()).constants.items()
                 if k not in CONSTANT_FIELDS}
    lacking = [f for f in CONSTANT_FIELDS if f not in mapped]
    if lacking:
        st.caption(_("The file has no column for: {fields}. Choose one value for every row:",
                     fields=", ".join(_(FIELD_WORDS[f]) for f in lacking)))  # markdown: words
    unclassified: set[str] = set()
    for name in lacking:
        value = _constant_choice(name, taxonomy, _)
        if value == UNCLASSIFIED:
            unclassified.add(name)
        elif value:
            constants[name] = value
    if unclassified:
        st.info(_("The rows will wait in the review queue of the staff workspace without "
                  "{fields}, as pending: classify them there, many at once, before "
                  "publishing them.",
                  fields=_.items([_(FIELD_WORDS[f]) for f in sorted(unclassified)])))  # markdown: field words
    return ColumnMapping(columns, constants, unclassified=frozenset(unclassified))


def _constant_choice(name: str, taxonomy: Taxonomy, _: Translator) -> str | None:
    """The one value every row gets for ``name`` (or UNCLASSIFIED), chosen by the person."""
    st.session_state.setdefault(f"const-{name}", None)
    if name == "kind":
        return st.selectbox(_("Kind"), [*KINDS, UNCLASSIFIED], key="const-kind", index=None,
                            placeholder=_("Choose the kind"),
                            format_func=lambda k: _(UNCLASSIFIED_WORDS) if k == UNCLASSIFIED
                            else _(KIND_LABELS[k]))
    if name == "sector":
        return st.selectbox(_("Sector"), [*taxonomy.ids, UNCLASSIFIED], key="const-sector",
                            index=None, placeholder=_("Choose the sector"),
                            format_func=lambda s: _(UNCLASSIFIED_WORDS) if s == UNCLASSIFIED
                            else taxonomy.get(s).label(_.lang))
    return st.selectbox(_("Country"), sorted(EUROPE, key=country_name), key="const-country",
                        index=None, placeholder=_("Choose the country"),
                        format_func=lambda c: country_name(c, _.lang))


FIELD_WORDS = {"name": N_("name"), "kind": N_("kind"), "sector": N_("sector"),
               "country": N_("country"), "city": N_("city")}


def missing_fields(mapping: ColumnMapping) -> list[str]:
    """Required fields neither a column nor a chosen value provides yet (nor left for
    review unclassified)."""
    mapped = set(mapping.columns.values())
    return [f for f in REQUIRED_FIELDS if f not in mapped and not mapping.constants.get(f)
            and f not in mapping.unclassified]


def problems_table(problems, _: Translator) -> None:
    """Step 3: every problem with line, field, value and fix, downloadable as CSV."""
    if not problems:
        st.success(_("No problem found."))
        return
    frame = pd.DataFrame(problem_rows(problems, _))
    st.markdown("**" + _("Every problem") + "**")
    with st.container(key="problems-table"):
        st.dataframe(frame, hide_index=True)
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False)
    st.download_button(_("Download the problems (CSV)"), buffer.getvalue().encode("utf-8"),
                       file_name="upload-problems.csv", mime="text/csv",
                       key="download-problems", on_click="ignore")


UNDO_CONFIRM = "undo-confirm"
UNDO_DONE = "undo-done"
EDITED_SINCE = "undo-edited-since"


def upload_history(_: Translator) -> None:
    """Recent uploads, each undoable as a whole after a confirmation: its organisations
    are archived and the entries it updated are put back; entries edited since the
    upload are listed for the editor to decide."""
    done = st.session_state.pop(UNDO_DONE, None)
    if done:
        st.success(done)  # markdown: built from numbers above (UNDO_DONE)
    _edited_since(_)
    uploads = recent_uploads(get_store())
    if not uploads:
        return
    st.subheader(_("Recent uploads"))
    for upload in uploads:
        upload_id, live = upload["id"], upload["live"] or 0
        cols = st.columns([4, 1])
        when = upload["created_at"]
        cols[0].markdown(md_escape(_(
            "#{id} {file} — {rows} rows, {live} not archived · {when}{by}",
            id=upload_id, file=upload["filename"], rows=_.number(upload["row_count"]),
            live=_.number(live), when=f"{when:%Y-%m-%d %H:%M}" if when else "",
            by=f" · {upload['created_by']}" if upload["created_by"] else "")))
        with cols[0].expander(_("Organisations of this upload")):
            st.dataframe(pd.DataFrame(upload_organisations(get_store(), upload_id)),
                         hide_index=True)
        undoable = live or (not upload["row_count"] and has_updates(get_store(), upload_id))
        if undoable and cols[1].button(_("Undo"), key=f"undo-{upload_id}"):
            st.session_state[UNDO_CONFIRM] = upload_id
        if st.session_state.get(UNDO_CONFIRM) == upload_id:
            _confirm_undo(upload_id, live, _)


def _confirm_undo(upload_id: int, live: int, _: Translator) -> None:
    st.warning(_.ngettext(
        "Undo upload #{id}? Its {count} organisation will be archived (never deleted) and "
        "the entries it updated put back as they were.",
        "Undo upload #{id}? Its {count} organisations will be archived (never deleted) and "
        "the entries it updated put back as they were.", live, id=upload_id,
        count=_.number(live)))
    yes, no = st.columns(2)
    if yes.button(_("Yes, undo upload #{id}", id=upload_id), key=f"undo-confirm-{upload_id}"):
        account = require_staff()
        result = undo_upload(get_store(), upload_id, account.email)
        st.session_state.pop(UNDO_CONFIRM, None)
        st.session_state[UNDO_DONE] = " ".join((
            _.ngettext("Upload #{id} undone: {count} organisation archived.",
                       "Upload #{id} undone: {count} organisations archived.",
                       result.archived, id=upload_id, count=_.number(result.archived)),
            _.ngettext("{count} updated entry put back.", "{count} updated entries put back.",
                       len(result.restored), count=_.number(len(result.restored)))))
        st.session_state[EDITED_SINCE] = (upload_id, result.edited_since)
        st.rerun()
    if no.button(_("Cancel"), key=f"undo-cancel-{upload_id}"):
        st.session_state.pop(UNDO_CONFIRM, None)
        st.rerun()


def _edited_since(_: Translator) -> None:
    """Entries an undone upload had updated but someone edited since: restore or keep."""
    upload_id, ids = st.session_state.get(EDITED_SINCE) or (None, [])
    if not ids:
        return
    st.warning(_("These entries were updated by upload #{id} and edited since; they were "
                 "left as they are. Put each back as it was before the upload, or keep it.",
                 id=upload_id))
    for org_id in list(ids):
        cols = st.columns([3, 1, 1])
        cols[0].markdown(f"#{org_id}")
        if cols[1].button(_("Put back"), key=f"restore-{upload_id}-{org_id}"):
            account = require_staff()
            restore_before_upload(get_store(), upload_id, org_id, account.email)
            ids.remove(org_id)
            st.rerun()
        if cols[2].button(_("Keep as it is"), key=f"keep-{upload_id}-{org_id}"):
            ids.remove(org_id)
            st.rerun()


OVERRIDES = "upload-coordinates"


def locate_by_hand(accepted: list[tuple[int, dict]], taxonomy: Taxonomy, _: Translator) -> None:
    """Step 4 for rows the chain could not locate: click the map or type coordinates.
    The positions are applied at commit and become ``manual``."""
    from atlas_app.intake.validation import parse_number
    from atlas_app.maps.elements import build_base_map

    overrides: dict[int, tuple[float, float]] = st.session_state.setdefault(OVERRIDES, {})
    missing = [(line, r) for line, r in accepted if r["latitude"] is None]
    if not missing:
        return
    with st.container(key="unlocated-rows"):
        st.dataframe(pd.DataFrame([{
            "line": line, "name": r["name"], "city": r["city"], "country": r["country"],
            "reason": r.get("location_note") or "",
            "set by hand": "{:.5f}, {:.5f}".format(*overrides[line]) if line in overrides else ""}
            for line, r in missing]), hide_index=True)
    names = {line: r["name"] for line, r in missing}
    line = st.selectbox(_("Set the location of"), list(names), key="locate-line",
                        format_func=lambda n: f"{n}: {names[n]}")
    point_picker(build_base_map(lang=_.lang), "locate-map", "locate-lat", "locate-lon")
    cols = st.columns([2, 2, 1])
    lat = parse_number(cols[0].text_input(_("Latitude"), key="locate-lat"))
    lon = parse_number(cols[1].text_input(_("Longitude"), key="locate-lon"))
    if cols[2].button(_("Set"), key="locate-set"):
        if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
            st.error(_("Give a latitude between -90 and 90 and a longitude between -180 "
                       "and 180, e.g. 48.8566 and 2.3522."))
        else:
            overrides[line] = (round(lat, 7), round(lon, 7))
            st.rerun()


def apply_overrides(accepted: list[tuple[int, dict]], actor: str) -> None:
    """Put the positions set by hand into the records about to be written."""
    overrides = st.session_state.get(OVERRIDES, {})
    for line, record in accepted:
        if line in overrides:
            record.update(latitude=overrides[line][0], longitude=overrides[line][1],
                          location_precision="exact", location_source="manual",
                          geocode_status="located",
                          location_note=f"set by {actor} during the upload")
