"""Issue 15: a file without a sector or a kind may go to review unclassified — the registry
keeps such rows pending, refuses to publish them (the database too), and the review
queue's bulk "set sector/kind" classifies them; on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from atlas_app.errors import MappingError, StoreError, UnclassifiedError
from atlas_app.intake.columns import ColumnMapping
from atlas_app.intake.pipeline import ImportOptions, import_bytes
from atlas_app.registry.review import ReviewFilter, review_facets, review_page
from atlas_app.registry.store import Store
from atlas_app.staff.edits import recent_changes, set_status
from atlas_app.staff.review import act_on_review
from tests.support.factories import old_registry, record

ANA = "ana@example.org"
FILE = ("name,city,country\n"
        "Alpha,Lyon,FR\n"
        "Beta,Gent,BE\n"
        "Gamma,Wien,AT\n").encode()


def _import(store, taxonomy, settings, mapping, **options):
    return import_bytes(FILE, "no-sector.csv", store, taxonomy, settings,
                        ImportOptions(mapping=mapping, **options))


def test_rows_without_sector_or_kind_wait_unclassified_and_are_never_published(
        store, taxonomy, settings):
    with pytest.raises(MappingError, match="missing required column"):
        _import(store, taxonomy, settings, ColumnMapping(constants={"kind": "support"}))
    # Asked to publish at once, the unclassified rows still land as pending.
    report = _import(store, taxonomy, settings,
                     ColumnMapping(constants={"kind": "support"},
                                   unclassified=frozenset({"sector"})), status="published")
    assert (report.accepted, report.rejected, report.written) == (3, 0, 3)
    rows = store.frame(statuses=None)
    assert set(rows["status"]) == {"pending"} and set(rows["sector"]) == {None}
    assert set(rows["kind"]) == {"support"}
    assert store.frame().empty, "nothing on the public map"

    revision = store.revision()
    ids = report.ids
    with pytest.raises(UnclassifiedError) as refused:
        act_on_review(store, "publish", ANA, matching=ReviewFilter())
    assert refused.value.params["count"] == 3 and "#" in refused.value.params["ids"]
    with pytest.raises(UnclassifiedError):
        set_status(store, ids[0], "published", ANA)
    assert store.revision() == revision and store.frame().empty
    assert not [c for c in recent_changes(store) if c["action"] == "publish"]

    # The review queue finds them and classifies them in one go; then they publish.
    assert review_facets(store)["unclassified"] == 3
    rows, total = review_page(store, ReviewFilter(unclassified=True))
    assert total == 3 and [r["id"] for r in rows] == ids
    assert act_on_review(store, "classify", ANA, matching=ReviewFilter(unclassified=True),
                         sector="open-tech", taxonomy=taxonomy) == ids
    assert review_page(store, ReviewFilter(unclassified=True))[1] == 0
    assert act_on_review(store, "publish", ANA, matching=ReviewFilter()) == ids
    assert set(store.frame()["sector"]) == {"open-tech"}
    assert store.revision() == revision + 1


def test_the_database_itself_refuses_a_published_unclassified_row(store):
    [pending], _ = store.add_organisations([record(sector=None, kind=None, status="pending")])
    assert store.get_organisation(pending)["sector"] is None
    with pytest.raises(StoreError):
        store.add_organisations([record(name="Published", sector=None, status="published")])
    with pytest.raises(sa.exc.IntegrityError):
        with store.engine.begin() as conn:
            conn.execute(sa.text("UPDATE organisations SET status = 'published' "
                                 "WHERE id = :id"), {"id": pending})
    assert store.get_organisation(pending)["status"] == "pending"


def test_only_kind_and_sector_may_be_left_for_review(sqlite_store, taxonomy, settings):
    with pytest.raises(MappingError, match="only kind and sector"):
        _import(sqlite_store, taxonomy, settings,
                ColumnMapping(unclassified=frozenset({"country"})))


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_migration_0014_keeps_rows_ids_and_the_search(tmp_path, request, backend):
    """0014 makes kind and sector nullable; SQLite copies the table, which must keep
    AUTOINCREMENT, the highest id given and the search index's triggers."""
    from alembic import command

    from atlas_app.registry.lookups import find_organisations

    old = old_registry(tmp_path, request, backend, "0012")
    old.upgrade()
    assert old.schema_is_current()
    assert {o["name"] for o in old.frame()["name"].to_frame().to_dict("records")} == {
        "Org 1", "Org 2"}
    ids, _ = old.add_organisations([record(name="Sans Secteur", sector=None, kind=None,
                                           status="pending")])
    assert ids[0] > 3
    assert [o["id"] for o in find_organisations(old, "sans secteur")] == ids
    # Down again: the unclassified row is archived with placeholder values, not lost.
    command.downgrade(old._alembic_config(), "0012")
    with old.engine.connect() as conn:
        status = conn.execute(sa.text("SELECT status FROM organisations WHERE id = :id"),
                              {"id": ids[0]}).scalar()
    assert status == "archived"
    old.dispose()


def test_atlas_import_sends_rows_to_review_unclassified(tmp_path, monkeypatch, capsys):
    from atlas_app.cli import main

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("ATLAS_DATABASE_URL", url)
    assert main(["init"]) == 0
    path = tmp_path / "no-sector.csv"
    path.write_bytes(FILE)
    assert main(["import", str(path), "--set", "kind=solution"]) == 2, "sector missing"
    assert main(["import", str(path), "--set", "kind=solution", "--unclassified", "sector"]) == 0
    assert "3 organisations written" in capsys.readouterr().out
    store = Store(url)
    rows = store.frame(statuses=None)
    store.dispose()
    assert set(rows["status"]) == {"pending"} and set(rows["sector"]) == {None}
