"""An upload in progress, kept on disk per staff member so that a reload (or a lost
connection) does not lose it: the file's bytes and the choices made so far. One draft per
person; committing or discarding the upload removes it."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

DRAFT_LIFETIME = dt.timedelta(days=7)


@dataclass(frozen=True)
class Draft:
    """A file being uploaded and the choices made on it (JSON-ready values)."""

    filename: str
    data: bytes
    choices: dict
    saved_at: dt.datetime


def _folder(root: Path, owner: str) -> Path:
    # The owner's address is not written to disk: its digest names the folder.
    return Path(root) / hashlib.sha256(owner.encode("utf-8")).hexdigest()[:32]


def _write(path: Path, content: bytes) -> None:
    """Owner-only file, written beside its target and renamed into place."""
    partial = path.with_suffix(path.suffix + ".partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(content)
    os.replace(partial, path)


def save_draft(root: Path, owner: str, filename: str, data: bytes | None,
               choices: dict) -> None:
    """Keep the file (``data``; None keeps the bytes already saved) and the choices."""
    folder = _folder(root, owner)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    if data is not None:
        _write(folder / "file.bin", data)
    meta = {"filename": filename, "choices": choices,
            "saved_at": dt.datetime.now(dt.timezone.utc).isoformat()}
    _write(folder / "draft.json", json.dumps(meta).encode("utf-8"))


def load_draft(root: Path, owner: str, now: dt.datetime | None = None) -> Draft | None:
    """The owner's upload in progress, or None (none, unreadable or older than a week)."""
    folder = _folder(root, owner)
    try:
        meta = json.loads((folder / "draft.json").read_text(encoding="utf-8"))
        data = (folder / "file.bin").read_bytes()
        saved_at = dt.datetime.fromisoformat(meta["saved_at"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if (now or dt.datetime.now(dt.timezone.utc)) - saved_at > DRAFT_LIFETIME:
        drop_draft(root, owner)
        return None
    return Draft(str(meta.get("filename") or "upload"), data, dict(meta.get("choices") or {}),
                 saved_at)


def drop_draft(root: Path, owner: str) -> None:
    folder = _folder(root, owner)
    for name in ("draft.json", "file.bin"):
        try:
            (folder / name).unlink()
        except FileNotFoundError:
            pass
