"""Step 5 of the upload, at real size: possible duplicates grouped by what they resemble,
a page at a time, with "keep all / skip all / update all" and one choice per group.

Decisions live in one session-state dict (not in the widgets, which exist only for the
page shown), so that paging and the bulk buttons never lose a choice; the page is a
fragment, so a click re-runs it alone, not the whole upload."""

from __future__ import annotations

import streamlit as st

from atlas_app.i18n import N_, Translator
from atlas_app.intake.duplicates import DuplicateGroup, group_duplicates
from atlas_app.intake.upload_memory import duplicate_key, recalled_decisions
from atlas_app.public.detail import md_escape
from atlas_app.ui.resources import get_store

DECISIONS = "upload-dup-decisions"
PAGE = "dup-page"
GROUPS_PER_PAGE = 20
DECISION_LABELS = {"skip": N_("skip"), "keep": N_("keep both"),
                   "update": N_("update the existing entry")}
BULK_LABELS = {"keep": N_("Keep all"), "skip": N_("Skip all"),
               "update": N_("Update all existing entries")}


def forget_decisions() -> None:
    """A new file: nothing decided yet."""
    st.session_state.pop(DECISIONS, None)
    st.session_state.pop(PAGE, None)


def _options(group: DuplicateGroup) -> list[str]:
    return ["keep", "skip"] + (["update"] if group.ref is not None else [])


def _decide_all(groups: list[DuplicateGroup], choice: str) -> None:
    decisions = st.session_state.setdefault(DECISIONS, {})
    for group in groups:
        if choice in _options(group):
            decisions[group.key] = choice


def _decide_one(group_key: str, widget_key: str) -> None:
    st.session_state.setdefault(DECISIONS, {})[group_key] = st.session_state[widget_key]


def duplicate_choices(problems, records: dict[int, dict], _: Translator
                      ) -> dict[int, tuple[str, str, int | None]]:
    """Possible duplicates, grouped; returns {line: (duplicate key, decision, registry
    id)} for every row of every group, decided or proposed (earlier decisions about the
    same organisation are proposed again; otherwise "keep both")."""
    groups = group_duplicates(p for p in problems if p.line in records)
    if not groups:
        st.caption(_("No possible duplicate."))
        return {}
    keys = {line: duplicate_key(records[line]) for g in groups for line in g.lines}
    recalled = recalled_decisions(get_store(), list(set(keys.values())))
    decisions = st.session_state.setdefault(DECISIONS, {})
    for g in groups:
        remembered = [recalled[keys[line]] for line in g.lines if keys[line] in recalled]
        if g.key not in decisions:
            decisions[g.key] = next((r for r in remembered if r in _options(g)), "keep")
    rows = sum(len(g.lines) for g in groups)
    st.caption(" ".join((  # markdown: two translated sentences with numbers
        _.ngettext("{count} row of the file resembles another organisation.",
                   "{count} rows of the file resemble other organisations.", rows,
                   count=_.number(rows)),
        _.ngettext("They form {count} group: decide for all at once, or group by group below.",
                   "They form {count} groups: decide for all at once, or group by group below.",
                   len(groups), count=_.number(len(groups))))))
    cols = st.columns(3)
    for col, choice in zip(cols, ("keep", "skip", "update")):
        col.button(_(BULK_LABELS[choice]), key=f"dups-all-{choice}", on_click=_decide_all,
                   args=(groups, choice), disabled=choice == "update" and
                   not any(g.ref is not None for g in groups))
    _duplicate_page(groups, records, {line: recalled.get(k) for line, k in keys.items()}, _)
    decisions = st.session_state[DECISIONS]
    return {line: (keys[line], decisions[g.key], g.ref) for g in groups for line in g.lines}


@st.fragment
def _duplicate_page(groups: list[DuplicateGroup], records: dict[int, dict],
                    recalled: dict[int, str | None], _: Translator) -> None:
    pages = max(1, -(-len(groups) // GROUPS_PER_PAGE))
    page = 0
    if pages > 1:
        page = st.selectbox(_("Page"), range(pages), key=PAGE, format_func=lambda n: _(
            "groups {first}–{last} of {count}", first=n * GROUPS_PER_PAGE + 1,
            last=min((n + 1) * GROUPS_PER_PAGE, len(groups)), count=len(groups)))
    shown = groups[page * GROUPS_PER_PAGE:(page + 1) * GROUPS_PER_PAGE]
    existing = {g.ref: get_store().get_organisation(g.ref) or {} for g in shown
                if g.ref is not None}
    decisions = st.session_state[DECISIONS]
    for g in shown:
        with st.container(border=True):
            if g.ref is not None:
                st.markdown(_("**In the registry (#{id})**: {org}", id=g.ref,
                              org=_describe(existing[g.ref])))  # markdown: _describe escapes
            else:
                st.markdown(_("**Line {line} of the file**: {org}", line=g.other,
                              org=_describe(records.get(g.other, {}))))  # markdown: escaped
            for line in g.lines:
                st.markdown(_("Line {line}: {org}", line=line,
                              org=_describe(records[line])))  # markdown: _describe escapes
            label = _("Same organisation? ({reason})", reason=md_escape(g.reason))
            remembered = next((recalled[line] for line in g.lines if recalled.get(line)), None)
            if remembered:
                label += " " + _("(decided before: {decision})",
                                 decision=_(DECISION_LABELS.get(remembered, remembered)))
            key = f"dup-{g.lines[0]}"
            st.session_state[key] = decisions[g.key]
            st.radio(label, _options(g), horizontal=True, key=key,
                     on_change=_decide_one, args=(g.key, key),
                     format_func=lambda o: _(DECISION_LABELS[o]))


def _describe(org: dict) -> str:
    place = ", ".join(str(v) for v in (org.get("city"), org.get("country")) if v)
    return md_escape(" · ".join(str(v) for v in (org.get("name"), place, org.get("website"))
                                if v))
