"""The public index saved beside the database, so that a server's first visitor does not
wait for it to be built.

After a build, the index is written as an Arrow IPC file named after the registry's
identity and revision (``index-<instance>-r<revision>.arrow`` in the cache folder). A
process that needs that revision maps the file into memory instead of reading the
registry: at a million organisations, well under a second instead of about ten. A new
revision means a new file (the old ones are removed); a damaged or unreadable file is
rebuilt; a folder that cannot be written only costs the saving.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path

import pyarrow as pa

from atlas_app.public.arrow import give_back_memory
from atlas_app.public.index import RegistryIndex
from atlas_app.registry.batches import Watermark, watermark


def _read_mark(meta: dict[bytes, bytes]) -> Watermark | None:
    """The watermark saved with a snapshot (None for one saved without it)."""
    if b"last_id" not in meta:
        return None
    change = meta.get(b"last_change", b"").decode()
    return Watermark(int(meta[b"last_id"]),
                     dt.datetime.fromisoformat(change) if change else None)


def snapshot_path(folder: Path, instance: str, revision: int) -> Path:
    return Path(folder) / f"index-{instance or 'unknown'}-r{revision}.arrow"


def words_path(path: Path) -> Path:
    """The snapshot's word index (:mod:`atlas_app.public.words`), beside it."""
    return path.with_name("words-" + path.name.removeprefix("index-"))


def load_index(store, revision: int, folder: Path | None = None) -> RegistryIndex:
    """The public index at ``revision``: mapped from its snapshot when one was saved, else
    built from the database (and saved, when ``folder`` is given)."""
    if folder is None:
        return _built(store, revision)
    instance = store.instance()
    path = snapshot_path(folder, instance, revision)
    mapped = _mapped(path, revision)
    if mapped is not None:
        return mapped
    index = _built(store, revision)
    if not save_snapshot(index, path):
        return index
    for kind in ("index", "words"):
        for old in Path(folder).glob(f"{kind}-{instance or 'unknown'}-r*.arrow"):
            if old not in (path, words_path(path)):
                old.unlink(missing_ok=True)
    # Served from the file just written, as after a restart: the built arrays (and what
    # building them left in the allocator) are let go.
    mapped = _mapped(path, revision)
    if mapped is None:
        return index
    del index
    give_back_memory()
    return mapped


def _mapped(path: Path, revision: int) -> RegistryIndex | None:
    """The index saved at ``path``, mapped from the file (None when there is none; a
    damaged one is removed)."""
    if not path.exists():
        return None
    try:
        table = pa.ipc.open_file(pa.memory_map(str(path))).read_all()
        words = pa.ipc.open_file(pa.memory_map(str(words_path(path)))).read_all() \
            if words_path(path).exists() else None
        index = RegistryIndex.from_table(table, words)
        index.watermark = _read_mark(table.schema.metadata or {})
    except (OSError, pa.ArrowException, KeyError, ValueError):
        path.unlink(missing_ok=True)  # damaged: built again
        words_path(path).unlink(missing_ok=True)
        return None
    index.revision = revision
    return index


def _built(store, revision: int) -> RegistryIndex:
    mark = watermark(store)  # read before the rows: what is written meanwhile comes again
    index = RegistryIndex.load(store)
    index.revision, index.watermark = revision, mark
    return index


def save_snapshot(index: RegistryIndex, path: Path) -> bool:
    """Write the index to ``path`` and its word index beside it (readable by their owner
    only), each via a temporary file and a rename, the words first; False when the
    folder cannot be written."""
    table = index.to_table().combine_chunks()  # one chunk: mapped, not copied, on load
    mark = index.watermark
    if mark is not None:
        table = table.replace_schema_metadata({
            "last_id": str(mark.last_id),
            "last_change": mark.last_change.isoformat() if mark.last_change else ""})
    if index.words.position is None:  # a patched index's words are not its rows'
        if not _write(index.words.table.combine_chunks(), words_path(path)):
            return False
    return _write(table, path)


def _write(table: pa.Table, path: Path) -> bool:
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".index-", suffix=".part", dir=path.parent)
        with os.fdopen(fd, "wb") as fh, pa.ipc.new_file(fh, table.schema) as writer:
            writer.write_table(table)
        os.replace(tmp, path)
        return True
    except OSError:
        if tmp:
            Path(tmp).unlink(missing_ok=True)
        return False
