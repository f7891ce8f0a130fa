"""The upload page with real-looking files (AppTest, widgets by key): mappings remembered
per source, nothing chosen for the person, bad optional values left out."""

from __future__ import annotations

from tests.support.apptest import signed_in, upload


def test_a_mapping_is_remembered_at_commit_and_proposed_for_the_next_file(staff_db):
    first = "Structure;Commune;Pays;Mél\nAlpha;Lyon;France;a@alpha.example\n".encode("cp1252")
    at = upload(signed_in(), "partner-1.csv", first)
    assert at.selectbox(key="saved-mapping").value == ""
    at.selectbox(key="map-0").set_value("name")
    at.selectbox(key="map-1").set_value("city")
    at.selectbox(key="map-3").set_value("email")
    at.selectbox(key="const-kind").set_value("solution")
    at.selectbox(key="const-sector").set_value("open-tech").run()
    at.button(key="upload-commit").click().run()
    assert staff_db.count() == 1
    second = "Structure;Commune;Pays;Mél\nBeta;Metz;France;b@beta.example\n".encode("cp1252")
    at = upload(signed_in(), "partner-2.csv", second)
    assert at.selectbox(key="saved-mapping").value == "partner-1.csv"
    assert [at.selectbox(key=f"map-{i}").value for i in range(4)] == [
        "name", "city", "country", "email"]
    assert at.selectbox(key="const-sector").value == "open-tech"
    at.selectbox(key="map-3").set_value("-").run()  # editable: this file's e-mails stay out
    at.button(key="upload-commit").click().run()
    beta = staff_db.frame(statuses=None).set_index("name").loc["Beta"]
    assert beta["email"] is None and beta["sector"] == "open-tech"


def test_an_upload_in_progress_is_resumed_after_a_reload(staff_db):
    data = "Structure;Commune;Pays\nAlpha;Lyon;France\n".encode("cp1252")
    at = upload(signed_in(), "partner.csv", data)
    at.selectbox(key="map-0").set_value("name")
    at.selectbox(key="map-1").set_value("city")
    at.selectbox(key="const-kind").set_value("support").run()
    # A reload: a new session, no file in the uploader.
    at = signed_in()
    at.switch_page("screens/upload.py").run()
    assert "You were uploading “partner\\.csv”" in at.info[0].value
    at.button(key="upload-resume").click().run()
    assert not at.exception, at.exception
    assert [at.selectbox(key=f"map-{i}").value for i in range(3)] == ["name", "city", "country"]
    assert at.selectbox(key="const-kind").value == "support"
    at.selectbox(key="const-sector").set_value("health").run()
    assert "1 rows: 1 accepted, 0 rejected." in " ".join(m.value for m in at.markdown)
    at.button(key="upload-commit").click().run()
    assert staff_db.count() == 1
    at = signed_in()
    at.switch_page("screens/upload.py").run()
    assert not at.info, "committed: nothing left to resume"


def test_a_refused_value_is_fixed_in_every_row_in_one_click(staff_db):
    data = ("name;city;country;kind;sector\n"
            "Alpha;Nicosia;Cyprys;support;health\n"
            "Beta;Limassol;Cyprys;support;Healht care\n"
            "Gamma;Larnaca;Cyprys;support;Healht care\n").encode()
    at = upload(signed_in(), "cyprus.csv", data)
    assert "3 rows: 0 accepted, 3 rejected." in " ".join(m.value for m in at.markdown)
    assert at.selectbox(key="fix-0").value == "CY", "the suggestion is chosen already"
    assert "(3 row(s))" in at.selectbox(key="fix-0").label
    assert at.selectbox(key="fix-1").value is None, "no guess for a sector"
    at.selectbox(key="fix-1").set_value("health").run()
    at.button(key="fix-apply").click().run()
    assert "3 rows: 3 accepted, 0 rejected." in " ".join(m.value for m in at.markdown)
    at.button(key="upload-commit").click().run()
    orgs = staff_db.frame(statuses=None)
    assert set(orgs["country"]) == {"CY"} and set(orgs["sector"]) == {"health"}


def test_a_staff_page_opened_without_a_live_session_says_why(staff_db):
    from tests.support.apptest import run_app

    at = run_app("screens/upload.py")  # e.g. a reload after the session expired
    assert "Please sign in again: your staff session has ended." in at.error[0].value
    assert not at.get("file_uploader")
