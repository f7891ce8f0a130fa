"""Staff sign-in and sign-out."""

from __future__ import annotations

import streamlit as st

from atlas_app.public.detail import md_escape
from atlas_app.staff.accounts import SignInError, sign_in
from atlas_app.ui import lang
from atlas_app.ui.resources import get_store
from atlas_app.ui.staff_session import (
    TOKEN,
    current_client,
    current_staff,
    do_sign_out,
    sso_configured,
)

_ = lang.current()
st.title(_("Staff sign-in"))
account = current_staff()
if account is not None:
    st.success(_("Signed in as {email}.", email=md_escape(account.email)))
    st.button(_("Sign out everywhere"), key="sign-out", on_click=do_sign_out)
    st.stop()

if st.user.get("is_logged_in"):
    st.warning(_("{email} is not on the atlas staff list.",
                 email=md_escape(st.user.get("email") or "?")))
if sso_configured():
    st.button(_("Sign in with your organisation account"), key="sso", on_click=st.login)
with st.form("sign-in", border=True):
    email = st.text_input(_("E-mail address"), key="signin-email", autocomplete="username")
    password = st.text_input(_("Password"), type="password", key="signin-password",
                             autocomplete="current-password")
    submitted = st.form_submit_button(_("Sign in"))
if submitted:
    try:
        _account, st.session_state[TOKEN] = sign_in(get_store(), email, password,
                                                       current_client())
    except SignInError as exc:
        st.error(_(exc.template, **exc.values))  # markdown: the values are minutes
    else:
        st.rerun()
