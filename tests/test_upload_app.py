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
    assert "1 row — ready: 1, refused: 0" in " ".join(m.value for m in at.markdown)
    at.button(key="upload-commit").click().run()
    assert staff_db.count() == 1
    at = signed_in()
    at.switch_page("screens/upload.py").run()
    assert not at.info, "committed: nothing left to resume"


def _summary(at) -> str:
    return at.get_by_key("check-summary").children[0].value


def test_a_refused_value_is_fixed_in_every_row_in_one_click(staff_db):
    data = ("name;city;country;kind;sector\n"
            "Alpha;Nicosia;Cyprys;support;health\n"
            "Beta;Limassol;Cyprys;support;Healht care\n"
            "Gamma;Larnaca;Cyprys;support;Healht care\n").encode()
    at = upload(signed_in(), "cyprus.csv", data)
    assert "3 rows — ready: 0, refused: 3" in _summary(at)
    grid = at.get_by_key("fix-grid").dataframe[0].value
    assert list(zip(grid["line"], grid["field"], grid["value"])) == [
        (2, "Country", "Cyprys"), (3, "Sector", "Healht care"), (3, "Country", "Cyprys"),
        (4, "Sector", "Healht care"), (4, "Country", "Cyprys")]
    assert list(grid["rows"]) == [3, 2, 3, 2, 3]
    assert list(grid["suggestion"]) == ["Cyprus (CY)", "", "Cyprus (CY)", "", "Cyprus (CY)"]
    assert r"Read “Cyprys” as Cyprus \(CY\) in 3 rows" == at.button(key="fix-suggested-0").label
    at.button(key="fix-suggested-0").click().run()
    assert not at.exception, at.exception
    assert "3 rows — ready: 1, refused: 2" in _summary(at)
    grid = at.get_by_key("fix-grid").dataframe[0].value
    assert list(zip(grid["line"], grid["value"])) == [(3, "Healht care"), (4, "Healht care")]
    # A cell typed in the grid: with "every row" (ticked for a shared value), both rows.
    at.session_state[f"fix-grid-{at.session_state['fix-grid-version']}"] = {
        "edited_rows": {0: {"value": "health"}}, "added_rows": [], "deleted_rows": []}
    at.run()
    assert not at.exception, at.exception
    assert "3 rows — ready: 3, refused: 0" in _summary(at)
    assert not at.data_editor and "No problem found." in at.success[0].value
    at.button(key="upload-commit").click().run()
    orgs = staff_db.frame(statuses=None)
    assert set(orgs["country"]) == {"CY"} and set(orgs["sector"]) == {"health"}


def test_a_cell_corrected_alone_and_the_correction_survives_a_reload(staff_db):
    data = ("name;city;country;kind;sector\n"
            "Alpha;Lyon;France;support;health\n"
            "Beta;;France;support;health\n"
            "Gamma;;France;support;health\n").encode()
    at = upload(signed_in(), "cities.csv", data)
    assert "3 rows — ready: 1, refused: 2" in _summary(at)
    grid = at.get_by_key("fix-grid").dataframe[0].value
    assert list(grid["everywhere"]) == [False, False], "an empty value is never spread"
    at.session_state[f"fix-grid-{at.session_state['fix-grid-version']}"] = {
        "edited_rows": {1: {"value": "Metz"}}, "added_rows": [], "deleted_rows": []}
    at.run()
    assert "3 rows — ready: 2, refused: 1" in _summary(at)
    # A reload: the draft brings the correction back.
    at = signed_in()
    at.switch_page("screens/upload.py").run()
    at.button(key="upload-resume").click().run()
    assert not at.exception, at.exception
    assert "3 rows — ready: 2, refused: 1" in _summary(at)
    at.checkbox(key="upload-valid-only").check().run()
    at.button(key="upload-commit").click().run()
    assert set(staff_db.frame(statuses=None)["city"]) == {"Lyon", "Metz"}


def test_a_staff_page_opened_without_a_live_session_says_why(staff_db):
    from tests.support.apptest import run_app

    at = run_app("screens/upload.py")  # e.g. a reload after the session expired
    assert "Please sign in again: your staff session has ended." in at.error[0].value
    assert not at.get("file_uploader")


def test_the_grid_names_the_fields_in_the_staff_members_language(staff_db):
    from atlas_app.i18n import translator
    from atlas_app.ui.problem_words import field_words

    data = "nom;ville;pays;type;secteur\nAlpha;Nicosia;Cyprys;support;Healht care\n".encode()
    at = signed_in()
    at.session_state["lang"] = "fr"
    at = upload(at, "chypre.csv", data)
    grid = at.get_by_key("fix-grid").dataframe[0].value
    assert set(grid["field"]) == {"Pays", "Secteur"}, grid
    assert field_words("description_de", translator("fr")) == "Description (allemand)"
    assert field_words("location_note", translator("fr")) == "location_note"  # no name
