"""Staff edits that leave a trace: who, when, what, and the values before and after."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import sqlalchemy as sa

from atlas_app.errors import ConflictError, UnclassifiedError, UsageError
from atlas_app.registry.schema import DESCRIPTION_FIELDS, FIELD_NAMES, STATUSES
from atlas_app.registry.store import Store, utcnow
from atlas_app.registry.tables import audit_log, organisations


def jsonable(row: dict | None) -> dict | None:
    if row is None:
        return None
    return {k: (v.isoformat() if isinstance(v, dt.datetime) else v) for k, v in row.items()
            if k in FIELD_NAMES}


def audit_entry(actor: str, action: str, org_id: int, before: dict | None,
               after: dict | None, now: dt.datetime) -> dict:
    """One audit entry: ``before`` is a row, ``after`` already JSON-ready."""
    return {"at": now, "actor": actor, "action": action, "organisation_id": org_id,
            "before": jsonable(before), "after": after}


def add_organisation(store: Store, record: dict, actor: str) -> int:
    """Add one validated organisation with its audit entry, in one transaction."""
    with store.write() as conn:
        [org_id], _ = store.add_organisations([record], created_by=actor, conn=conn)
        after = store.organisations_in(conn, [org_id])[org_id]
        conn.execute(audit_log.insert().values(
            **audit_entry(actor, "create", org_id, None, jsonable(after), utcnow())))
    return org_id


STATUS_ACTIONS = {"archived": "archive", "published": "publish", "pending": "hold"}


def set_status(store: Store, org_ids: int | Iterable[int], status: str, actor: str,
               reason: str | None = None, *, conn: sa.Connection | None = None) -> list[int]:
    """Publish, hold back (pending) or archive one or many organisations — never
    deletes. One transaction: the rows, as read inside it, and one audit entry each
    (``reason``, e.g. why a suggestion was rejected, kept in it). Returns the ids whose
    status changed. Publishing an organisation without a sector or a kind raises
    :class:`UnclassifiedError` and publishes none."""
    if status not in STATUSES:
        raise UsageError(f"status must be one of {', '.join(STATUSES)}, instead got: {status!r}")
    ids = [org_ids] if isinstance(org_ids, int) else [int(i) for i in org_ids]
    with store.write(conn) as conn:
        before = store.organisations_in(conn, ids)
        missing = [i for i in ids if i not in before]
        if missing:
            raise UsageError(f"no organisation #{missing[0]}")
        changed = [i for i in dict.fromkeys(ids) if before[i]["status"] != status]
        if status == "published":
            unclassified = [i for i in changed
                            if before[i]["kind"] is None or before[i]["sector"] is None]
            if unclassified:
                raise UnclassifiedError(unclassified)
        apply_to_many(store, conn, changed, before, {"status": status}, actor,
                      STATUS_ACTIONS[status], reason)
    return changed


def apply_to_many(store: Store, conn: sa.Connection, changed: list[int],
                  before: dict[int, dict], values: dict, actor: str, action: str,
                  reason: str | None = None) -> None:
    """Inside ``conn``'s write: set ``values`` on the ``changed`` organisations (read as
    ``before`` in the same transaction), one audit entry each (``reason`` kept in it); the
    revision moves when one of them is, or becomes, public."""
    if not changed:
        return
    now = utcnow()
    for start in range(0, len(changed), 1000):  # bound the IN list
        conn.execute(organisations.update()
                     .where(organisations.c.id.in_(changed[start:start + 1000]))
                     .values(**values, updated_at=now))
    audit = []
    for org_id in changed:
        after = jsonable(dict(before[org_id], **values))
        if reason:
            after["reason"] = reason[:500]
        audit.append(audit_entry(actor, action, org_id, before[org_id], after, now))
    conn.execute(audit_log.insert(), audit)
    store.mark_public(conn, values.get("status") == "published" or any(
        before[i]["status"] == "published" for i in changed))


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


def describe_values(change: dict, side: str, limit: int = 80) -> str:
    """One side ("before" or "after") of an audit entry's changes, as text:
    ``sector: health; status: pending`` (long values cut, an empty value as ``—``).
    A creation lists no "before"; its "after" names only the key fields."""
    values = change.get(side) or {}
    fields = changed_fields(change)
    if change.get("before") is None:
        fields = [f for f in ("name", "status", "kind", "sector", "country", "city")
                  if f in fields]
    parts = []
    for name in fields:
        if name not in values and side == "before":
            continue
        value = values.get(name)
        text = "—" if value in (None, "", []) else (
            "; ".join(map(str, value)) if isinstance(value, list) else str(value))
        parts.append(f"{name}: {text if len(text) <= limit else text[:limit - 1] + '…'}")
    return "; ".join(parts)


SUGGESTION_SOURCE = "public suggestion"
SUGGESTION_ACTOR = "public suggestion form"
SUGGESTIONS_PER_HOUR = 30      # from everybody: the review queue's pace
SUGGESTIONS_PER_CLIENT = 5     # from one client (see accounts.client_tag), per hour


def suggestions_last_hour(store: Store, client: str | None = None) -> int:
    """Suggestions received in the last hour — from everybody, or from ``client``."""
    since = utcnow() - dt.timedelta(hours=1)
    with store.engine.connect() as conn:
        if client is not None:
            return conn.execute(sa.select(sa.func.count()).select_from(audit_log).where(
                audit_log.c.actor == _suggestion_actor(client), audit_log.c.at >= since)
            ).scalar()
        return conn.execute(sa.select(sa.func.count()).select_from(organisations).where(
            organisations.c.source == SUGGESTION_SOURCE,
            organisations.c.created_at >= since)).scalar()


def suggestions_open(store: Store, client: str | None) -> bool:
    """Whether a suggestion from ``client`` may be taken now (its own hourly quota, then
    everybody's)."""
    if client is not None and suggestions_last_hour(store, client) >= SUGGESTIONS_PER_CLIENT:
        return False
    return suggestions_last_hour(store) < SUGGESTIONS_PER_HOUR


def _suggestion_actor(client: str | None) -> str:
    return SUGGESTION_ACTOR + (f" · {client}" if client else "")


def add_suggestion(store: Store, record: dict, client: str | None = None) -> int:
    """A visitor's suggestion: always pending, marked as such, recorded in the audit log
    with the pseudonym of the client it came from."""
    record = dict(record, status="pending", source=SUGGESTION_SOURCE)
    return add_organisation(store, record, _suggestion_actor(client))


EDITABLE = ("name", *DESCRIPTION_FIELDS, "website", "email", "kind", "sector",
            "tags", "legal_form", "country", "city", "postcode", "address", "latitude",
            "longitude", "location_precision", "location_source")


def update_organisation(store: Store, org_id: int, record: dict, actor: str,
                        typed_location: bool = True, *, expected: dict | None = None,
                        fields: Iterable[str] | None = None, upload: int | None = None,
                        conn: sa.Connection | None = None) -> list[str]:
    """Apply a validated edit in one transaction with its audit entry; return the
    changed fields.

    ``expected`` is the organisation as the editor loaded it: when someone changed it
    meanwhile, :class:`ConflictError` says what changed and nothing is written (no lost
    update). ``fields`` limits the edit to those fields, and only where the record has a
    value (an upload updating an entry fills in what its file gives, never blanks the
    rest); ``upload`` names that upload in the audit, so undoing it restores the entry.
    Coordinates typed by staff become ``manual`` (never overwritten by geocoding); with
    ``typed_location=False`` the record's own location source is kept.
    """
    with store.write(conn) as conn:
        before = store.organisations_in(conn, [org_id]).get(org_id)
        if before is None:
            raise UsageError(f"no organisation #{org_id}")
        if expected is not None:
            # Status changes (publish, hold, archive) do not touch the edited fields.
            moved_on = [k for k in EDITABLE if k in expected
                        and comparable(expected.get(k)) != comparable(before.get(k))]
            if moved_on:
                raise ConflictError(org_id, moved_on, before)
        values = _edit_values(before, record, actor, typed_location, fields)
        after = dict(before, **{k: v for k, v in values.items() if k in before})
        changed = [k for k in EDITABLE if comparable(before.get(k)) != comparable(after.get(k))]
        if not changed:
            return []
        now = store.rewrite_organisation(conn, org_id, values, before)
        audited = jsonable(after)
        if upload is not None:
            audited["upload"] = upload
        conn.execute(audit_log.insert().values(**audit_entry(
            actor, "edit" if upload is None else "update-from-upload", org_id, before,
            audited, now)))
    return changed


def comparable(value):
    return tuple(value) if isinstance(value, list) else value


def _edit_values(before: dict, record: dict, actor: str, typed_location: bool,
                 fields: Iterable[str] | None) -> dict:
    """The column values an edit writes (location bookkeeping included)."""
    if fields is None:
        values = {k: record.get(k) for k in EDITABLE}
    else:
        given = {k for k in fields if record.get(k) not in (None, "", [])}
        if {"latitude", "longitude"} <= given:
            given |= {"location_precision", "location_source"}
        values = {k: record.get(k) if k in given else before.get(k) for k in EDITABLE}
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
    return values


def registry_duplicates(store: Store, limit: int = 50) -> list[tuple[int, int, str]]:
    """Possible duplicates among organisations not archived: (newer id, older id, why)."""
    from atlas_app.intake.duplicates import Candidate, DuplicateIndex
    from atlas_app.registry.lookups import identities

    index = DuplicateIndex()
    pairs = []
    for identity in identities(store, ("published", "pending")):
        candidate = Candidate(*identity)
        match = index.match(candidate)
        if match is not None:
            pairs.append((candidate.ref, match[0], match[1]))
            if len(pairs) >= limit:
                break
        index.add(candidate)
    return pairs
