"""Who is signed in: a session token in this tab's state (and in a browser cookie, so that
a reload stays signed in), checked in the database on every run and before every write
(so signing out anywhere ends this tab's rights too)."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from atlas_app.staff.accounts import (
    Account,
    client_tag,
    session_account,
    sign_out,
    single_sign_on,
)
from atlas_app.ui import lang
from atlas_app.ui.resources import get_settings, get_store
from atlas_app.ui.staff_cookie import forget_in_browser, keep_in_browser, token_in_browser

TOKEN = "staff-token"


def sso_configured() -> bool:
    """Single sign-on is on when ``[auth]`` is configured in .streamlit/secrets.toml."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


def current_client() -> str | None:
    """The pseudonym of this visitor's address, which throttles count by (the address
    from ``ATLAS_CLIENT_IP_HEADER`` behind a proxy)."""
    header = get_settings().client_ip_header
    address = st.context.ip_address
    if header:
        forwarded = (st.context.headers.get(header) or "").split(",")[0].strip()
        address = forwarded or address
    return client_tag(address)


def _limits() -> dict:
    settings = get_settings()
    return {"lifetime": dt.timedelta(hours=settings.session_hours),
            "idle": dt.timedelta(minutes=settings.session_idle_minutes)}


def current_staff() -> Account | None:
    """The signed-in account: this tab's session, or — on a reload or in a new tab — the
    live session this browser keeps (a cookie), or single sign-on."""
    limits = _limits()
    if st.session_state.get(TOKEN) is None:  # not signed out in this tab
        kept = token_in_browser()
        if kept and session_account(get_store(), kept, **limits) is not None:
            st.session_state[TOKEN] = kept
    account = session_account(get_store(), st.session_state.get(TOKEN), **limits)
    if account is None and st.session_state.get(TOKEN) is None and _sso_user():
        # Only an address the provider has verified may stand for a staff account.
        verified = st.user.get("email_verified") is True
        granted = single_sign_on(get_store(), st.user.get("email") if verified else None)
        if granted is not None:
            account, st.session_state[TOKEN] = granted
    if account is not None:
        keep_in_browser(st.session_state[TOKEN], limits["lifetime"].total_seconds())
    elif token_in_browser():
        forget_in_browser()  # signed out, revoked or expired: the cookie is dead
    return account


def _sso_user() -> bool:
    try:
        return bool(st.user.is_logged_in)
    except Exception:  # st.user needs a configured provider
        return False


def require_staff() -> Account:
    """The signed-in account, or a refusal that stops the page."""
    account = current_staff()
    if account is None:
        st.session_state.pop(TOKEN, None)
        _ = lang.current()
        st.error(_("Please sign in again: your staff session has ended."))
        st.page_link("screens/signin.py", label=_("Sign in"))
        st.stop()
    return account


def do_sign_out() -> None:
    sign_out(get_store(), st.session_state.pop(TOKEN, None))
    # Stay signed out of the atlas even while the provider's login cookie lives on.
    st.session_state[TOKEN] = ""
    if _sso_user():
        st.logout()
