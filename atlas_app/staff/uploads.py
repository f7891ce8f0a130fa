"""Uploads as staff make them: commit one with its updates and remembered decisions, list
the recent ones, and undo one — each a single transaction with its audit entries."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import sqlalchemy as sa

from atlas_app.intake.pipeline import ImportOptions, ImportReport, PreparedImport, commit_import
from atlas_app.intake.upload_memory import remember_decisions, save_mapping
from atlas_app.registry.store import Store
from atlas_app.registry.tables import audit_log, import_batches, organisations
from atlas_app.staff.edits import (
    EDITABLE,
    audit_entry,
    comparable,
    jsonable,
    set_status,
    update_organisation,
)


@dataclass
class CommittedUpload:
    """What an upload's commit did: its report, and the existing entries it updated."""

    report: ImportReport
    updated: dict[int, list[str]] = field(default_factory=dict)  # org id → changed fields


def commit_upload(store: Store, prepared: PreparedImport, options: ImportOptions,
                  actor: str, *, skip_lines: set[int] = frozenset(),
                  updates: dict[int, int] | None = None,
                  decisions: dict[str, str] | None = None,
                  fields: set[str] | None = None,
                  mapping_name: str | None = None) -> CommittedUpload:
    """Write an upload, update the existing entries staff chose (``updates``: file line →
    organisation id; only the ``fields`` the file gives are filled in), remember the
    duplicate decisions and the column mapping (as ``mapping_name``, proposed for the
    next file with these columns) — all in one transaction: either everything or
    nothing."""
    updates = updates or {}
    records = dict(prepared.accepted)
    options = dataclasses.replace(options, created_by=actor)  # the upload's author, always
    with store.write() as conn:
        report = commit_import(prepared, store, options,
                               skip_lines=set(skip_lines) | set(updates), conn=conn)
        if report.rejected and not options.skip_invalid:
            return CommittedUpload(report)
        done = CommittedUpload(report)
        if report.batch_id is None and updates:  # only updates: the upload still has a record
            _ids, report.batch_id = store.add_organisations(
                [], filename=report.filename, sha256=prepared.digest, source=prepared.source,
                created_by=actor, conn=conn)
        for line, org_id in updates.items():
            if line in records:
                changed = update_organisation(store, org_id, records[line], actor,
                                              typed_location=False, fields=fields,
                                              upload=report.batch_id, conn=conn)
                if changed:
                    done.updated[org_id] = changed
        remember_decisions(store, decisions or {}, actor, conn=conn)
        if mapping_name and (report.written or done.updated):
            save_mapping(store, mapping_name, options.mapping, actor, conn=conn)
    return done


def recent_uploads(store: Store, limit: int = 10) -> list[dict]:
    """The latest uploads with how many of their organisations are still not archived."""
    live = sa.func.sum(sa.case((organisations.c.status != "archived", 1), else_=0))
    query = (sa.select(import_batches.c.id, import_batches.c.filename,
                       import_batches.c.created_at, import_batches.c.created_by,
                       import_batches.c.row_count, live.label("live"))
             .join(organisations, organisations.c.batch_id == import_batches.c.id, isouter=True)
             .group_by(import_batches.c.id).order_by(import_batches.c.id.desc()).limit(limit))
    with store.engine.connect() as conn:
        return [dict(r) for r in conn.execute(query).mappings()]


def upload_organisations(store: Store, batch_id: int) -> list[dict]:
    """The organisations an upload brought in, with their current status."""
    with store.engine.connect() as conn:
        return [dict(r) for r in conn.execute(
            sa.select(organisations.c.id, organisations.c.name, organisations.c.status)
            .where(organisations.c.batch_id == batch_id).order_by(organisations.c.id)
        ).mappings()]


@dataclass
class UndoneUpload:
    """What undoing an upload did, and the entries it left for the editor to decide."""

    archived: int = 0
    restored: list[int] = field(default_factory=list)
    edited_since: list[int] = field(default_factory=list)  # changed after the upload


def _updates_of(conn: sa.Connection, batch_id: int) -> list[dict]:
    """The audit entries of the updates ``batch_id`` made and nobody has put back yet."""
    rows = [dict(r) for r in conn.execute(
        sa.select(audit_log).where(audit_log.c.action.in_(["update-from-upload", "restore"]))
        .order_by(audit_log.c.id)).mappings() if (r["after"] or {}).get("upload") == batch_id]
    restored = {r["organisation_id"] for r in rows if r["action"] == "restore"}
    return [r for r in rows if r["action"] == "update-from-upload"
            and r["organisation_id"] not in restored]


def has_updates(store: Store, batch_id: int) -> bool:
    """Whether undoing ``batch_id`` would put back entries it updated."""
    with store.engine.connect() as conn:
        return bool(_updates_of(conn, batch_id))


def undo_upload(store: Store, batch_id: int, actor: str) -> UndoneUpload:
    """Undo an upload as a whole, in one transaction: archive the organisations it
    brought (never deleted) and put back the entries it updated, from the audit's
    "before" values. An entry edited since the upload is not touched: it is listed in
    ``edited_since`` for the editor to decide (:func:`restore_before_upload`)."""
    done = UndoneUpload()
    with store.write() as conn:
        ids = list(conn.execute(sa.select(organisations.c.id).where(
            organisations.c.batch_id == batch_id,
            organisations.c.status != "archived")).scalars())
        done.archived = len(set_status(store, ids, "archived", actor,
                                       reason=f"upload #{batch_id} undone", conn=conn))
        for change in _updates_of(conn, batch_id):
            org_id = change["organisation_id"]
            current = jsonable(store.organisations_in(conn, [org_id])[org_id])
            if any(comparable(current.get(k)) != comparable(change["after"].get(k))
                   for k in EDITABLE):
                done.edited_since.append(org_id)
            else:
                _restore(store, conn, change, actor, current)
                done.restored.append(org_id)
    return done


def restore_before_upload(store: Store, batch_id: int, org_id: int, actor: str) -> bool:
    """Put an entry back as it was before ``batch_id`` updated it, even though it was
    edited since (the editor chose to). Returns False when that upload never updated it."""
    with store.write() as conn:
        changes = [c for c in _updates_of(conn, batch_id) if c["organisation_id"] == org_id]
        if not changes:
            return False
        current = jsonable(store.organisations_in(conn, [org_id])[org_id])
        _restore(store, conn, changes[0], actor, current)
    return True


def _restore(store: Store, conn: sa.Connection, change: dict, actor: str,
             current: dict) -> None:
    before = change["before"] or {}
    values = {k: before.get(k) for k in (*EDITABLE, "geocode_status", "location_note")
              if k in before}
    now = store.rewrite_organisation(conn, change["organisation_id"], values, current)
    after = dict(current, **values, upload=change["after"].get("upload"))
    conn.execute(audit_log.insert().values(**audit_entry(
        actor, "restore", change["organisation_id"], current, after, now)))
