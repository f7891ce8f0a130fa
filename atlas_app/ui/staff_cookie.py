"""The staff session's token kept in the browser (a cookie), so that a reload or a new
tab stays signed in until the session ends. Streamlit reads cookies
(``st.context.cookies``) but cannot set them: a tiny script does, from
``static/atlas/session-cookie.js``. The trade-off is explained in SECURITY.md."""

from __future__ import annotations

import json
from pathlib import Path

import streamlit as st

COOKIE = "atlas_staff"
_WRITTEN = "staff-cookie-written"  # the token this tab last wrote (or "" when cleared)
SCRIPT = Path(__file__).resolve().parent / "static" / "atlas" / "session-cookie.js"


def token_in_browser() -> str | None:
    """The token a previous page load of this browser left, if any."""
    try:
        value = st.context.cookies.get(COOKIE)
    except Exception:  # no request context (bare script runs)
        return None
    return value if isinstance(value, str) and value else None


def keep_in_browser(token: str, max_age_seconds: int) -> None:
    """Write the cookie once per token (``SameSite=Strict``; ``Secure`` over https)."""
    if st.session_state.get(_WRITTEN) == token:
        return
    st.session_state[_WRITTEN] = token
    _run_script({"name": COOKIE, "value": token, "maxAge": int(max_age_seconds)})


def forget_in_browser() -> None:
    """Clear the cookie (signing out; the session is revoked in the database anyway)."""
    if st.session_state.get(_WRITTEN) == "":
        return
    st.session_state[_WRITTEN] = ""
    _run_script({"name": COOKIE, "value": "", "maxAge": 0})


def _run_script(payload: dict) -> None:
    # The payload is JSON (a token is URL-safe base64 anyway); the script is a file.
    data = json.dumps(payload).replace("<", "\\u003c")
    st.html(f"<script>window.atlasSessionCookie = {data};\n"
            f"{SCRIPT.read_text(encoding='utf-8')}</script>",
            unsafe_allow_javascript=True)
