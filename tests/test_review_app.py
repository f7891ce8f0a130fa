"""The review queue on the staff workspace (AppTest, widgets by key): filter the waiting
organisations, classify and publish all that match, archive those chosen."""

from __future__ import annotations

import pytest

from atlas_app.staff.edits import recent_changes
from tests.support.apptest import pick, signed_in
from tests.support.factories import record


@pytest.fixture
def waiting(staff_db):
    """The staff registry with eight organisations waiting: five from SSEDAS, three from a
    partner."""
    store = staff_db
    store.add_organisations([record(name=f"Initiative {i}", country="FR", status="pending",
                                    sector="ess-networks", source="SSEDAS") for i in range(5)],
                            filename="ssedas.geojson", sha256="a")
    store.add_organisations([record(name=f"Partner {i}", country="BE", status="pending",
                                    source="Partner") for i in range(3)],
                            filename="partner.csv", sha256="b")
    return store


def test_filter_classify_and_publish_all_that_match(waiting):
    at = signed_in()
    at.switch_page("screens/staff.py").run()
    assert "8 waiting organisations match." in " ".join(c.value for c in at.caption)
    at.selectbox(key="review-upload").set_value(1).run()
    assert len(at.get_by_key("review-table").dataframe[0].value) == 5
    at.toggle(key="review-map").set_value(True).run()
    assert not at.exception, at.exception
    assert "0 of 5 located." in " ".join(c.value for c in at.caption)
    at.selectbox(key="review-set-sector").set_value("open-tech")
    at.selectbox(key="review-set-kind").set_value("solution").run()
    at.button(key="review-classify").click().run()
    assert not at.exception, at.exception
    assert "5 organisations classified." in at.success[0].value
    assert {(o["sector"], o["kind"]) for o in waiting.frame(statuses=("pending",)).to_dict(
        "records") if o["source"] == "SSEDAS"} == {("open-tech", "solution")}
    at.button(key="review-publish").click().run()
    assert "5 organisations published" in at.success[0].value
    assert len(waiting.frame()) == 5, "the five are on the public map"


def test_archive_those_chosen_with_a_reason(waiting):
    at = signed_in()
    at.switch_page("screens/staff.py").run()
    at.selectbox(key="review-country").set_value("BE").run()
    at.radio(key="review-scope").set_value("chosen").run()
    assert at.button(key="review-archive").disabled
    at.multiselect(key="review-chosen").set_value([6, 7]).run()
    at.text_input(key="review-bulk-reason").input("not social tech").run()
    at.button(key="review-archive").click().run()
    assert "2 organisations archived." in at.success[0].value
    archived = [c for c in recent_changes(waiting) if c["action"] == "archive"]
    assert sorted(c["organisation_id"] for c in archived) == [6, 7]
    assert {c["after"]["reason"] for c in archived} == {"not social tech"}


def test_a_file_without_sector_goes_to_review_unclassified_then_is_classified(staff_db):
    from tests.support.apptest import upload

    data = "Structure;Commune;Pays\nAlpha;Lyon;France\nBeta;Gent;Belgique\n".encode("cp1252")
    at = upload(signed_in(), "sans-secteur.csv", data)
    at.selectbox(key="map-0").set_value("name")
    at.selectbox(key="map-1").set_value("city")
    at.selectbox(key="const-kind").set_value("support")
    at.selectbox(key="const-sector").set_value("?").run()
    assert not at.exception, at.exception
    assert "without sector, as pending" in " ".join(i.value for i in at.info)
    at.toggle(key="upload-publish").set_value(True).run()  # asked for, but unclassified
    at.button(key="upload-commit").click().run()
    assert staff_db.frame().empty and len(staff_db.frame(statuses=("pending",))) == 2

    at.switch_page("screens/staff.py").run()
    at.button(key="review-publish").click().run()
    assert "Nothing was published: 2 organisations have no sector" in at.error[0].value
    at.button(key="review-approve").click().run()  # one at a time: refused as well
    assert not at.exception, at.exception
    assert "Nothing was published: 1 organisation has no sector" in at.error[0].value
    pick(at, 1)  # the edit form opens an unclassified organisation
    assert at.selectbox(key="edit-sector").value is None
    at.button(key="set-published").click().run()
    assert not at.exception and "(#1)" in at.error[0].value
    assert staff_db.frame().empty
    at.toggle(key="review-unclassified").set_value(True).run()
    at.selectbox(key="review-set-sector").set_value("open-tech").run()
    at.button(key="review-classify").click().run()
    assert "2 organisations classified." in at.success[0].value
    assert not [t for t in at.toggle if t.key == "review-unclassified"], "none left"
    at.button(key="review-publish").click().run()
    assert "2 organisations published" in at.success[0].value
    assert set(staff_db.frame()["name"]) == {"Alpha", "Beta"}
