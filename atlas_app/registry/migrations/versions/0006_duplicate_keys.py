"""Keys for duplicate detection: the website's host and the city's spelling key, indexed.

An import compares its rows with the organisations that share a website host or a place;
with these indexes it looks those up instead of reading the whole registry. Existing rows
are keyed here, in batches.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

BATCH = 5000


def upgrade() -> None:
    from atlas_app.registry.keys import identity_keys

    op.add_column("organisations", sa.Column("website_host", sa.String(253)))
    op.add_column("organisations", sa.Column("city_key", sa.String(200)))
    conn = op.get_bind()
    table = sa.table("organisations", sa.column("id", sa.Integer),
                     sa.column("website", sa.String), sa.column("city", sa.String),
                     sa.column("website_host", sa.String), sa.column("city_key", sa.String))
    last = 0
    while True:
        rows = conn.execute(sa.select(table.c.id, table.c.website, table.c.city)
                            .where(table.c.id > last).order_by(table.c.id).limit(BATCH)).all()
        if not rows:
            break
        conn.execute(table.update().where(table.c.id == sa.bindparam("row_id"))
                     .values(website_host=sa.bindparam("host"), city_key=sa.bindparam("key")),
                     [{"row_id": row.id, "host": keys["website_host"], "key": keys["city_key"]}
                      for row in rows
                      for keys in [identity_keys({"website": row.website, "city": row.city})]])
        last = rows[-1].id
    op.create_index("ix_organisations_website_host", "organisations", ["website_host"])
    op.create_index("ix_organisations_place", "organisations", ["country", "city_key"])


def downgrade() -> None:
    op.drop_index("ix_organisations_place", table_name="organisations")
    op.drop_index("ix_organisations_website_host", table_name="organisations")
    op.drop_column("organisations", "city_key")
    op.drop_column("organisations", "website_host")
