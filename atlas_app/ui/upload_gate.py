"""Streamlit's upload endpoint, opened to signed-in staff only.

Streamlit accepts ``PUT /_stcore/upload_file/<session>/<any id>`` from every browser
session, whether or not its page shows an uploader, and keeps each file in memory until
the session ends: one anonymous tab could fill the server's memory. The gate wraps the
runtime's uploaded-file manager (the one place every upload goes through, whatever the
route): a file is kept only for a session whose staff token is still valid, and only
while that session holds less than ``HELD_FILES`` uploads' worth of bytes. Anything else
is answered 403 or 413 and dropped at once.
"""

from __future__ import annotations

import threading

from starlette.exceptions import HTTPException
from streamlit.runtime import Runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx

from atlas_app.registry.store import Store
from atlas_app.staff.accounts import session_account

HELD_FILES = 2  # a staff session keeps at most this many maximum-size files at once

_lock = threading.Lock()
_admitted: dict[str, str] = {}  # browser session id → staff token


def follow(token: str | None, store: Store, max_bytes: int) -> None:
    """Admit this browser session's uploads while ``token`` (a signed-in staff member's)
    is given, refuse them otherwise; installs the gate on first use."""
    ctx = get_script_run_ctx()
    if ctx is None:  # not run by Streamlit (AppTest has no upload endpoint to guard)
        return
    _install(store, max_bytes)
    runtime = Runtime.instance()
    with _lock:
        if token:
            _admitted[ctx.session_id] = token
        else:
            _admitted.pop(ctx.session_id, None)
        for ended in [s for s in _admitted if not runtime.is_active_session(s)]:
            del _admitted[ended]


def _install(store: Store, max_bytes: int) -> None:
    manager = Runtime.instance().uploaded_file_mgr
    with _lock:
        if getattr(manager, "atlas_gate", False):
            return
        manager.atlas_gate = True
    keep = manager.add_file

    def add_file(session_id: str, file) -> None:
        with _lock:
            token = _admitted.get(session_id)
        if token is None or session_account(store, token) is None:
            raise HTTPException(status_code=403, detail="Uploads are for signed-in staff.")
        # MemoryUploadedFileManager (the version is pinned in the lock file) keeps them here.
        stored = dict(getattr(manager, "file_storage", {}).get(session_id) or {})
        held = sum(len(f.data) for file_id, f in stored.items() if file_id != file.file_id)
        if held + len(file.data) > HELD_FILES * max_bytes:
            raise HTTPException(status_code=413, detail="This session holds too many files; "
                                "finish or clear the current upload first.")
        keep(session_id=session_id, file=file)

    manager.add_file = add_file
