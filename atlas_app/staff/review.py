"""The review queue as a work tool: act on many waiting organisations at once — publish,
hold, archive, or set their sector or kind — each action one transaction with one audit
entry per organisation changed."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from atlas_app.errors import UsageError
from atlas_app.registry.review import ReviewFilter, review_ids
from atlas_app.registry.schema import KINDS, Taxonomy
from atlas_app.registry.store import Store
from atlas_app.staff.edits import apply_to_many, set_status

# Action → the status it sets, or the field it classifies.
STATUS_OF = {"publish": "published", "hold": "pending", "archive": "archived"}
CLASSIFY = ("sector", "kind")
ACTIONS = (*STATUS_OF, "classify")


def classify(store: Store, org_ids: Iterable[int], actor: str, values: dict[str, str],
             *, conn: sa.Connection | None = None) -> list[int]:
    """Set the sector and/or the kind of many organisations in one transaction, one
    audit entry ("classify") each; returns the ids that changed."""
    values = {k: v for k, v in values.items() if v}
    if not values or set(values) - set(CLASSIFY):
        raise UsageError(f"choose a value for {' or '.join(CLASSIFY)}, instead got: {values!r}")
    if values.get("kind", KINDS[0]) not in KINDS:
        raise UsageError(f"kind must be one of {', '.join(KINDS)}, instead got: "
                         f"{values['kind']!r}")
    ids = list(dict.fromkeys(int(i) for i in org_ids))
    with store.write(conn) as conn:
        before = store.organisations_in(conn, ids)
        changed = [i for i in ids if i in before
                   and any(before[i][k] != v for k, v in values.items())]
        apply_to_many(store, conn, changed, before, values, actor, "classify")
    return changed


def act_on_review(store: Store, action: str, actor: str, *,
                  ids: Iterable[int] | None = None, matching: ReviewFilter | None = None,
                  sector: str | None = None, kind: str | None = None,
                  reason: str | None = None, taxonomy: Taxonomy | None = None) -> list[int]:
    """Apply one review action (publish, hold, archive, or classify with a ``sector``
    and/or a ``kind``; a sector is checked against ``taxonomy``) to the chosen organisations (``ids``) or to every one that
    matches a filter (``matching``, read inside the same transaction). Returns the ids
    that changed."""
    if action not in ACTIONS:
        raise UsageError(f"action must be one of {', '.join(ACTIONS)}, instead got: {action!r}")
    if (ids is None) == (matching is None):
        raise UsageError("give either ids or a filter")
    if sector and (taxonomy is None or sector not in taxonomy.ids):
        raise UsageError(f"sector must be one of the taxonomy's, instead got: {sector!r}")
    with store.write() as conn:
        target = list(ids) if ids is not None else review_ids(conn, matching)
        if not target:
            return []
        if action in STATUS_OF:
            return set_status(store, target, STATUS_OF[action], actor, reason=reason,
                              conn=conn)
        return classify(store, target, actor, {"sector": sector, "kind": kind}, conn=conn)
