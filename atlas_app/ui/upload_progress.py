"""An upload in progress survives a reload: the file and the choices made on it are kept
as the staff member's draft (staff/drafts.py) and offered again on the upload page."""

from __future__ import annotations

import hashlib

import streamlit as st

from atlas_app.i18n import Translator
from atlas_app.public.detail import md_escape
from atlas_app.staff.accounts import Account
from atlas_app.staff.drafts import drop_draft, load_draft, save_draft
from atlas_app.ui.duplicate_widgets import DECISIONS
from atlas_app.ui.resources import get_settings

RESUMED = "upload-resumed"  # (file name, bytes, key) of the draft being worked on
FILE_ID = "upload-file-id"  # the file whose choices are on screen
DRAFT_FILE = "upload-draft-file"  # the file whose bytes the draft already holds
COORDINATES = "upload-coordinates"
EDITS = "upload-edits"  # corrections made in place: {line: {field: text}}
CHOICE_KEYS = ("saved-mapping", "mapping-name", "upload-publish", "upload-reject-bad",
               "upload-valid-only", "upload-again")
CHOICE_PREFIXES = ("map-", "const-")


def file_in_progress(uploaded, account: Account, _: Translator
                     ) -> tuple[str, bytes, str] | None:
    """The file to work on — (name, bytes, key) — the one just chosen or a resumed draft;
    offers to resume or discard a draft when there is neither."""
    if uploaded is not None:
        st.session_state.pop(RESUMED, None)
        return uploaded.name, uploaded.getvalue(), uploaded.file_id
    if st.session_state.get(RESUMED):
        return st.session_state[RESUMED]
    draft = load_draft(get_settings().drafts_dir, account.email)
    if draft is None:
        return None
    with st.container(key="upload-draft", border=True):
        st.info(_("You were uploading “{file}” (last change {when} UTC). Resume where you "
                  "left off, or discard it.", file=md_escape(draft.filename),
                  when=f"{draft.saved_at:%Y-%m-%d %H:%M}"))  # markdown: a date
        resume, discard = st.columns(2)
        if resume.button(_("Resume the upload"), key="upload-resume", type="primary"):
            key = "draft:" + hashlib.sha256(draft.data).hexdigest()[:16]
            _restore(draft.choices)
            st.session_state[FILE_ID] = st.session_state[DRAFT_FILE] = key
            st.session_state[RESUMED] = (draft.filename, draft.data, key)
            st.rerun()
        if discard.button(_("Discard it"), key="upload-discard"):
            drop_draft(get_settings().drafts_dir, account.email)
            st.rerun()
    return None


def _restore(choices: dict) -> None:
    for key, value in choices.items():
        if key == COORDINATES:
            st.session_state[key] = {int(line): tuple(p) for line, p in value.items()}
        elif key == EDITS:
            st.session_state[key] = {int(line): dict(fields) for line, fields in value.items()}
        elif key == DECISIONS:
            st.session_state[key] = dict(value)
        elif key in CHOICE_KEYS or key.startswith(CHOICE_PREFIXES):
            st.session_state[key] = value


def remember_progress(account: Account, name: str, data: bytes, key: str) -> None:
    """Keep the file (once) and the choices on screen (every run) as the draft."""
    state = st.session_state
    choices = {k: state[k] for k in state if isinstance(k, str)
               and (k in CHOICE_KEYS or k.startswith(CHOICE_PREFIXES))
               and isinstance(state[k], (str, bool, type(None)))}
    choices[DECISIONS] = dict(state.get(DECISIONS) or {})
    choices[EDITS] = {str(line): dict(fields) for line, fields in
                      (state.get(EDITS) or {}).items()}
    choices[COORDINATES] = {str(line): list(p) for line, p in
                            (state.get(COORDINATES) or {}).items()}
    save_draft(get_settings().drafts_dir, account.email, name,
               None if state.get(DRAFT_FILE) == key else data, choices)
    state[DRAFT_FILE] = key


def forget_progress(account: Account) -> None:
    """The upload is committed: nothing left to resume."""
    drop_draft(get_settings().drafts_dir, account.email)
    st.session_state.pop(RESUMED, None)
    st.session_state.pop(DRAFT_FILE, None)
