"""The staff workspace: add organisations, publish / hold / archive them, read the audit log."""

from __future__ import annotations

import streamlit as st

from atlas_app.public.detail import md_escape
from atlas_app.ui import lang
from atlas_app.ui.resources import get_taxonomy
from atlas_app.ui.review_widgets import review_workbench
from atlas_app.ui.staff_session import do_sign_out, require_staff
from atlas_app.ui.staff_widgets import (
    add_form,
    audit_table,
    duplicate_pairs,
    edit_form,
    organisation_history,
    organisation_picker,
    quality_overview,
    review_queue,
    status_actions,
)
from atlas_app.ui.upload_widgets import upload_history

_ = lang.current()
account = require_staff()
with st.sidebar:
    st.caption(_("Signed in as {email}.", email=md_escape(account.email)))
    st.button(_("Sign out everywhere"), key="staff-sign-out", on_click=do_sign_out)
st.title(_("Staff workspace"))
taxonomy = get_taxonomy()
st.subheader(_("Data quality"))
quality_overview(_)
st.markdown("**" + _("Possible duplicates") + "**")  # markdown: a translated title
duplicate_pairs(_)
upload_history(_)
st.subheader(_("Pending review"))
review_workbench(taxonomy, _)
st.markdown("**" + _("One at a time") + "**")
review_queue(_)
st.subheader(_("Add an organisation"))
add_form(taxonomy, _)
st.subheader(_("Find an organisation"))
org = organisation_picker(_)
if org is not None:
    st.subheader(_("Edit an organisation"))
    edit_form(org, taxonomy, _)
    st.subheader(_("Publish, hold or archive"))
    status_actions(org, _)
    st.subheader(_("History of an organisation"))
    organisation_history(org, _)
st.subheader(_("Recent changes"))
audit_table(_)
