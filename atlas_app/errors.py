"""The atlas's exceptions: one small hierarchy, each also a familiar builtin."""

from __future__ import annotations


class AtlasError(Exception):
    """Base class of every error the atlas raises on purpose."""


class ConfigError(AtlasError, ValueError):
    """A setting is missing or malformed."""


class FileReadError(AtlasError, ValueError):
    """An uploaded or imported file cannot be read at all (nothing is imported); ``code``
    and ``params`` let each surface word it (e.g. ``too_many_rows``, ``limit``)."""

    def __init__(self, message: str, code: str | None = None, **params: object) -> None:
        super().__init__(message)
        self.code, self.params = code, params


class MappingError(AtlasError, ValueError):
    """The file's columns cannot be mapped onto the registry's fields; ``code`` and
    ``params`` let each surface word it (e.g. ``missing_columns``, ``fields``)."""

    def __init__(self, message: str, code: str | None = None, **params: object) -> None:
        super().__init__(message)
        self.code, self.params = code, params


class UsageError(AtlasError, ValueError):
    """A command or function was called with arguments that do not fit."""


class UnclassifiedError(UsageError):
    """Publishing was refused: some organisations have no sector or no kind yet
    (``params``: how many, and the first ids). Nothing was published."""

    code = "unclassified"

    def __init__(self, ids: list[int]) -> None:
        shown = ", ".join(f"#{i}" for i in ids[:10]) + (" …" if len(ids) > 10 else "")
        many = "organisations have" if len(ids) != 1 else "organisation has"
        super().__init__(f"{len(ids):,} {many} no sector or no kind yet "
                         f"({shown}): classify them before publishing; nothing was "
                         f"published")
        self.params = {"count": len(ids), "ids": shown}


class DuplicateUploadError(AtlasError, ValueError):
    """The very same file was already imported (``params``: its upload's id, file, rows)."""

    code = "repeat_upload"

    def __init__(self, message: str, **params: object) -> None:
        super().__init__(message)
        self.params = params


class StoreError(AtlasError, OSError):
    """The database refused or failed an operation; the transaction was rolled back.

    ``row_index`` is the position of the refused record in the batch, when known.
    """

    def __init__(self, message: str, row_index: int | None = None) -> None:
        super().__init__(message)
        self.row_index = row_index

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class ExportError(AtlasError, OSError):
    """An export could not be written; any previous file at the target is intact."""


class ConflictError(AtlasError, ValueError):
    """Someone changed the organisation since the editor loaded it: the edit was refused
    so that nothing they did is lost. ``fields`` changed meanwhile; ``current`` holds the
    organisation as it is now, to redo the edit on."""

    code = "edit_conflict"

    def __init__(self, org_id: int, fields: list[str], current: dict) -> None:
        super().__init__(f"#{org_id} was changed by someone else since you opened it "
                         f"({', '.join(fields)}); nothing was saved — redo your change on "
                         f"the new version")
        self.org_id, self.fields, self.current = org_id, fields, current
