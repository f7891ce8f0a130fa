"""The review queue as a work tool, on SQLite and PostgreSQL: filter the waiting
organisations, then publish, archive or classify many at once — one transaction, one
audit entry each."""

from __future__ import annotations

import pytest

from atlas_app.errors import UsageError
from atlas_app.registry.review import ReviewFilter, review_facets, review_page
from atlas_app.staff.edits import recent_changes
from atlas_app.staff.review import act_on_review
from tests.support.factories import record

ANA = "ana@example.org"


@pytest.fixture
def queue(store):
    """Two uploads waiting: six French health rows and four Belgian ones."""
    first, batch_1 = store.add_organisations(
        [record(name=f"FR {i}", country="FR", sector="health", status="pending",
                source="Partner")
         for i in range(6)], filename="partner.csv", sha256="a")
    second, batch_2 = store.add_organisations(
        [record(name=f"BE {i}", country="BE", sector="health", status="pending",
                source="SSEDAS")
         for i in range(4)], filename="ssedas.geojson", sha256="b")
    return store, first, second, batch_1, batch_2


def test_filters_narrow_the_queue_and_offer_only_present_values(queue):
    store, first, second, batch_1, batch_2 = queue
    rows, total = review_page(store, ReviewFilter(country="BE"))
    assert total == 4 and [r["id"] for r in rows] == second
    assert review_page(store, ReviewFilter(batch=batch_1, source="Partner"))[1] == 6
    assert review_page(store, ReviewFilter(source="Partner", country="BE"))[1] == 0
    rows, total = review_page(store, ReviewFilter(), limit=3)
    assert (len(rows), total) == (3, 10)
    facets = review_facets(store)
    assert facets["country"] == ["BE", "FR"] and facets["source"] == ["Partner", "SSEDAS"]
    assert facets["batch"] == [(batch_2, "ssedas.geojson"), (batch_1, "partner.csv")]


def test_classify_and_publish_everything_that_matches(queue, taxonomy):
    store, first, second, _b1, batch_2 = queue
    revision = store.revision()
    changed = act_on_review(store, "classify", ANA, matching=ReviewFilter(batch=batch_2),
                            sector="open-tech", kind="solution", taxonomy=taxonomy)
    assert changed == second and store.revision() == revision, "pending: nothing public"
    assert {(store.get_organisation(i)["sector"], store.get_organisation(i)["kind"])
            for i in second} == {("open-tech", "solution")}
    classified = [c for c in recent_changes(store) if c["action"] == "classify"]
    assert sorted(c["organisation_id"] for c in classified) == second
    assert {(c["before"]["sector"], c["after"]["sector"]) for c in classified} == {
        ("health", "open-tech")}

    assert act_on_review(store, "publish", ANA,
                         matching=ReviewFilter(sector="open-tech")) == second
    assert store.revision() == revision + 1, "one publication, one revision step"
    assert review_page(store, ReviewFilter())[1] == 6
    assert act_on_review(store, "archive", ANA, ids=first[:2], reason="not social tech") \
        == first[:2]
    assert review_page(store, ReviewFilter())[1] == 4


def test_a_bad_action_changes_nothing(queue, taxonomy):
    store, first, *_ = queue
    with pytest.raises(UsageError):
        act_on_review(store, "classify", ANA, ids=first, kind="neither")
    with pytest.raises(UsageError):
        act_on_review(store, "classify", ANA, ids=first)
    with pytest.raises(UsageError):
        act_on_review(store, "classify", ANA, ids=first, sector="food", taxonomy=taxonomy)
    with pytest.raises(UsageError):
        act_on_review(store, "publish", ANA)
    assert review_page(store, ReviewFilter(kind="support"))[1] + \
        review_page(store, ReviewFilter(kind="solution"))[1] == 10
    assert not [c for c in recent_changes(store) if c["organisation_id"] in first]
