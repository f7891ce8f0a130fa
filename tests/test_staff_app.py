"""AppTest: staff sign-in, refusal when signed out, writes re-checked, audit (HOSTILE 32-35)."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from atlas_app.staff.edits import recent_changes
from tests.support.apptest import APP, PASSWORD, SUSY, pick, run_app, signed_in, suggest, upload


def test_signed_out_visitors_have_no_staff_page_and_are_refused_by_url(staff_db):
    at = run_app("screens/staff.py")
    assert "Staff workspace" not in [t.value for t in at.title]
    assert not at.get("form") and "staff-token" not in at.session_state


def test_wrong_password_is_refused_politely(staff_db):
    at = run_app("screens/signin.py")
    at.text_input(key="signin-email").input("ana@example.org")
    at.text_input(key="signin-password").input("nope")
    at.form_submit_button[0].click().run()
    assert at.error[0].value == "Wrong e-mail address or password."
    assert "staff-token" not in at.session_state


def test_staff_add_an_organisation_with_the_upload_rules(staff_db):
    at = signed_in()
    assert at.success[0].value == "Signed in as ana@example\\.org."  # Markdown-escaped
    at.switch_page("screens/staff.py").run()
    assert not at.exception
    at.text_input(key="add-name").input("Le Lab")
    at.text_input(key="add-city").input("Lyon")
    at.selectbox(key="add-country").set_value("FR")
    at.text_input(key="add-website").input("javascript:alert(1)")
    at.form_submit_button[0].click().run()
    assert any("website must be an http" in e.value for e in at.error)
    assert staff_db.count() == 0
    at.text_input(key="add-website").input("https://lelab.example")
    at.form_submit_button[0].click().run()
    assert "Added as #1." in at.success[0].value
    org = staff_db.get_organisation(1)
    assert (org["status"], org["location_source"]) == ("pending", "gazetteer")
    [change] = recent_changes(staff_db)
    assert (change["actor"], change["action"], change["after"]["name"]) == \
        ("ana@example.org", "create", "Le Lab")


def test_signing_out_in_one_tab_stops_writes_from_another(staff_db):
    staff_db.add_organisations([dict(name="Old", kind="support", sector="health",
                                     country="FR", city="Paris", tags=[], status="published",
                                     location_precision="none", location_source="none")])
    tab_one, tab_two = signed_in(), signed_in()
    pick(tab_two.switch_page("screens/staff.py").run(), 1)
    tab_one.button(key="sign-out").click().run()
    tab_two.button(key="set-archived").click().run()
    assert "Staff workspace" not in [t.value for t in tab_two.title]
    assert staff_db.get_organisation(1)["status"] == "published"
    assert recent_changes(staff_db) == []


def test_every_write_checks_the_session_again(staff_db, monkeypatch):
    """Even with the page already drawn, a write after the session ended is refused."""
    staff_db.add_organisations([dict(name="Old", kind="support", sector="health",
                                     country="FR", city="Paris", tags=[], status="published",
                                     location_precision="none", location_source="none")])
    at = signed_in()
    pick(at.switch_page("screens/staff.py").run(), 1)
    from atlas_app.staff import accounts

    calls = []
    real = accounts.session_account

    def ends_after_page_draw(store, token, **limits):
        calls.append(token)
        return real(store, token, **limits) if len(calls) <= 2 else None

    monkeypatch.setattr("atlas_app.ui.staff_session.session_account", ends_after_page_draw)
    at.button(key="set-archived").click().run()
    assert "Please sign in again" in at.error[0].value
    assert staff_db.get_organisation(1)["status"] == "published"


def test_archive_is_audited_with_before_and_after(staff_db):
    staff_db.add_organisations([dict(name="Old", kind="support", sector="health",
                                     country="FR", city="Paris", tags=[], status="published",
                                     location_precision="none", location_source="none")])
    at = signed_in()
    pick(at.switch_page("screens/staff.py").run(), 1)
    at.button(key="set-archived").click().run()
    assert staff_db.get_organisation(1)["status"] == "archived"
    [change] = recent_changes(staff_db)
    assert change["action"] == "archive"
    assert (change["before"]["status"], change["after"]["status"]) == ("published", "archived")
    history = at.get_by_key("audit-1").dataframe[0].value  # the values, not only the fields
    assert (list(history["Before"]), list(history["After"])) == (["status: published"],
                                                                 ["status: archived"])


def test_upload_a_messy_french_excel_file_end_to_end(staff_db):
    data = ("nom;ville;pays;site web;type;secteur\r\n"
            "Café Numérique;Orléans;France;https://cafe.example;support;health\r\n"
            "Atelier;Lyon;France;javascript:alert(1);solution;open-tech\r\n"
            "Le Lab;Lisboa;Portugal;https://lelab.example;support;education\r\n"
            "Nowhere;Ys;Atlantis;;support;education\r\n").encode("cp1252")
    at = upload(signed_in(), "export.csv", data)
    text = " ".join(m.value for m in at.markdown).replace("\\", "")  # shown escaped
    assert "CSV, Windows-1252, semicolon-separated, 4 data rows" in text
    assert "4 rows — ready: 3, refused: 1" in text
    problems = at.get_by_key("problems-table").dataframe[0].value
    assert list(problems["line"]) == [3, 5] and list(problems["field"]) == ["Website", "Country"]
    assert list(problems["outcome"]) == ["value left out, row kept", "row rejected"]
    at.button(key="upload-commit").click().run()
    assert "Nothing was written" in at.warning[-1].value and staff_db.count() == 0
    at.checkbox(key="upload-valid-only").check().run()
    at.button(key="upload-commit").click().run()
    assert "3 organisations written as upload #1." in at.success[-1].value
    assert staff_db.count() == 3
    assert staff_db.frame(statuses=None).set_index("name").loc["Atelier", "website"] is None
    orgs = staff_db.frame(statuses=None)
    assert set(orgs["status"]) == {"pending"} and orgs["latitude"].notna().all()


def test_upload_with_constants_for_missing_columns_and_undo(staff_db):
    at = upload(signed_in(), "ssedas.geojson", SUSY.read_bytes())
    assert any("no column for: kind, sector" in c.value for c in at.caption)
    # Nothing is chosen for the person: no kind, no sector, no check until they choose.
    assert at.selectbox(key="const-kind").value is None
    assert at.selectbox(key="const-sector").value is None
    assert "Choose above where the kind, sector" in at.info[0].value
    with pytest.raises(KeyError):
        at.get_by_key("upload-commit")
    at.selectbox(key="const-kind").set_value("support")
    at.selectbox(key="const-sector").set_value("ess-networks").run()
    at.checkbox(key="upload-valid-only").check().run()
    at.button(key="upload-commit").click().run()
    written = staff_db.count()
    assert written > 1500 and "written as upload #1" in at.success[-1].value
    at.file_uploader(key="upload-file").set_value(None).run()
    at.button(key="undo-1").click().run()
    assert "Undo upload #1?" in at.warning[-1].value
    assert staff_db.frame(statuses=("pending",)).shape[0] == written, "not before confirming"
    at.button(key="undo-confirm-1").click().run()
    assert f"Upload #1 undone: {written:,} organisations archived" in at.success[0].value
    assert set(staff_db.frame(statuses=None)["status"]) == {"archived"}
    assert staff_db.count() == written, "undo archives, never deletes"


def test_public_suggestion_lands_pending_and_staff_moderate_it(staff_db):
    at = suggest("Nouvelle Coop", "https://coop.example", "Nantes")
    assert "Thank you" in at.success[0].value
    org = staff_db.get_organisation(1)
    assert (org["status"], org["source"]) == ("pending", "public suggestion")
    staff = signed_in()
    staff.switch_page("screens/staff.py").run()
    staff.button(key="review-reject").click().run()
    assert "Say why" in staff.error[0].value
    staff.text_input(key="review-reason").input("not social tech").run()
    staff.button(key="review-reject").click().run()
    assert staff_db.get_organisation(1)["status"] == "archived"
    [change, _created] = recent_changes(staff_db)
    assert change["after"]["reason"] == "not social tech"


def test_suggestion_spam_defences(staff_db):
    at = run_app("screens/suggest.py")
    at.text_input(key="suggest-name").input("Bot")
    at.text_input(key="suggest-city").input("Paris")
    at.text_input(key="suggest-hp").input("http://spam.example")
    at.form_submit_button[0].click().run()
    assert "Thank you" in at.success[0].value and staff_db.count() == 0
    at.text_input(key="suggest-hp").input("")
    for n in range(4):
        at.text_input(key="suggest-name").input(f"Org {n}")
        at.text_input(key="suggest-website").input(f"https://o{n}.example")
        at.text_input(key="suggest-city").input("Paris")
        at.selectbox(key="suggest-country").set_value("FR")
        at.selectbox(key="suggest-kind").set_value("support")
        at.selectbox(key="suggest-sector").set_value("health")
        at.form_submit_button[0].click().run()
    assert staff_db.count() == 3
    assert "as many suggestions in the last hour as one visitor can" in at.warning[0].value


def test_the_suggestion_form_starts_empty_says_what_is_wrong_beside_it_and_clears(staff_db):
    at = run_app("screens/suggest.py", lang="fr")
    assert [at.selectbox(key=k).value for k in ("suggest-kind", "suggest-sector",
                                                "suggest-country")] == [None, None, None]
    at.text_input(key="suggest-name").input("Coop du Coin")
    at.text_area(key="suggest-description").input("Une coopérative de réparation.")
    at.form_submit_button[0].click().run()
    assert staff_db.count() == 0
    errors = {e.key: at.get_by_key(e.key).markdown[0].value for e in at.main
              if (getattr(e, "key", None) or "").startswith("suggest-error-")}
    assert errors == {"suggest-error-city": "Merci de remplir ce champ.",
                      "suggest-error-country": "Choisissez un pays d'Europe.",
                      "suggest-error-kind": "Choisissez le type d'organisation.",
                      "suggest-error-sector": "Choisissez son secteur.",
                      "suggest-error-description":
                          "Dites dans quelle langue la description est écrite."}
    assert at.text_input(key="suggest-name").value == "Coop du Coin"  # kept to fix
    at.radio(key="suggest-description-lang").set_value("fr")
    at.text_input(key="suggest-city").input("Nantes")
    at.selectbox(key="suggest-country").set_value("FR")
    at.selectbox(key="suggest-kind").set_value("solution")
    at.selectbox(key="suggest-sector").set_value("open-tech")
    at.form_submit_button[0].click().run()
    assert "Merci" in at.success[0].value
    [org] = staff_db.frame(statuses=None).to_dict("records")
    assert (org["description_fr"], org["description_en"]) == ("Une coopérative de réparation.",
                                                              None)
    assert at.text_input(key="suggest-name").value == ""
    assert at.selectbox(key="suggest-kind").value is None


def test_data_quality_lists_unlocated_organisations(staff_db):
    staff_db.add_organisations([dict(name="Lost", kind="support", sector="health",
                                     country="FR", city="Nowhere-sur-Rien", tags=[],
                                     status="pending", location_precision="none",
                                     location_source="none", geocode_status="offline_miss",
                                     location_note="no place named 'Nowhere-sur-Rien'")])
    at = signed_in()
    at.switch_page("screens/staff.py").run()
    table = at.get_by_key("unlocated-list").dataframe[0].value
    assert list(table["name"]) == ["Lost"] and "Nowhere" in table["location_note"][0]


def test_edit_with_validation_and_manual_location_kept_from_geocoding(staff_db, gazetteer):
    from atlas_app.places.geocoding import Locator, locate_pending

    staff_db.add_organisations([dict(name="Old name", kind="support", sector="health",
                                     country="FR", city="Paris", tags=["a"],
                                     status="published", location_precision="none",
                                     location_source="none")])
    at = signed_in()
    pick(at.switch_page("screens/staff.py").run(), 1)
    at.text_input(key="edit-website").input("javascript:alert(1)")
    edit_button = [b for b in at.form_submit_button if "Save" in b.label][0]
    edit_button.click().run()
    assert any("website must be an http" in e.value for e in at.error)
    at.text_input(key="edit-website").input("https://new.example")
    at.text_input(key="edit-name").input("New name")
    at.text_input(key="edit-latitude").input("48,85")
    at.text_input(key="edit-longitude").input("2.35")
    [b for b in at.form_submit_button if "Save" in b.label][0].click().run()
    org = staff_db.get_organisation(1)
    assert (org["name"], org["website"]) == ("New name", "https://new.example")
    assert (org["latitude"], org["location_source"]) == (48.85, "manual")
    locate_pending(staff_db, Locator(gazetteer, staff_db), retry_failed=True)
    assert staff_db.get_organisation(1)["latitude"] == 48.85
    [change] = recent_changes(staff_db)
    assert change["action"] == "edit" and change["before"]["name"] == "Old name"


def test_single_sign_on_is_limited_to_the_staff_list(staff_db):
    from streamlit.runtime.caching import cache_data_api, cache_resource_api
    cache_data_api.get_data_cache_stats_provider().clear_all()
    cache_resource_api.get_resource_cache_stats_provider().clear_all()
    at = AppTest.from_file(APP, default_timeout=30)
    at.user = {"is_logged_in": True, "email": "Ana@Example.org", "name": "Ana",
               "email_verified": True}
    at.switch_page("screens/staff.py")
    at.run()
    assert "Staff workspace" in [t.value for t in at.title]
    unverified = AppTest.from_file(APP, default_timeout=30)
    unverified.user = {"is_logged_in": True, "email": "ana@example.org"}
    unverified.switch_page("screens/staff.py")
    unverified.run()
    assert "Staff workspace" not in [t.value for t in unverified.title], \
        "an address the provider has not verified is not a staff member (issue 18)"
    outsider = AppTest.from_file(APP, default_timeout=30)
    outsider.user = {"is_logged_in": True, "email": "eve@example.org"}
    outsider.switch_page("screens/signin.py")
    outsider.run()
    assert "eve@example\\.org is not on the atlas staff list." in outsider.warning[0].value
    assert "Staff workspace" not in [t.value for t in outsider.title]


def test_a_saved_mapping_and_duplicate_decisions_are_remembered(staff_db):
    first = ("Structure,Commune,Pays,Site\n"
             "Alpha,Lyon,France,https://alpha.example\n").encode()
    at = upload(signed_in(), "partner-1.csv", first)
    at.selectbox(key="map-0").set_value("name")
    at.selectbox(key="map-1").set_value("city").run()
    at.selectbox(key="const-kind").set_value("solution")
    at.selectbox(key="const-sector").set_value("open-tech").run()
    at.text_input(key="mapping-name").input("Partner network")
    at.button(key="save-mapping").click().run()
    at.button(key="upload-commit").click().run()
    assert staff_db.count() == 1
    second = ("Structure,Commune,Pays,Site\n"
              "Alpha again,Lyon,France,https://www.alpha.example/about\n"
              "Beta,Metz,France,https://beta.example\n").encode()
    at = upload(signed_in(), "partner-2.csv", second)
    # The next file of the same source: its mapping is proposed without asking, and stays.
    assert at.selectbox(key="saved-mapping").value == "Partner network"
    assert at.selectbox(key="map-0").value == "name"
    assert at.selectbox(key="const-kind").value == "solution"
    at.radio(key="dup-2").set_value("skip").run()
    assert at.selectbox(key="map-1").value == "city"
    assert "no column" not in " ".join(e.value for e in at.error)
    at.button(key="upload-commit").click().run()
    assert sorted(staff_db.frame(statuses=None)["name"]) == ["Alpha", "Beta"]
    third = ("Structure,Commune,Pays,Site\n"
             "Alpha once more,Lyon,France,https://alpha.example\n").encode()
    at = upload(signed_in(), "partner-3.csv", third)
    at.selectbox(key="saved-mapping").set_value("Partner network").run()
    choice = at.radio(key="dup-2")
    assert choice.value == "skip" and "decided before: skip" in choice.label
    choice.set_value("update").run()
    at.button(key="upload-commit").click().run()
    names = sorted(staff_db.frame(statuses=None)["name"])
    assert names == ["Alpha once more", "Beta"], "the existing entry was updated, not added"
    assert recent_changes(staff_db)[0]["action"] == "update-from-upload"


def test_data_quality_duplicates_and_histories(staff_db):
    base = dict(kind="support", sector="health", country="FR", city="Paris", tags=[],
                status="published", location_precision="none", location_source="none")
    staff_db.add_organisations([dict(base, name="Le Lab", website="https://lelab.example"),
                                dict(base, name="Le Lab Paris", website="https://www.lelab.example")],
                               filename="two.csv", sha256="x")
    at = signed_in()
    at.switch_page("screens/staff.py").run()
    at.button(key="archive-dup-2").click().run()
    assert staff_db.get_organisation(2)["status"] == "archived"
    at.text_input(key="find-org").input("#2").run()
    pick(at, 2)
    history = at.get_by_key("audit-2").dataframe[0].value
    assert list(history["What"]) == ["archive"] and list(history["Organisation"]) == [2]
    [change] = recent_changes(staff_db, org_id=2)
    assert change["after"]["reason"] == "duplicate of #1"


def test_sign_in_locks_out_after_repeated_failures(staff_db, monkeypatch):
    """Failures lock the address for the client that made them (AppTest has no stable
    client address, so the test names one)."""
    from atlas_app.ui import staff_session

    monkeypatch.setattr(staff_session, "current_client", lambda: "one-client")
    at = run_app("screens/signin.py")
    for _ in range(5):
        at.text_input(key="signin-email").input("ana@example.org")
        at.text_input(key="signin-password").input("guess")
        at.form_submit_button[0].click().run()
        assert at.error[0].value == "Wrong e-mail address or password."
    at.text_input(key="signin-password").input(PASSWORD)
    at.form_submit_button[0].click().run()
    assert re.fullmatch(r"Too many attempts for this address: try again in "
                        r"(29|30) seconds\.", at.error[0].value), at.error[0].value
    assert "staff-token" not in at.session_state
    monkeypatch.setattr(staff_session, "current_client", lambda: "the-owner-elsewhere")
    at.form_submit_button[0].click().run()
    assert at.success[0].value.startswith("Signed in as ana@"), "not locked out elsewhere"


def test_upload_rows_the_chain_cannot_locate_can_be_placed_by_hand(staff_db):
    data = ("name,city,country,kind,sector\n"
            "Somewhere Lab,Nowhere-sur-Rien,FR,support,health\n"
            "Paris Lab,Paris,FR,support,health\n").encode()
    at = upload(signed_in(), "places.csv", data)
    table = at.get_by_key("unlocated-rows").dataframe[0].value
    assert list(table["name"]) == ["Somewhere Lab"] and "Nowhere" in table["reason"][0]
    at.text_input(key="locate-lat").input("95")
    at.text_input(key="locate-lon").input("2")
    at.button(key="locate-set").click().run()
    assert "latitude between -90 and 90" in at.error[0].value
    at.text_input(key="locate-lat").input("47,5")
    at.button(key="locate-set").click().run()
    assert at.get_by_key("unlocated-rows").dataframe[0].value["set by hand"][0] == "47.50000, 2.00000"
    at.button(key="upload-commit").click().run()
    org = staff_db.frame(statuses=None).set_index("name").loc["Somewhere Lab"]
    assert (org["latitude"], org["location_source"]) == (47.5, "manual")


def test_a_suggestion_approved_appears_on_the_public_map(staff_db):
    suggest("Approved Coop", "https://approved.example", "Lyon")
    public = run_app()
    assert "no published organisations yet" in public.info[0].value
    staff = signed_in()
    staff.switch_page("screens/staff.py").run()
    staff.button(key="review-approve").click().run()
    assert staff_db.get_organisation(1)["status"] == "published"
    public = run_app()
    assert public.get_by_key("result-summary").children[0].value == "1 of 1 organisation"


def test_two_editors_the_second_is_told_and_redoes_on_the_new_version(staff_db):
    """Issue 14: no lost update, as two staff members meet it in two tabs."""
    staff_db.add_organisations([dict(name="Coop", kind="support", sector="health",
                                     country="FR", city="Paris", tags=[], status="published",
                                     location_precision="none", location_source="none")])
    ana, ben = signed_in(), signed_in()
    for tab in (ana, ben):
        pick(tab.switch_page("screens/staff.py").run(), 1)
    ana.button(key="set-pending").click().run()  # a status change is no conflict
    ana.text_input(key="edit-city").input("Lyon")
    [submit] = [b for b in ana.button if b.label == "Save the changes"]
    submit.click().run()
    assert "Saved: city." in ana.success[0].value
    ben.text_input(key="edit-name").input("Coop!")
    [submit] = [b for b in ben.button if b.label == "Save the changes"]
    submit.click().run()
    assert "someone changed #1 since you opened it (city)" in ben.error[0].value
    assert staff_db.get_organisation(1)["name"] == "Coop", "nothing of Ben's was written"
    ben.button(key="edit-reload").click().run()
    assert ben.text_input(key="edit-city").value == "Lyon"
    ben.text_input(key="edit-name").input("Coop!")
    [submit] = [b for b in ben.button if b.label == "Save the changes"]
    submit.click().run()
    assert "Saved: name." in ben.success[0].value
    org = staff_db.get_organisation(1)
    assert (org["name"], org["city"], org["status"]) == ("Coop!", "Lyon", "pending")


def test_a_second_click_on_commit_does_not_import_the_file_twice(staff_db):
    """Found in a QA pass: the check was reused after the commit and wrote the file again."""
    data = ("nom;ville;pays;type;secteur\r\n"
            "Café Numérique;Orléans;France;support;health\r\n").encode("cp1252")
    at = upload(signed_in(), "once.csv", data)
    at.button(key="upload-commit").click().run()
    assert "1 organisation written as upload #1." in at.success[-1].value
    at.button(key="upload-commit").click().run()
    assert "already imported" in at.error[0].value and staff_db.count() == 1


def test_status_buttons_stay_on_the_chosen_organisation(staff_db):
    """Found in a QA pass: after a status change the next click acted on another one."""
    staff_db.add_organisations([dict(name=f"Org {i}", kind="support", sector="health",
                                     country="FR", city="Paris", tags=[], status="published",
                                     location_precision="none", location_source="none")
                                for i in range(1, 6)])
    at = pick(signed_in().switch_page("screens/staff.py").run(), 3)
    at.button(key="set-pending").click().run()
    assert at.selectbox(key="org-pick").value == 3
    at.button(key="set-archived").click().run()
    statuses = {i: staff_db.get_organisation(i)["status"] for i in range(1, 6)}
    assert statuses == {1: "published", 2: "published", 3: "archived", 4: "published",
                        5: "published"}


def test_a_suggestion_keeps_the_point_picked_on_the_map(staff_db):
    at = run_app("screens/suggest.py")
    at.session_state["suggest-latitude"] = "45.764000"
    at.session_state["suggest-longitude"] = "4.835700"
    at.run()
    at.text_input(key="suggest-name").input("Atelier Vélo")
    at.text_input(key="suggest-city").input("Lyon")
    at.selectbox(key="suggest-country").set_value("FR")
    at.selectbox(key="suggest-kind").set_value("solution")
    at.selectbox(key="suggest-sector").set_value("environment")
    at.form_submit_button[0].click().run()
    [org] = staff_db.frame(statuses=None).to_dict("records")
    assert (org["latitude"], org["longitude"]) == (45.764, 4.8357)
    assert "suggest-latitude" not in at.session_state


def test_staff_write_descriptions_in_any_language_and_a_visitor_in_polish(staff_db):
    """Issue 17: the edit form has a text area per language (in tabs); what one writes in
    German and Polish is kept beside the English, and nothing else changes."""
    staff_db.add_organisations([dict(name="Kooperatywa", kind="support", sector="health",
                                     country="PL", city="Kraków", tags=[],
                                     description_en="A cooperative.", status="published",
                                     location_precision="none", location_source="none")])
    at = signed_in()
    pick(at.switch_page("screens/staff.py").run(), 1)
    assert at.text_area(key="edit-description_en").value == "A cooperative."
    assert at.text_area(key="edit-description_pl").value == ""
    at.text_area(key="edit-description_de").input("Eine Genossenschaft.")
    at.text_area(key="edit-description_pl").input("Spółdzielnia.")
    [b for b in at.form_submit_button if "Save" in b.label][0].click().run()
    org = staff_db.get_organisation(1)
    assert org["descriptions"] == {"en": "A cooperative.", "de": "Eine Genossenschaft.",
                                   "pl": "Spółdzielnia."}
    [change] = recent_changes(staff_db)
    assert change["after"]["description_pl"] == "Spółdzielnia."


def test_a_suggestion_in_polish_lands_as_a_polish_description(staff_db):
    at = run_app("screens/suggest.py", lang="pl")
    assert at.radio(key="suggest-description-lang").options == [
        "English", "Deutsch", "Español", "Français", "Italiano", "Polski", "Português"]
    at.text_input(key="suggest-name").input("Spółdzielnia Naprawcza")
    at.text_input(key="suggest-city").input("Kraków")
    at.selectbox(key="suggest-country").set_value("PL")
    at.selectbox(key="suggest-kind").set_value("solution")
    at.selectbox(key="suggest-sector").set_value("open-tech")
    at.text_area(key="suggest-description").input("Naprawiamy komputery.")
    at.radio(key="suggest-description-lang").set_value("pl")
    at.form_submit_button[0].click().run()
    [org] = staff_db.frame(statuses=None).to_dict("records")
    assert org["description_pl"] == "Naprawiamy komputery." and org["description_en"] is None
