"""The write path (issue 14), on SQLite and PostgreSQL: each use case is one transaction
with its audit entries; the revision moves only when the public's view does; a stale
edit is refused instead of silently reverting another editor's work; an upload's updates
fill in, never blank, and undoing the upload puts them back."""

from __future__ import annotations

import pytest

from atlas_app.errors import ConflictError
from atlas_app.intake.columns import ColumnMapping
from atlas_app.intake.pipeline import ImportOptions, prepare_import
from atlas_app.intake.upload_memory import save_mapping
from atlas_app.registry.lookups import find_organisations, organisations_by_status, status_counts
from atlas_app.settings import Settings
from atlas_app.staff import edits, uploads
from atlas_app.staff.accounts import add_account
from atlas_app.staff.edits import add_organisation, recent_changes, set_status, update_organisation
from atlas_app.staff.uploads import commit_upload, restore_before_upload, undo_upload
from tests.support.factories import make_organisation, record, to_csv

ANA, BEN = "ana@example.org", "ben@example.org"


def test_bulk_status_change_is_one_transaction_with_an_audit_entry_each(store):
    ids, _ = store.add_organisations([record(name=f"Org {i}", status="pending")
                                      for i in range(5)])
    revision = store.revision()
    assert set_status(store, ids, "archived", ANA, reason="spam") == ids
    assert store.revision() == revision, "archiving pending rows changes nothing public"
    changes = recent_changes(store)
    assert sorted(c["organisation_id"] for c in changes) == ids
    assert {(c["action"], c["after"]["reason"]) for c in changes} == {("archive", "spam")}
    assert set_status(store, ids, "archived", ANA) == [], "already archived: nothing to do"
    set_status(store, ids[:2], "published", ANA)
    assert store.revision() == revision + 1, "publishing moves the revision once"


def test_a_missing_organisation_refuses_the_whole_bulk_change(store):
    ids, _ = store.add_organisations([record(name="A", status="pending")])
    with pytest.raises(Exception, match="no organisation #999"):
        set_status(store, [ids[0], 999], "published", ANA)
    assert store.get_organisation(ids[0])["status"] == "pending" and not recent_changes(store)


def test_staff_only_writes_leave_the_public_revision_alone(store):
    revision = store.revision()
    add_account(store, BEN, "a long enough password")
    save_mapping(store, "Partner", ColumnMapping({"Structure": "name"}, {}), ANA)
    org_id = add_organisation(store, record(name="Held", status="pending"), ANA)
    update_organisation(store, org_id, dict(store.get_organisation(org_id), city="Lyon"), ANA)
    assert store.revision() == revision
    add_organisation(store, record(name="Shown", status="published"), ANA)
    assert store.revision() == revision + 1


