"""Duplicates at real size: shared hosts are no identity, groups by what rows resemble,
and the upload's step 5 decides for all at once (AppTest)."""

from __future__ import annotations

import pytest

from atlas_app.intake.duplicates import group_duplicates
from atlas_app.intake.pipeline import ImportOptions, prepare_import
from atlas_app.text import website_key
from tests.support.apptest import signed_in, upload
from tests.support.factories import make_organisation, record, to_csv


@pytest.mark.parametrize("url, key", [
    ("https://www.facebook.com/fablab.lille/", "facebook.com/fablab.lille"),
    ("https://facebook.com/pages/Coop-Ouest/123", "facebook.com/coop-ouest"),
    ("https://www.facebook.com", None),
    ("https://sites.google.com/view/repair-cafe", "sites.google.com/repair-cafe"),
    ("https://coop.wixsite.com/site", "coop.wixsite.com"),
    ("https://www.Example.org/about", "example.org"),
])
def test_a_shared_host_alone_identifies_nobody(url, key):
    assert website_key(url) == key


def test_rows_on_one_social_network_are_not_duplicates(store, taxonomy, settings):
    rows = [make_organisation(name=f"Initiative {i}", city=city, country="FR",
                              website=f"https://www.facebook.com/initiative{i}")
            for i, city in enumerate(["Lille", "Lyon", "Metz", "Nancy", "Brest", "Dijon"])]
    rows.append(make_organisation(name="Bare", city="Nice", country="FR",
                                  website="https://facebook.com/"))
    rows.append(make_organisation(name="Bare too", city="Pau", country="FR",
                                  website="https://facebook.com/"))
    prepared = prepare_import(to_csv(rows), "f.csv", store, taxonomy, settings)
    assert not [p for p in prepared.report.problems if p.code.startswith("duplicate")]


def test_a_website_many_rows_of_the_file_share_is_no_identity(store, taxonomy, settings):
    rows = [make_organisation(name=f"Local group {i}", city=f"Town {i}", country="FR",
                              website=f"https://federation.example/groups/{i}")
            for i in range(6)]
    prepared = prepare_import(to_csv(rows), "f.csv", store, taxonomy, settings)
    assert not [p for p in prepared.report.problems if p.code.startswith("duplicate")]


def test_duplicates_are_grouped_by_what_they_resemble(store, taxonomy, settings):
    store.add_organisations([record(name="Alpha", website="https://alpha.example")])
    rows = [make_organisation(name="Alpha Lyon", city="Lyon", website="https://alpha.example/a"),
            make_organisation(name="Alpha Metz", city="Metz", website="https://alpha.example/b"),
            make_organisation(name="Beta", city="Nantes", website="https://beta.example"),
            make_organisation(name="Beta bis", city="Nantes", website="https://beta.example/x")]
    prepared = prepare_import(to_csv(rows), "f.csv", store, taxonomy, settings,
                              ImportOptions())
    groups = group_duplicates(prepared.report.problems)
    assert [(g.key, g.lines, g.ref, g.other) for g in groups] == [
        ("registry:1", (2, 3), 1, None), ("file:4", (5,), None, 4)]
    assert groups[0].reason == "same website domain alpha.example"


def test_skip_all_then_one_group_kept_and_both_names_shown(staff_db):
    staff_db.add_organisations([record(name=f"Known {i}", website=f"https://k{i}.example")
                                for i in range(3)], filename="old.csv", sha256="x")
    rows = [make_organisation(name=f"Known {i} again", website=f"https://k{i}.example/new")
            for i in range(3)]
    rows += [make_organisation(name="Twin", city="Brest", website="https://twin.example"),
             make_organisation(name="Twin copy", city="Brest", website="https://twin.example/b"),
             make_organisation(name="Fresh", city="Rennes", website="https://fresh.example")]
    at = upload(signed_in(), "partner.csv", to_csv(rows))
    assert "4 rows of the file resemble other organisations. They form 4 groups" in " ".join(c.value for c in at.caption)
    page = " ".join(m.value for m in at.markdown)
    assert "Line 5 of the file**: Twin" in page and "Line 6: Twin copy" in page
    at.button(key="dups-all-skip").click().run()
    assert [at.radio(key=f"dup-{line}").value for line in (2, 3, 4, 6)] == ["skip"] * 4
    at.radio(key="dup-3").set_value("keep").run()
    assert at.radio(key="dup-3").value == "keep"
    at.button(key="upload-commit").click().run()
    assert not at.exception, at.exception
    names = set(staff_db.frame(statuses=None)["name"])
    assert names == {"Known 0", "Known 1", "Known 2", "Known 1 again", "Twin", "Fresh"}
