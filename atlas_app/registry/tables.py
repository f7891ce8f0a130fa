"""The database tables (SQLAlchemy Core). Migrations in ``migrations/`` create them."""

from __future__ import annotations

import sqlalchemy as sa

from atlas_app.registry.schema import KINDS, LOCATION_SOURCES, PRECISIONS, STATUSES

metadata = sa.MetaData()


def _enum_check(column: str, values: tuple[str, ...]) -> sa.CheckConstraint:
    allowed = ", ".join(f"'{v}'" for v in values)
    return sa.CheckConstraint(f"{column} IN ({allowed})", name=f"ck_organisations_{column}")


import_batches = sa.Table(
    "import_batches", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("filename", sa.String(500), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False, index=True),
    sa.Column("source", sa.String(500)),
    sa.Column("row_count", sa.Integer, nullable=False),
    sa.Column("created_by", sa.String(254)),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sqlite_autoincrement=True,
)

organisations = sa.Table(
    "organisations", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(200), nullable=False),
    # What it does, by language: {"en": "…", "de": "…"} (migration 0013). Files, forms and
    # frames spell them description_<lang>; the store packs and unpacks them.
    sa.Column("descriptions", sa.JSON, nullable=False, server_default="{}"),
    sa.Column("website", sa.String(500)),
    sa.Column("email", sa.String(254)),
    # Empty while an organisation waits for review unclassified (migration 0014), never
    # once it is published (ck_organisations_classified).
    sa.Column("kind", sa.String(16)),
    sa.Column("sector", sa.String(64), index=True),
    sa.Column("tags", sa.JSON, nullable=False),
    sa.Column("legal_form", sa.String(200)),
    sa.Column("country", sa.String(2), nullable=False, index=True),
    sa.Column("city", sa.String(200), nullable=False),
    sa.Column("postcode", sa.String(20)),
    sa.Column("address", sa.Text),
    sa.Column("latitude", sa.Float),
    sa.Column("longitude", sa.Float),
    sa.Column("location_precision", sa.String(16), nullable=False),
    sa.Column("location_source", sa.String(16), nullable=False),
    sa.Column("location_note", sa.Text),
    sa.Column("geocode_status", sa.String(16), nullable=False, server_default="todo",
              index=True),
    sa.Column("status", sa.String(16), nullable=False, index=True),
    sa.Column("source", sa.String(500)),
    sa.Column("batch_id", sa.Integer, sa.ForeignKey("import_batches.id")),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    _enum_check("kind", KINDS),
    _enum_check("status", STATUSES),
    _enum_check("location_precision", PRECISIONS),
    _enum_check("location_source", LOCATION_SOURCES),
    sa.CheckConstraint("(latitude IS NULL) = (longitude IS NULL)",
                       name="ck_organisations_coordinates_pair"),
    sa.CheckConstraint("status <> 'published' OR (kind IS NOT NULL AND sector IS NOT NULL)",
                       name="ck_organisations_classified"),
    # The public queries (migration 0005): filters, and a map view's bounding box.
    sa.Index("ix_organisations_public_filters", "status", "country", "sector", "kind"),
    sa.Index("ix_organisations_public_position", "status", "latitude", "longitude"),
    # Duplicate detection looks candidates up by these keys (migration 0006), computed by
    # the store from the website and the city on every write.
    sa.Column("website_host", sa.String(253)),
    sa.Column("city_key", sa.String(200)),
    sa.Index("ix_organisations_website_host", "website_host"),
    sa.Index("ix_organisations_place", "country", "city_key"),
    # The staff pages' "most recently changed" (migration 0007, with the search indexes).
    sa.Index("ix_organisations_updated_at", "updated_at"),
    # Name and city folded, what the staff search looks in (migration 0008).
    sa.Column("search_key", sa.String(400)),
    sqlite_autoincrement=True,
)

geocode_cache = sa.Table(
    "geocode_cache", metadata,
    sa.Column("provider", sa.String(32), primary_key=True),
    sa.Column("query", sa.String(700), primary_key=True),
    sa.Column("found", sa.Boolean, nullable=False),
    sa.Column("latitude", sa.Float),
    sa.Column("longitude", sa.Float),
    sa.Column("precision", sa.String(16)),
    sa.Column("label", sa.String(500)),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

registry_meta = sa.Table(
    "registry_meta", metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.String(200), nullable=False),
)

staff_accounts = sa.Table(
    "staff_accounts", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("email", sa.String(254), nullable=False, unique=True),
    sa.Column("password_hash", sa.String(200), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sqlite_autoincrement=True,
)

staff_sessions = sa.Table(
    "staff_sessions", metadata,
    sa.Column("token", sa.String(64), primary_key=True),
    sa.Column("account_id", sa.Integer, sa.ForeignKey("staff_accounts.id", ondelete="CASCADE"),
              nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("revoked_at", sa.DateTime(timezone=True)),
    # When the session was last used (migration 0012): an idle session ends.
    sa.Column("last_seen_at", sa.DateTime(timezone=True)),
)

auth_log = sa.Table(
    "auth_log", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("email", sa.String(254), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("outcome", sa.String(16), nullable=False),
    sa.Index("ix_auth_log_email_at", "email", "at"),
    # A pseudonym of where the attempt came from (migration 0009): see accounts.client_tag.
    sa.Column("client", sa.String(64)),
    sa.Index("ix_auth_log_client_at", "client", "at"),
)

audit_log = sa.Table(
    "audit_log", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("actor", sa.String(254), nullable=False),
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("organisation_id", sa.Integer, index=True),
    sa.Column("before", sa.JSON),
    sa.Column("after", sa.JSON),
    sa.Index("ix_audit_log_actor_at", "actor", "at"),
)

source_mappings = sa.Table(
    "source_mappings", metadata,
    sa.Column("name", sa.String(200), primary_key=True),
    sa.Column("columns", sa.JSON, nullable=False),
    sa.Column("constants", sa.JSON, nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_by", sa.String(254)),
)

duplicate_decisions = sa.Table(
    "duplicate_decisions", metadata,
    sa.Column("key", sa.String(600), primary_key=True),
    sa.Column("decision", sa.String(16), nullable=False),
    sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("decided_by", sa.String(254)),
)
