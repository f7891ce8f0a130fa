"""A real installation's first week, replayed on SQLite and on PostgreSQL (issue 12).

A fresh registry takes the real SSEDAS file with its mapping, then a partner's French-Excel
spreadsheet in which websites, e-mails, cities and descriptions are missing here and there,
then a public suggestion without a website. After that every surface must still work: the
staff workspace, the upload page on a third file, `atlas import`, `atlas stats`, every
export format, the research page and the notebook API. Missing values are the normal case.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile
from pathlib import Path

import pytest

from atlas_app.cli import main
from atlas_app.registry.store import Store
from atlas_app.research.exports import Citation, export_bytes
from atlas_app.research.notebook import open_registry
from atlas_app.settings import PACKAGE_DATA
from atlas_app.staff.accounts import add_account
from atlas_app.staff.edits import set_status
from tests.support.apptest import PASSWORD, SUSY, pick, run_app, suggest, upload
from tests.support.factories import make_organisation, to_csv

ROOT = Path(__file__).resolve().parent.parent
MAPPING = ROOT / "data" / "mappings" / "ssedas.toml"
EXPORT_FORMATS = ("csv", "csv-excel", "xlsx", "geojson", "datapackage")


def partner_spreadsheet() -> bytes:
    """A partner's file as French Excel saves it (cp1252, ';'), with the usual gaps."""
    rows = [
        make_organisation(name="Fabrique Numérique", website="", email="",
                          description_en="", description_fr="", city="Lille", country="France"),
        make_organisation(name="Datacoop Gent", website="https://datacoop.example", email="",
                          description_en="Data cooperative.", description_fr="",
                          city="Gent", country="Belgique", tags=""),
        make_organisation(name="Sans Ville", website="", city="", country="FR"),
        make_organisation(name="Kooperative Wien", website="", email="info@koop.example",
                          description_en="", description_fr="", city="Wien",
                          country="Österreich", sector="open-tech", kind="solution"),
        make_organisation(name="Cidade Aberta", website="https://cidade.example",
                          description_en="", description_fr="Ville ouverte.", city="Lisboa",
                          country="Portugal", tags=""),
    ]
    return to_csv(rows, sep=";").decode("utf-8").encode("cp1252")


@pytest.fixture(params=["sqlite", "postgresql"])
def installation(request, tmp_path, monkeypatch, capsys):
    """A fresh installation on either database, driven through the `atlas` command."""
    url = (f"sqlite:///{tmp_path / 'atlas.db'}" if request.param == "sqlite"
           else request.getfixturevalue("postgres_url"))
    monkeypatch.setenv("ATLAS_DATABASE_URL", url)

    def atlas(*argv):
        code = main([str(a) for a in argv])
        out, err = capsys.readouterr()
        return code, out, err

    assert atlas("init", "--seed")[0] == 0
    store = Store(url)
    add_account(store, "ana@example.org", PASSWORD)
    yield atlas, store, tmp_path
    store.dispose()


