"""Fix in place: the values the check refused (or left out of a kept row) in an editable
grid, keyed by their line in the file. An edited cell is checked again at once, alone (or
with every row that has the same value); a suggested fix is applied to every row with
that value in one click. The file is not changed (intake/corrections.py)."""

from __future__ import annotations

from collections import Counter

import pandas as pd
import streamlit as st

from atlas_app.i18n import Translator
from atlas_app.intake.corrections import edits_everywhere, recheck_rows, refused_values
from atlas_app.intake.pipeline import PreparedImport
from atlas_app.places.countries import country_name
from atlas_app.places.geocoding import Locator
from atlas_app.public.detail import md_escape
from atlas_app.registry.schema import KIND_LABELS, Taxonomy
from atlas_app.registry.store import Store
from atlas_app.ui.problem_words import PROBLEM_WORDS, field_words

EDITS = "upload-edits"  # {line: {field: text}}: the corrections made (kept in the draft)
PREPARED = "upload-prepared"
VERSION = "fix-grid-version"  # a new grid (fresh edit state) after each correction
SHOWN = 1000  # rows of the grid; the problems table below lists them all
SUGGESTIONS = 8  # suggested fixes offered as buttons, most frequent first
# The value and its "every row" box first: on a phone the grid scrolls sideways.
COLUMNS = ("line", "field", "value", "everywhere", "suggestion", "problem", "rows")


def current_edits() -> dict[int, dict[str, str]]:
    return st.session_state.setdefault(EDITS, {})


def forget_edits() -> None:
    st.session_state.pop(EDITS, None)
    st.session_state[VERSION] = st.session_state.get(VERSION, 0) + 1


def _suggestion_words(field: str, value: str | None, taxonomy: Taxonomy, _: Translator) -> str:
    if not value:
        return ""
    if field == "country":
        return f"{country_name(value, _.lang)} ({value})"
    if field == "sector" and value in taxonomy.ids:
        return taxonomy.get(value).label(_.lang)
    if field == "kind" and value in KIND_LABELS:
        return _(KIND_LABELS[value])
    return value


def fix_in_place(prepared: PreparedImport, taxonomy: Taxonomy,
                 _: Translator) -> dict[int, dict[str, str]]:
    """Step 3's grid and suggested fixes; returns the corrections just made (line →
    field → text), empty when none."""
    problems = refused_values(prepared)
    if not problems:
        return {}
    counts = Counter((p.field, p.value) for p in problems)
    st.markdown("**" + _("Fix in place") + "**")
    st.caption(_("Type the right value in the “value” column: the row is checked again at "
                 "once. With “every row” ticked, the value is corrected in every row that has "
                 "it. The file itself is not changed."))
    picked = _suggested_fixes(prepared, problems, counts, taxonomy, _)
    if picked:
        return picked
    shown = problems[:SHOWN]
    if len(problems) > SHOWN:
        st.caption(_("The first {shown} of {total} are in the grid; fix them and the next "
                     "ones come.", shown=_.number(SHOWN), total=_.number(len(problems))))
    frame = pd.DataFrame([{
        "line": p.line, "field": field_words(p.field, _), "value": p.value,
        "problem": _(PROBLEM_WORDS.get(p.code, p.code)),
        "suggestion": _suggestion_words(p.field, p.suggestion, taxonomy, _),
        "rows": counts[(p.field, p.value)],
        "everywhere": bool(p.value) and counts[(p.field, p.value)] > 1} for p in shown],
        columns=list(COLUMNS))
    key = f"fix-grid-{st.session_state.get(VERSION, 0)}"
    with st.container(key="fix-grid"):
        st.data_editor(frame, key=key, hide_index=True, num_rows="fixed",
                       disabled=[c for c in COLUMNS if c not in ("value", "everywhere")],
                       column_config={
                           "line": st.column_config.NumberColumn(_("line"), format="%d"),
                           "field": st.column_config.TextColumn(_("field")),
                           "value": st.column_config.TextColumn(_("value")),
                           "problem": st.column_config.TextColumn(_("problem")),
                           "suggestion": st.column_config.TextColumn(_("suggested fix")),
                           "rows": st.column_config.NumberColumn(_("rows with this value")),
                           "everywhere": st.column_config.CheckboxColumn(_("every row"))})
    changes = (st.session_state.get(key) or {}).get("edited_rows") or {}
    edits: dict[int, dict[str, str]] = {}
    for position, change in changes.items():
        problem = shown[int(position)]
        if "value" not in change:
            continue  # only the "every row" box was ticked: nothing to check yet
        new = "" if change["value"] is None else str(change["value"])
        everywhere = change.get("everywhere", bool(problem.value)
                                and counts[(problem.field, problem.value)] > 1)
        found = edits_everywhere(prepared, problem.field, problem.value, new) if everywhere \
            else {problem.line: {problem.field: new}}
        for line, fields in found.items():
            edits.setdefault(line, {}).update(fields)
    return edits


def _suggested_fixes(prepared: PreparedImport, problems, counts: Counter,
                     taxonomy: Taxonomy, _: Translator) -> dict[int, dict[str, str]]:
    """One button per suggested fix (``Cyprys`` → Cyprus), for every row with that value,
    and one for all of them; returns the corrections of the button clicked."""
    suggested = {(p.field, p.value): p.suggestion for p in problems if p.suggestion}
    if not suggested:
        return {}
    ranked = sorted(suggested, key=lambda fv: -counts[fv])[:SUGGESTIONS]
    edits: dict[int, dict[str, str]] = {}
    cols = st.columns(2)
    for n, (field, value) in enumerate(ranked):
        count = counts[(field, value)]
        fix = _suggestion_words(field, suggested[(field, value)], taxonomy, _)
        label = _.ngettext("Read “{value}” as {fix} in {count} row",  # a label reads Markdown
                           "Read “{value}” as {fix} in {count} rows", count,
                           value=md_escape(value), fix=md_escape(fix), count=_.number(count))
        if cols[n % 2].button(label, key=f"fix-suggested-{n}"):
            edits = edits_everywhere(prepared, field, value, suggested[(field, value)])
    if len(suggested) > 1 and st.button(
            _.ngettext("Apply the {count} suggested fix", "Apply the {count} suggested fixes",
                       len(suggested), count=_.number(len(suggested))), key="fix-suggested-all"):
        for (field, value), fix in suggested.items():
            for line, fields in edits_everywhere(prepared, field, value, fix).items():
                edits.setdefault(line, {}).update(fields)
    return edits


def correct_rows(edits: dict[int, dict[str, str]], store: Store, taxonomy: Taxonomy,
                 locator: Locator) -> None:
    """Apply corrections to the check on screen (only those rows are checked again) and
    remember them for the draft; the next grid starts from the new problems."""
    st.session_state[PREPARED] = recheck_rows(st.session_state[PREPARED], edits, store,
                                              taxonomy, locator)
    remembered = current_edits()
    for line, fields in edits.items():
        remembered.setdefault(line, {}).update(fields)
    st.session_state[VERSION] = st.session_state.get(VERSION, 0) + 1
