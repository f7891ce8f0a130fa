"""What uploads remember between files: column mappings per source, and the staff's
decisions about possible duplicates (so the same pair is not asked about twice)."""

from __future__ import annotations

import sqlalchemy as sa

from atlas_app.intake.columns import ColumnMapping
from atlas_app.registry.store import Store, utcnow
from atlas_app.registry.tables import duplicate_decisions, source_mappings
from atlas_app.text import name_key, normalise_header, website_key


def save_mapping(store: Store, name: str, mapping: ColumnMapping, actor: str,
                 conn: sa.Connection | None = None) -> None:
    """Remember a mapping under a name (replacing one of that name); ``conn``: as part
    of an enclosing write, e.g. the upload's own commit."""
    name = name.strip()[:200]
    if not name:
        return
    with store.write(conn) as conn:
        conn.execute(source_mappings.delete().where(source_mappings.c.name == name))
        conn.execute(source_mappings.insert().values(
            name=name, columns=dict(mapping.columns), constants=dict(mapping.constants),
            updated_at=utcnow(), updated_by=actor))


def saved_mappings(store: Store) -> dict[str, ColumnMapping]:
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(source_mappings).order_by(source_mappings.c.name)).all()
    return {r.name: ColumnMapping(dict(r.columns), dict(r.constants)) for r in rows}


def best_mapping(saved: dict[str, ColumnMapping], headers: list[str]) -> str | None:
    """The saved mapping that fits a file's header: every column it maps is in the file,
    and it maps the most of them (the next file of the same source). None when none fits."""
    present = {normalise_header(h) for h in headers}
    fits = []
    for name, mapping in saved.items():
        mapped = {normalise_header(h) for h in mapping.columns}
        if mapped and mapped <= present:
            fits.append((-len(mapped), name))
    return min(fits)[1] if fits else None


def duplicate_key(record: dict) -> str:
    """What identifies "this organisation" across uploads: its website domain, else its
    name in its place."""
    site = website_key(record.get("website"))
    if site:
        return f"site:{site}"
    return f"name:{record.get('country')}|{name_key(record.get('city') or '')}|" \
           f"{name_key(record.get('name') or '')}"[:600]


def remember_decisions(store: Store, decisions: dict[str, str], actor: str,
                       conn: sa.Connection | None = None) -> None:
    """Remember what staff decided about possible duplicates (``conn``: as part of an
    enclosing write, e.g. the upload's own commit)."""
    if not decisions:
        return
    with store.write(conn) as conn:
        conn.execute(duplicate_decisions.delete().where(
            duplicate_decisions.c.key.in_(list(decisions))))
        conn.execute(duplicate_decisions.insert(), [
            {"key": k, "decision": v, "decided_at": utcnow(), "decided_by": actor}
            for k, v in decisions.items()])


def recalled_decisions(store: Store, keys: list[str]) -> dict[str, str]:
    if not keys:
        return {}
    with store.engine.connect() as conn:
        return dict(conn.execute(sa.select(duplicate_decisions.c.key,
                                           duplicate_decisions.c.decision)
                                 .where(duplicate_decisions.c.key.in_(keys))).all())