def test_first_week_with_real_files_and_missing_values(installation):
    atlas, store, tmp_path = installation
    seeded = store.count()

    # 1. the real SSEDAS file with its mapping: the valid initiatives land as pending
    code, out, _ = atlas("import", SUSY, "--mapping", MAPPING, "--skip-invalid")
    assert code == 1, out  # some features are rejected, and each is reported
    ssedas = store.count() - seeded
    assert ssedas > 1500 and f"{ssedas:,} organisations written" in out

    # 2. a partner's spreadsheet with gaps: the row without a city is reported, the rest land
    partner = tmp_path / "partenaires.csv"
    partner.write_bytes(partner_spreadsheet())
    code, out, _ = atlas("import", partner, "--dry-run")
    assert code == 1 and "line 4" in out and "city" in out, out
    code, out, _ = atlas("import", partner, "--skip-invalid")
    assert code == 1 and "4 organisations written" in out, out
    fabrique = store.frame(statuses=None).query("name == 'Fabrique Numérique'").iloc[0]
    assert fabrique["website"] is None and fabrique["email"] is None
    assert fabrique["description_en"] is None and fabrique["country"] == "FR"

    # 3. a visitor suggests an organisation and leaves the website empty
    at = suggest("Repair Café Nantes", "", "Nantes")
    assert "Thank you" in at.success[0].value
    suggested = store.get_organisation(int(store.frame(statuses=None)["id"].max()))
    assert (suggested["name"], suggested["website"]) == ("Repair Café Nantes", None)

    # 4. the staff workspace renders whole, with the suggestion waiting for review
    staff = run_app("screens/signin.py")
    staff.text_input(key="signin-email").input("ana@example.org")
    staff.text_input(key="signin-password").input(PASSWORD)
    staff.form_submit_button[0].click().run()
    staff.switch_page("screens/staff.py").run()
    assert not staff.exception, staff.exception
    pending = store.frame(statuses=("pending",))
    assert staff.metric[0].value == f"{len(pending):,}"
    assert any("Repair Café Nantes" in o for o in staff.selectbox(key="review-org").options)
    pick(staff, int(suggested["id"]))  # the suggestion, found and opened for editing
    assert staff.text_input(key="edit-website").value == ""
    headings = [t.value for t in staff.subheader]
    assert headings[-2:] == ["History of an organisation", "Recent changes"], headings
    staff.segmented_control(key="lang-switch").set_value("fr").run()  # the same, in French
    assert not staff.exception, staff.exception
    assert "Espace équipe" in [t.value for t in staff.title]
    assert "Trouver une organisation" in [t.value for t in staff.subheader]
    assert staff.text_input(key="edit-website").value == ""
    staff.segmented_control(key="lang-switch").set_value("en").run()

    # 5. the upload page checks a third file, and the command line does too
    third = to_csv([make_organisation(name="Open Bretagne", website="", city="Rennes"),
                    make_organisation(name="Fabrique Numérique", website="", city="Lille")])
    at = upload(staff, "third.csv", third)
    text = " ".join(m.value for m in at.markdown)
    assert "2 rows — ready: 2, refused: 0" in text, text
    (tmp_path / "third.csv").write_bytes(third)
    code, out, _ = atlas("import", tmp_path / "third.csv", "--dry-run")
    assert code == 0 and "possible duplicate of #" in out, out

    # 6. stats, every export format, the research page and the notebook API
    code, out, _ = atlas("stats", "--json")
    stats = json.loads(out)
    assert code == 0 and stats["total"] == store.count()
    everything = store.frame(statuses=None)
    for fmt in EXPORT_FORMATS:
        target = tmp_path / f"all.{fmt}"
        code, out, err = atlas("export", "--format", fmt, "--all", "-o", target)
        assert code == 0 and target.stat().st_size > 0, (fmt, out, err)
        # the research page's buttons render the same frames with the same function
        assert export_bytes(everything, fmt, _taxonomy(), PACKAGE_DATA,
                            Citation(store.revision(), dt.date.today()))
    rows = list(csv.DictReader(io.StringIO((tmp_path / "all.csv").read_text("utf-8"))))
    assert len(rows) == len(everything)
    by_name = {r["name"]: r for r in rows}
    assert by_name["Fabrique Numérique"]["website"] == ""
    assert by_name["Repair Café Nantes"]["website"] == ""
    features = json.loads((tmp_path / "all.geojson").read_text("utf-8"))["features"]
    assert len(features) == len(everything)
    assert {f["properties"]["name"]: f["properties"]["website"] for f in features
            }["Fabrique Numérique"] is None
    with zipfile.ZipFile(tmp_path / "all.datapackage") as package:
        assert "datapackage.json" in package.namelist()

    newcomers = store.frame(statuses=("pending",)).query("~source.str.startswith('SSEDAS')")
    for org_id in newcomers["id"]:  # staff approve the partner's rows, gaps and all
        set_status(store, int(org_id), "published", "ana@example.org")
    research = run_app("screens/research.py", view="compare", country=["FR", "AT"])
    table = research.get_by_key("compare-table").dataframe[0].value
    assert table["organisations"].sum() == int(
        research.get_by_key("research-summary").children[0].value.split()[0])
    atlas_api = open_registry()
    frame = atlas_api.organisations(countries=["AT"])
    assert "Kooperative Wien" in set(frame["name"])
    assert frame.loc[frame["name"] == "Kooperative Wien", "website"].item() is None
    assert "country is Austria" in atlas_api.citation(countries=["AT"]).text()
    assert atlas_api.counts_by_country().loc[lambda t: t["country"] == "AT",
                                             "organisations"].item() == len(frame)


def _taxonomy():
    from atlas_app.registry.schema import load_taxonomy

    return load_taxonomy(PACKAGE_DATA)
