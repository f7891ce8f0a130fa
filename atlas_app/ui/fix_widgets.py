"""Fix in place: a value the check did not understand (a country, a sector, a kind) is
read as the value the person chooses — in every row that has it, in one click, without
editing the file. The fixes ride in the column mapping (``replacements``), so the check
runs again on them."""

from __future__ import annotations

from collections import Counter

import streamlit as st

from atlas_app.i18n import Translator
from atlas_app.places.countries import country_name, known_codes
from atlas_app.public.detail import md_escape
from atlas_app.registry.schema import KIND_LABELS, KINDS, Taxonomy

FIXES = "upload-fixes"  # {field: {value in the file: value to read}}
FIXABLE = {"unknown_country": "country", "unknown_sector": "sector", "unknown_kind": "kind"}
SHOWN = 30


def current_fixes() -> dict[str, dict[str, str]]:
    return st.session_state.setdefault(FIXES, {})


def forget_fixes() -> None:
    st.session_state.pop(FIXES, None)


def value_fixes(problems, taxonomy: Taxonomy, _: Translator) -> None:
    """Each distinct value the check refused, with how many rows have it and a choice
    of what to read instead (the suggestion, when there is one, chosen already)."""
    found = Counter((FIXABLE[p.code], p.value) for p in problems
                    if p.code in FIXABLE and p.severity == "error" and p.value)
    if not found:
        return
    suggestions = {(FIXABLE[p.code], p.value): p.suggestion for p in problems
                   if p.code in FIXABLE and p.suggestion}
    options = {"country": sorted(known_codes(), key=lambda c: country_name(c, _.lang)),
               "sector": list(taxonomy.ids), "kind": list(KINDS)}
    words = {"country": lambda c: f"{country_name(c, _.lang)} ({c})",
             "sector": lambda s: taxonomy.get(s).label(_.lang),
             "kind": lambda k: _(KIND_LABELS[k])}
    st.markdown("**" + _("Fix in place") + "**")
    st.caption(_("Read each value below as the one you choose, in every row that has it; "
                 "the file is not changed."))
    chosen: dict[tuple[str, str], str] = {}
    for n, ((field, value), count) in enumerate(found.most_common(SHOWN)):
        suggestion = suggestions.get((field, value))
        choices = options[field]
        pick = st.selectbox(
            _("{field} “{value}” ({count} row(s)) — read as:", field=_(field),
              value=md_escape(value), count=_.number(count)),
            choices, key=f"fix-{n}", format_func=words[field],
            index=choices.index(suggestion) if suggestion in choices else None,
            placeholder=_("leave as it is"))
        if pick:
            chosen[(field, value)] = pick
    if st.button(_("Apply to every row"), key="fix-apply", disabled=not chosen):
        fixes = current_fixes()
        for (field, value), pick in chosen.items():
            fixes.setdefault(field, {})[value] = pick
        for key in [k for k in st.session_state if str(k).startswith("fix-")
                    and k != "fix-apply"]:
            del st.session_state[key]
        st.rerun()
