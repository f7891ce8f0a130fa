"""Who is signed in: a session token in this tab's state, checked in the database on every
run and before every write (so signing out anywhere ends this tab's rights too)."""

from __future__ import annotations

import streamlit as st

from atlas_app.accounts import Account, session_account, sign_out
from atlas_app.ui.resources import get_store

TOKEN = "staff-token"


def current_staff() -> Account | None:
    return session_account(get_store(), st.session_state.get(TOKEN))


def require_staff() -> Account:
    """The signed-in account, or a refusal that stops the page."""
    account = current_staff()
    if account is None:
        st.session_state.pop(TOKEN, None)
        st.error("Please sign in again: your staff session has ended. · Veuillez vous "
                 "reconnecter : votre session a pris fin.")
        st.page_link("screens/signin.py", label="Sign in · Se connecter")
        st.stop()
    return account


def do_sign_out() -> None:
    sign_out(get_store(), st.session_state.pop(TOKEN, None))
