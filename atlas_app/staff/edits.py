"""Staff edits that leave a trace: who, when, what, and the values before and after."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from atlas_app.errors import UsageError
from atlas_app.registry.schema import FIELD_NAMES, STATUSES
from atlas_app.registry.store import Store, utcnow
from atlas_app.registry.tables import audit_log, organisations


def _jsonable(row: dict | None) -> dict | None:
    if row is None:
        return None
    return {k: (v.isoformat() if isinstance(v, dt.datetime) else v) for k, v in row.items()
            if k in FIELD_NAMES}


def add_organisation(store: Store, record: dict, actor: str) -> int:
    """Add one validated organisation and record it in the audit log."""
    [org_id], _ = store.add_organisations([record], created_by=actor)
    after = store.get_organisation(org_id)
    with store.write() as conn:
        conn.execute(audit_log.insert().values(at=utcnow(), actor=actor, action="create",
                                               organisation_id=org_id, before=None,
                                               after=_jsonable(after)))
    return org_id


def set_status(store: Store, org_id: int, status: str, actor: str,
               reason: str | None = None) -> None:
    """Publish, hold back (pending) or archive an organisation; never deletes it.
    ``reason`` (e.g. why a suggestion was rejected) is kept in the audit log."""
    if status not in STATUSES:
        raise UsageError(f"status must be one of {', '.join(STATUSES)}, instead got: {status!r}")
    before = store.get_organisation(org_id)
    if before is None:
        raise UsageError(f"no organisation #{org_id}")
    if before["status"] == status:
        return
    with store.write() as conn:
        conn.execute(organisations.update().where(organisations.c.id == org_id)
                     .values(status=status, updated_at=utcnow()))
        after = _jsonable(dict(before, status=status))
        if reason:
            after["reason"] = reason[:500]
        conn.execute(audit_log.insert().values(
            at=utcnow(), actor=actor, action={"archived": "archive", "published": "publish",
                                              "pending": "hold"}[status],
            organisation_id=org_id, before=_jsonable(before), after=after))


def recent_changes(store: Store, limit: int = 50, org_id: int | None = None) -> list[dict]:
    query = sa.select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
    if org_id is not None:
        query = query.where(audit_log.c.organisation_id == org_id)
    with store.engine.connect() as conn:
        return [dict(r) for r in conn.execute(query).mappings()]


def changed_fields(change: dict) -> list[str]:
    before, after = change.get("before") or {}, change.get("after") or {}
    return sorted(k for k in set(before) | set(after)
                  if before.get(k) != after.get(k) and k != "updated_at")


def recent_uploads(store: Store, limit: int = 10) -> list[dict]:
    """The latest uploads with how many of their organisations are still not archived."""
    from atlas_app.registry.tables import import_batches

    live = sa.func.sum(sa.case((organisations.c.status != "archived", 1), else_=0))
    query = (sa.select(import_batches.c.id, import_batches.c.filename,
                       import_batches.c.created_at, import_batches.c.created_by,
                       import_batches.c.row_count, live.label("live"))
             .join(organisations, organisations.c.batch_id == import_batches.c.id, isouter=True)
             .group_by(import_batches.c.id).order_by(import_batches.c.id.desc()).limit(limit))
    with store.engine.connect() as conn:
        return [dict(r) for r in conn.execute(query).mappings()]


def undo_upload(store: Store, batch_id: int, actor: str) -> int:
    """Undo an upload as a whole: archive its organisations (never deleted), each change
    recorded. Returns how many were archived."""
    with store.engine.connect() as conn:
        ids = list(conn.execute(sa.select(organisations.c.id).where(
            organisations.c.batch_id == batch_id,
            organisations.c.status != "archived")).scalars())
    for org_id in ids:
        set_status(store, org_id, "archived", actor)
    return len(ids)


SUGGESTION_SOURCE = "public suggestion"
SUGGESTIONS_PER_HOUR = 30


def suggestions_last_hour(store: Store) -> int:
    since = utcnow() - dt.timedelta(hours=1)
    with store.engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(organisations).where(
            organisations.c.source == SUGGESTION_SOURCE,
            organisations.c.created_at >= since)).scalar()


def add_suggestion(store: Store, record: dict) -> int:
    """A visitor's suggestion: always pending, marked as such, recorded in the audit log."""
    record = dict(record, status="pending", source=SUGGESTION_SOURCE)
    return add_organisation(store, record, "public suggestion form")


EDITABLE = ("name", "description_en", "description_fr", "website", "email", "kind", "sector",
            "tags", "legal_form", "country", "city", "postcode", "address", "latitude",
            "longitude", "location_precision", "location_source")


def update_organisation(store: Store, org_id: int, record: dict, actor: str,
                        typed_location: bool = True) -> list[str]:
    """Apply a validated edit; coordinates typed by staff become ``manual`` (never
    overwritten by geocoding) — with ``typed_location=False`` (an upload updating an
    entry) the record's own location source is kept. Returns the changed fields, which
    are recorded in the audit log."""
    before = store.get_organisation(org_id)
    if before is None:
        raise UsageError(f"no organisation #{org_id}")
    values = {k: record.get(k) for k in EDITABLE}
    moved = (values["latitude"], values["longitude"]) != (before["latitude"],
                                                          before["longitude"])
    if values["latitude"] is None:
        values.update(location_precision="none", location_source="none",
                      geocode_status="todo", location_note=None)
    elif moved and not typed_location:
        values.update(geocode_status=record.get("geocode_status") or "located",
                      location_note=record.get("location_note"))
    elif moved:
        values.update(location_precision="exact", location_source="manual",
                      geocode_status="located", location_note=f"set by {actor}")
    else:
        values.update(location_precision=before["location_precision"],
                      location_source=before["location_source"])
    after = dict(before, **{k: v for k, v in values.items() if k in before})
    changed = [k for k in EDITABLE if before.get(k) != after.get(k)]
    if not changed:
        return []
    with store.write() as conn:
        conn.execute(organisations.update().where(organisations.c.id == org_id)
                     .values(**values, updated_at=utcnow()))
        conn.execute(audit_log.insert().values(at=utcnow(), actor=actor, action="edit",
                                               organisation_id=org_id,
                                               before=_jsonable(before),
                                               after=_jsonable(after)))
    return changed


def registry_duplicates(store: Store, limit: int = 50) -> list[tuple[int, int, str]]:
    """Possible duplicates among organisations not archived: (newer id, older id, why)."""
    from atlas_app.intake.duplicates import Candidate, DuplicateIndex

    index = DuplicateIndex()
    pairs = []
    for identity in store.identities(("published", "pending")):
        candidate = Candidate(*identity)
        match = index.match(candidate)
        if match is not None:
            pairs.append((candidate.ref, match[0], match[1]))
            if len(pairs) >= limit:
                break
        index.add(candidate)
    return pairs


def upload_organisations(store: Store, batch_id: int) -> list[dict]:
    """The organisations an upload brought in, with their current status."""
    with store.engine.connect() as conn:
        return [dict(r) for r in conn.execute(
            sa.select(organisations.c.id, organisations.c.name, organisations.c.status)
            .where(organisations.c.batch_id == batch_id).order_by(organisations.c.id)
        ).mappings()]