def test_a_failing_audit_leaves_no_organisation_behind(store, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("audit down")

    monkeypatch.setattr(edits, "audit_entry", broken)
    with pytest.raises(RuntimeError):
        add_organisation(store, record(name="Half"), ANA)
    assert store.count() == 0, "the row and its audit entry are written together or not at all"


def test_a_stale_edit_is_refused_and_can_be_redone_on_the_new_version(store):
    org_id = add_organisation(store, record(name="Coop", city="Paris"), ANA)
    ana_sees = store.get_organisation(org_id)
    ben_sees = store.get_organisation(org_id)
    update_organisation(store, org_id, dict(ana_sees, city="Lyon"), ANA, expected=ana_sees)
    with pytest.raises(ConflictError) as refused:
        update_organisation(store, org_id, dict(ben_sees, name="Coop!"), BEN, expected=ben_sees)
    assert refused.value.fields == ["city"] and refused.value.current["city"] == "Lyon"
    assert store.get_organisation(org_id)["name"] == "Coop", "nothing of Ben's was written"
    now = refused.value.current
    assert update_organisation(store, org_id, dict(now, name="Coop!"), BEN,
                               expected=now) == ["name"]
    org = store.get_organisation(org_id)
    assert (org["name"], org["city"]) == ("Coop!", "Lyon"), "both edits kept"


def _prepared(store, taxonomy, rows, name="partner.csv", constants=None):
    mapping = ColumnMapping({}, constants or {})
    return prepare_import(to_csv(rows), name, store, taxonomy,
                          Settings(database_url=str(store.url)), ImportOptions(mapping=mapping))


def test_an_update_from_a_file_fills_in_and_undo_puts_it_back(store, taxonomy):
    [kept], _ = store.add_organisations([record(
        name="Datacoop", city="Gent", country="BE", sector="open-tech", tags=["data"],
        website="https://datacoop.example", description_fr="Coopérative de données.",
        status="published")])
    [edited], _ = store.add_organisations([record(
        name="Fablab", city="Lille", country="FR", website="https://fablab.example",
        status="published")])
    rows = [{"name": "Datacoop Gent", "website": "https://datacoop.example", "city": "Gent",
             "country": "BE", "description_en": "A data cooperative."},
            {"name": "Fablab Lille", "website": "https://fablab.example", "city": "Lille",
             "country": "FR", "description_en": ""},
            {"name": "Brand New", "website": "https://new.example", "city": "Paris",
             "country": "FR", "description_en": ""}]
    prepared = _prepared(store, taxonomy, rows, constants={"kind": "support",
                                                           "sector": "ess-networks"})
    assert prepared.file_fields == {"name", "website", "city", "country", "description_en"}
    lines = {r["name"]: line for line, r in prepared.accepted}
    done = commit_upload(store, prepared, ImportOptions(), ANA,
                         updates={lines["Datacoop Gent"]: kept, lines["Fablab Lille"]: edited},
                         decisions={"site:datacoop.example": "update"},
                         fields=set(prepared.file_fields))
    assert done.report.written == 1 and set(done.updated) == {kept, edited}
    org = store.get_organisation(kept)
    assert (org["name"], org["description_en"]) == ("Datacoop Gent", "A data cooperative.")
    assert org["description_fr"] == "Coopérative de données.", "not blanked"
    assert (org["tags"], org["sector"]) == (["data"], "open-tech"), "constants do not replace"

    fablab = store.get_organisation(edited)
    update_organisation(store, edited, dict(fablab, city="Roubaix"), BEN, expected=fablab)
    undone = undo_upload(store, done.report.batch_id, ANA)
    assert (undone.archived, undone.restored, undone.edited_since) == (1, [kept], [edited])
    org = store.get_organisation(kept)
    assert (org["name"], org["description_en"]) == ("Datacoop", None), "put back"
    assert store.get_organisation(edited)["city"] == "Roubaix", "never silently reverted"
    assert restore_before_upload(store, done.report.batch_id, edited, ANA)
    assert store.get_organisation(edited)["name"] == "Fablab"
    again = undo_upload(store, done.report.batch_id, ANA)
    assert (again.archived, again.restored, again.edited_since) == (0, [], [])


def test_an_upload_is_all_or_nothing_with_its_updates(store, taxonomy, monkeypatch):
    [existing], _ = store.add_organisations([record(name="Old", website="https://old.example")])
    prepared = _prepared(store, taxonomy, [
        make_organisation(name="Old renamed", website="https://old.example"),
        make_organisation(name="Newcomer", website="https://newcomer.example")])
    lines = {r["name"]: line for line, r in prepared.accepted}

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(uploads, "remember_decisions", broken)
    with pytest.raises(RuntimeError):
        commit_upload(store, prepared, ImportOptions(), ANA,
                      updates={lines["Old renamed"]: existing}, decisions={"k": "update"})
    assert store.count() == 1 and store.get_organisation(existing)["name"] == "Old"
    assert not recent_changes(store)


def test_staff_lookups_answer_in_sql(store):
    store.add_organisations([record(name="Café Numérique", city="Orléans", status="pending"),
                             record(name="Open Lab", city="Lyon"),
                             record(name="100% Coop", city="Nantes", status="archived")])
    assert status_counts(store) == {"pending": 1, "published": 1, "archived": 1}
    assert [o["name"] for o in find_organisations(store, "lyon")] == ["Open Lab"]
    for typed in ("orleans", "ORLÉANS", "cafe numerique", "Café-Numé", "fé nu", "ns"):
        assert [o["name"] for o in find_organisations(store, typed)] == ["Café Numérique"], \
            typed
    assert [o["name"] for o in find_organisations(store, "#1")] == ["Café Numérique"]
    assert [o["name"] for o in find_organisations(store, "100%")] == ["100% Coop"]
    assert find_organisations(store, "_") == [], "LIKE wildcards are literal"
    assert len(find_organisations(store, "")) == 3
    assert [o["name"] for o in organisations_by_status(store, ["pending"])] == ["Café Numérique"]


def test_stats_in_sql_equal_the_pandas_reference(store, taxonomy):
    from atlas_app.intake.pipeline import import_bytes
    from atlas_app.registry.lookups import registry_stats
    from atlas_app.research.stats import compute_stats
    from tests.support.factories import make_registry

    rows = make_registry(120, located_share=0.6)
    import_bytes(to_csv(rows), "r.csv", store, taxonomy, Settings(database_url=str(store.url)),
                 ImportOptions())
    set_status(store, [1, 2, 3], "pending", ANA)
    set_status(store, [4], "archived", ANA)
    assert registry_stats(store) == compute_stats(store.frame(statuses=None))


def test_the_staff_search_follows_edits(store):
    """The search index (FTS5 trigram on SQLite, pg_trgm on PostgreSQL) stays in step."""
    org_id = add_organisation(store, record(name="Fabrique Numérique", city="Roubaix"), ANA)
    assert [o["id"] for o in find_organisations(store, "brique")] == [org_id]
    org = store.get_organisation(org_id)
    update_organisation(store, org_id, dict(org, name="Atelier Libre", city="Tourcoing"), ANA,
                        expected=org)
    assert find_organisations(store, "brique") == []
    assert [o["id"] for o in find_organisations(store, "LIBRE")] == [org_id]
    assert [o["id"] for o in find_organisations(store, "tourc")] == [org_id]


def _at_once(*calls):
    """Run the calls in threads released together; what each returned or raised."""
    import threading

    start, results = threading.Barrier(len(calls)), [None] * len(calls)

    def run(i, call):
        start.wait()
        try:
            results[i] = call()
        except Exception as exc:  # noqa: BLE001 (the test inspects it)
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


@pytest.mark.parametrize("attempt", range(3))
def test_two_editors_saving_at_the_same_instant_never_lose_an_edit(store, attempt):
    """Both read version 1; both press Save at once: one is written, the other is refused
    with what changed (never a silent revert, never a database error)."""
    org_id = add_organisation(store, record(name="Coop", city="Paris"), ANA)
    seen = store.get_organisation(org_id)
    results = _at_once(
        lambda: update_organisation(store, org_id, dict(seen, city="Lyon"), ANA, expected=seen),
        lambda: update_organisation(store, org_id, dict(seen, name="Coop!"), BEN, expected=seen))
    won = [r for r in results if isinstance(r, list)]
    refused = [r for r in results if isinstance(r, ConflictError)]
    assert len(won) == 1 and len(refused) == 1, results
    org = store.get_organisation(org_id)
    assert (org["name"], org["city"]) in {("Coop", "Lyon"), ("Coop!", "Paris")}
    assert len(recent_changes(store)) == 2, "the add and the one edit written"


def test_an_upload_committed_while_another_is_undone(store, taxonomy):
    """Two staff members at once: one undoes upload A, the other commits upload B. Both
    land whole, in some order; the audit tells each story."""
    first = _prepared(store, taxonomy, [make_organisation(name=f"A{i}", website="")
                                        for i in range(30)], name="a.csv")
    a = commit_upload(store, first, ImportOptions(), ANA)
    second = _prepared(store, taxonomy, [make_organisation(name=f"B{i}", website="",
                                                           city="Lyon") for i in range(30)],
                       name="b.csv")
    results = _at_once(lambda: undo_upload(store, a.report.batch_id, ANA),
                       lambda: commit_upload(store, second, ImportOptions(), BEN))
    assert not any(isinstance(r, Exception) for r in results), results
    assert results[0].archived == 30 and results[1].report.written == 30
    frame = store.frame(statuses=None)
    by_status = frame.groupby(frame["name"].str[0])["status"].agg(set).to_dict()
    assert by_status == {"A": {"archived"}, "B": {"published"}}
    assert {(c["actor"], c["action"]) for c in recent_changes(store, limit=500)} == \
        {(ANA, "archive")}, "the undo: one audit entry per organisation archived"
    assert [(u["filename"], u["created_by"], u["live"]) for u in uploads.recent_uploads(store)] \
        == [("b.csv", BEN, 30), ("a.csv", ANA, 0)], "the uploads, each with its author"


def test_the_audit_describes_values_before_and_after():
    edit = {"before": {"name": "Lab", "sector": "health", "tags": ["a"], "email": None},
            "after": {"name": "Lab", "sector": "open-tech", "tags": ["a", "b"],
                      "email": "x@lab.example"}}
    assert edits.describe_values(edit, "before") == "email: —; sector: health; tags: a"
    assert edits.describe_values(edit, "after") == \
        "email: x@lab.example; sector: open-tech; tags: a; b"
    created = {"before": None, "after": {"name": "New", "status": "pending", "city": "Metz",
                                         "description_en": "x" * 500}}
    assert edits.describe_values(created, "before") == ""
    assert edits.describe_values(created, "after") == "name: New; status: pending; city: Metz"
