"""The review queue as a work tool: filter the waiting organisations, then publish,
archive, or set the sector or kind of all of them or of those chosen — in one go."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from atlas_app.errors import UnclassifiedError
from atlas_app.i18n import N_, Translator
from atlas_app.places.countries import country_name
from atlas_app.registry.review import ReviewFilter, review_facets, review_page
from atlas_app.registry.schema import KIND_LABELS, KINDS, Taxonomy
from atlas_app.staff.review import act_on_review
from atlas_app.ui.problem_words import error_message
from atlas_app.ui.resources import get_store
from atlas_app.ui.staff_session import require_staff

REVIEW_DONE = "review-done"
TO_CLASSIFY = N_("— to classify —")
ALL, CHOSEN = "all", "chosen"


def _filters(facets: dict, taxonomy: Taxonomy, _: Translator) -> ReviewFilter:
    uploads = dict(facets["batch"])
    cols = st.columns(5)
    any_ = _("any")
    batch = cols[0].selectbox(_("Upload"), list(uploads), key="review-upload", index=None,
                              placeholder=any_, format_func=lambda b: f"#{b} {uploads[b]}")
    source = cols[1].selectbox(_("Source"), facets["source"], key="review-source",
                               index=None, placeholder=any_)
    country = cols[2].selectbox(_("Country"), facets["country"], key="review-country",
                                index=None, placeholder=any_,
                                format_func=lambda c: country_name(c, _.lang))
    sector = cols[3].selectbox(_("Sector"), facets["sector"], key="review-sector",
                               index=None, placeholder=any_,
                               format_func=lambda s: _sector_label(taxonomy, s, _))
    kind = cols[4].selectbox(_("Kind"), facets["kind"], key="review-kind", index=None,
                             placeholder=any_, format_func=lambda k: _(KIND_LABELS.get(k, k)))
    unclassified = bool(facets["unclassified"]) and st.toggle(
        _.ngettext("Only the {count} organisation without a sector or a kind",
                   "Only the {count} organisations without a sector or a kind",
                   facets["unclassified"],
                   count=_.number(facets["unclassified"])), key="review-unclassified")
    return ReviewFilter(batch, source, country, sector, kind, unclassified=unclassified)


def _sector_label(taxonomy: Taxonomy, sector: str | None, _: Translator) -> str:
    if sector is None:
        return _(TO_CLASSIFY)
    found = taxonomy.get(sector) if sector in taxonomy.ids else None
    return found.label(_.lang) if found else sector


def _kind_label(kind: str | None, _: Translator) -> str:
    return _(TO_CLASSIFY) if kind is None else _(KIND_LABELS.get(kind, kind))


def review_workbench(taxonomy: Taxonomy, _: Translator) -> None:
    """Waiting organisations by upload, source, country, sector and kind; act on all that
    match, or on those chosen, with one click (one transaction)."""
    done = st.session_state.pop(REVIEW_DONE, None)
    if done:
        st.success(done)  # markdown: a translated message with numbers only
    store = get_store()
    facets = review_facets(store)
    if not facets["kind"] and not facets["unclassified"]:
        return
    flt = _filters(facets, taxonomy, _)
    rows, total = review_page(store, flt)
    st.caption(_.ngettext("{count} waiting organisation matches.",
                          "{count} waiting organisations match.", total,
                          count=_.number(total)) +
               (" " + _("The oldest {shown} are listed.", shown=_.number(len(rows)))
                if total > len(rows) else ""))
    with st.container(key="review-table"):
        st.dataframe(pd.DataFrame([{
            "#": r["id"], _("Name"): r["name"], _("City"): r["city"],
            _("Country"): r["country"], _("Kind"): _kind_label(r["kind"], _),
            _("Sector"): _sector_label(taxonomy, r["sector"], _), _("Source"): r["source"]}
            for r in rows]), hide_index=True)
    if st.toggle(_("See them on a map"), key="review-map"):
        _review_map(rows, taxonomy, _)
    scope = st.radio(_("Act on"), (ALL, CHOSEN), key="review-scope", horizontal=True,
                     format_func=lambda s: _("all {count} that match", count=_.number(total))
                     if s == ALL else _("those chosen below"))
    target: dict = {"matching": flt}
    if scope == CHOSEN:
        labels = {r["id"]: f"#{r['id']} {r['name']}" for r in rows}
        chosen = st.multiselect(_("Organisations"), list(labels), key="review-chosen",
                                format_func=lambda i: labels.get(i, f"#{i}"))
        target = {"ids": chosen}
        count = len(chosen)
    else:
        count = total
    _actions(target, count, taxonomy, _)


def _review_map(rows: list[dict], taxonomy: Taxonomy, _: Translator) -> None:
    """The listed organisations that have a location, on the atlas's own map."""
    from streamlit_folium import st_folium

    from atlas_app.maps.elements import build_map

    located = [r for r in rows if r["latitude"] is not None]
    st.caption(_("{located} of {total} located.", located=_.number(len(located)),
                 total=_.number(len(rows))))
    if located:
        st_folium(build_map(pd.DataFrame(located), taxonomy, lang=_.lang), key="review-map-view",
                  height=360, use_container_width=True, returned_objects=[])


def _actions(target: dict, count: int, taxonomy: Taxonomy, _: Translator) -> None:
    cols = st.columns(4)
    sector = cols[2].selectbox(_("Set the sector"), list(taxonomy.ids), key="review-set-sector",
                               index=None, placeholder=_("Choose the sector"),
                               format_func=lambda s: _sector_label(taxonomy, s, _))
    kind = cols[3].selectbox(_("Set the kind"), KINDS, key="review-set-kind", index=None,
                             placeholder=_("Choose the kind"),
                             format_func=lambda k: _(KIND_LABELS[k]))
    reason = st.text_input(_("Reason for archiving (kept in the history)"),
                           key="review-bulk-reason")
    n = _.number(count)
    clicked = None
    if cols[0].button(_("Publish {count}", count=n), key="review-publish", type="primary",
                      disabled=not count):
        clicked = ("publish", None)
    if cols[1].button(_("Archive {count}", count=n), key="review-archive", disabled=not count):
        clicked = ("archive", None)
    if st.button(_("Apply the sector and kind chosen to {count}", count=n),
                 key="review-classify", disabled=not count or not (sector or kind)):
        clicked = ("classify", None)
    if clicked is None:
        return
    account = require_staff()
    store = get_store()
    action = clicked[0]
    try:
        changed = act_on_review(store, action, account.email, sector=sector, kind=kind,
                                taxonomy=taxonomy, reason=reason.strip() or None, **target)
    except UnclassifiedError as exc:
        st.error(error_message(exc, _))  # markdown: a translated message, numbers, #ids
        return
    n, count = len(changed), _.number(len(changed))
    if action == "classify":
        message = _.ngettext("{count} organisation classified.",
                             "{count} organisations classified.", n, count=count)
    elif action == "publish":
        message = _.ngettext("{count} organisation published: it is on the public map.",
                             "{count} organisations published: they are on the public map.",
                             n, count=count)
    else:
        message = _.ngettext("{count} organisation archived.",
                             "{count} organisations archived.", n, count=count)
    st.session_state[REVIEW_DONE] = message
    st.session_state.pop("review-chosen", None)
    st.rerun()
