"""The store on SQLite and on a real PostgreSQL: schema, writes, ids, atomicity, revision."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from atlas_app.errors import StoreError
from atlas_app.registry.store import Store
from atlas_app.registry.tables import organisations
from tests.support.factories import old_registry, record


def test_upgrade_is_idempotent_and_current(store):
    assert store.schema_is_current()
    revision = store.schema_revision()
    assert store.upgrade() == revision


def test_written_rows_read_back_with_their_values(store):
    ids, batch = store.add_organisations(
        [record(name="Café `Le Lab`", tags=["x", "y"], latitude=48.85, longitude=2.35,
                location_precision="exact", location_source="provided"),
         record(name="B", postcode="01000")], filename="f.csv", sha256="abc")
    first = store.get_organisation(ids[0])
    assert first["name"] == "Café `Le Lab`" and first["tags"] == ["x", "y"]
    assert (first["latitude"], first["longitude"]) == (48.85, 2.35)
    assert first["created_at"].tzinfo is not None
    assert store.get_organisation(ids[1])["postcode"] == "01000"
    assert store.find_batch("abc").id == batch and store.find_batch("abc").row_count == 2


def test_revision_changes_with_every_write(store):
    before = store.revision()
    store.add_organisations([record()])
    assert store.revision() == before + 1


def test_a_failing_row_rolls_back_the_whole_write(store):
    before = store.count()
    rows = [record(name=f"ok {i}") for i in range(5)] + [record(kind="invalid-kind")]
    with pytest.raises(StoreError, match="nothing was written"):
        store.add_organisations(rows, filename="bad.csv", sha256="bad")
    assert store.count() == before
    assert store.find_batch("bad") is None


def test_explicit_ids_are_kept_and_new_ids_never_reuse_them(store):
    ids, _ = store.add_organisations([record(id=40), record(id=7)])
    assert sorted(ids) == [7, 40]
    new_ids, _ = store.add_organisations([record(), record()])
    assert min(new_ids) > 40
    with pytest.raises(StoreError, match="already in the registry: 40"):
        store.add_organisations([record(id=40)])


def test_ids_are_never_reused_after_a_delete(store):
    ids, _ = store.add_organisations([record(), record()])
    with store.write() as conn:
        conn.execute(sa.delete(organisations).where(organisations.c.id == max(ids)))
    again, _ = store.add_organisations([record()])
    assert again[0] > max(ids)


def test_frame_filters_by_status(store):
    store.add_organisations([record(status="published"), record(status="pending"),
                             record(status="archived")])
    assert list(store.frame()["status"]) == ["published"]
    assert sorted(store.frame(statuses=None)["status"]) == ["archived", "pending", "published"]


def test_unreachable_database_is_a_store_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreError):
        Store(f"sqlite:///{blocker}/sub/atlas.db").upgrade()


def test_existing_database_is_upgraded_in_place_without_losing_rows(tmp_path):
    """An older schema (the first migration) with rows is brought to head intact."""
    from alembic import command

    url = f"sqlite:///{tmp_path / 'old.db'}"
    old = Store(url)
    cfg = old._alembic_config()
    command.upgrade(cfg, "0001")
    with old.engine.begin() as conn:
        conn.execute(organisations.insert().values(
            id=3, name="Old row", kind="solution", sector="health", tags=[], country="DE",
            city="Berlin", location_precision="none", location_source="none",
            status="published", created_at=sa.func.now(), updated_at=sa.func.now()))
    old.upgrade()
    assert old.schema_is_current()
    assert old.get_organisation(3)["name"] == "Old row"


def test_filters_and_bounds_are_narrowed_in_the_database(store):
    store.add_organisations([
        record(name="A", country="FR", sector="health", latitude=48.85, longitude=2.35,
               location_precision="exact", location_source="provided"),
        record(name="B", country="DE", sector="health", latitude=52.5, longitude=13.4,
               location_precision="exact", location_source="provided"),
        record(name="C", country="FR", sector="education", kind="solution"),
        record(name="D", country="FR", sector="health", status="pending")])
    assert list(store.frame(countries=["FR"])["name"]) == ["A", "C"]
    assert list(store.frame(sectors=["health"], kinds=["support"])["name"]) == ["A", "B"]
    assert list(store.frame(bounds=(45, -5, 51, 8))["name"]) == ["A"]
    assert list(store.frame(statuses=None, countries=["FR"], sectors=["health"])["name"]) \
        == ["A", "D"]


COUNTRIES = ("FR", "DE", "IT", "ES", "PT", "BE", "NL", "LU", "AT", "PL", "CZ", "SK", "HU",
             "RO", "BG", "GR", "HR", "SI", "DK", "SE", "FI", "EE", "LV", "LT", "IE")


@pytest.mark.parametrize("narrowing", [
    {"countries": ["FR"], "sectors": ["health"]}, {"countries": ["FR", "DE"]},
    {"bounds": (45.0, -5.0, 51.0, 8.0)}])
def test_postgresql_answers_public_queries_with_an_index(postgres_store, narrowing):
    postgres_store.add_organisations([
        record(name=f"Org {i}", country=COUNTRIES[i % len(COUNTRIES)],
               sector=("health", "education", "finance")[i % 3],
               latitude=30 + i % 40, longitude=-10 + i % 45, location_precision="exact",
               location_source="provided") for i in range(5000)])
    query = Store.frame_query(("published",), **narrowing)
    sql = str(query.compile(postgres_store.engine, compile_kwargs={"literal_binds": True}))
    with postgres_store.engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE organisations")
        # Forbid full scans: the plan must then use an index matching the predicate.
        conn.exec_driver_sql("SET enable_seqscan = off")
        plan = "\n".join(r[0] for r in conn.exec_driver_sql(f"EXPLAIN {sql}"))
    assert "Index Cond" in plan, plan  # an index answers the predicate, not a filter


def test_the_database_and_its_journal_are_private(tmp_path):
    """HOSTILE (issue 18, finding 8): database, WAL and shared memory are 0600."""
    import stat

    path = tmp_path / "private.db"
    store = Store(f"sqlite:///{path}")
    store.upgrade()
    store.add_organisations([record(name="Lab")])
    files = [path, path.with_name("private.db-wal"), path.with_name("private.db-shm")]
    modes = {f.name: stat.S_IMODE(f.stat().st_mode) for f in files if f.exists()}
    assert modes and set(modes.values()) == {0o600}, modes
    store.dispose()
    loose = tmp_path / "loose.db"
    loose.touch(mode=0o644)
    loose.chmod(0o644)
    Store(f"sqlite:///{loose}").dispose()
    assert stat.S_IMODE(loose.stat().st_mode) == 0o600, "an existing file is tightened"


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_upgrading_keys_existing_rows_for_duplicate_lookups(tmp_path, request, backend):
    """Migration 0006 keys the rows already there, so the next import finds them."""
    from alembic import command

    from atlas_app.registry.lookups import duplicate_candidates

    url = f"sqlite:///{tmp_path / 'old.db'}" if backend == "sqlite" else \
        request.getfixturevalue("postgres_url")
    old = Store(url)
    command.upgrade(old._alembic_config(), "0005")
    with old.engine.begin() as conn:
        for i, (website, city) in enumerate([("https://www.Lab.example/x", "Lisboa"),
                                             (None, "Fano (PU)"), ("http://[bad", "Köln")], 1):
            conn.execute(sa.text(
                "INSERT INTO organisations (id, name, kind, sector, tags, country, city, "
                "website, location_precision, location_source, status, created_at, "
                "updated_at) VALUES (:id, :name, 'support', 'health', '[]', 'PT', :city, "
                ":website, 'none', 'none', 'published', CURRENT_TIMESTAMP, "
                "CURRENT_TIMESTAMP)"), {"id": i, "name": f"Org {i}", "city": city,
                                        "website": website})
    old.upgrade()
    assert old.schema_is_current()
    with old.engine.connect() as conn:
        keys = conn.execute(sa.text("SELECT id, website_host, city_key FROM organisations "
                                    "ORDER BY id")).all()
    assert [tuple(k) for k in keys] == [(1, "lab.example", "lisboa"), (2, None, "fano pu"),
                                        (3, None, "koln")]
    assert [row[0] for row in duplicate_candidates(old, ["lab.example"], [])] == [1]
    assert [row[0] for row in duplicate_candidates(old, [], [("PT", "koln")])] == [3]
    # ... and migration 0008 the staff search's folded key
    from atlas_app.registry.lookups import find_organisations
    assert [o["id"] for o in find_organisations(old, "koln")] == [3]
    assert [o["id"] for o in find_organisations(old, "ORG 2")] == [2]
    command.downgrade(old._alembic_config(), "0007")
    assert [o["id"] for o in find_organisations(old, "#3")] == [3]
    old.upgrade()
    assert [o["id"] for o in find_organisations(old, "fano pu")] == [2]
    old.dispose()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_place_precisions_arrive_without_losing_ids_or_the_search(tmp_path, request, backend):
    """Migration 0011 (issue 19) widens location_precision; SQLite copies the table, which
    must keep AUTOINCREMENT, the highest id given and the search index's triggers."""
    from atlas_app.registry.lookups import find_organisations

    old = old_registry(tmp_path, request, backend, "0010")
    old.upgrade()
    assert old.schema_is_current()
    ids, _ = old.add_organisations([record(name="Quartier", city="Praha 7", country="CZ",
                                           latitude=50.10, longitude=14.44,
                                           location_precision="district",
                                           location_source="gazetteer")])
    assert ids[0] > 3
    assert old.get_organisation(ids[0])["location_precision"] == "district"
    assert [o["id"] for o in find_organisations(old, "quartier")] == ids
    with pytest.raises(sa.exc.IntegrityError):
        with old.engine.begin() as conn:
            conn.execute(sa.text("UPDATE organisations SET location_precision = 'street'"))
    old.dispose()
