"""The `atlas` command as a user runs it: exit codes, messages, reports."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from atlas_app.cli import main
from tests.support.factories import make_registry, to_csv

ROOT = Path(__file__).resolve().parent.parent
SUSY = ROOT / "tests" / "data" / "ssedas-partners.geojson"


@pytest.fixture
def atlas(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ATLAS_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")

    def run(*argv):
        code = main([str(a) for a in argv])
        out, err = capsys.readouterr()
        return code, out, err

    assert run("init")[0] == 0
    return run


def test_init_seed_loads_the_seed_once(atlas):
    code, out, _ = atlas("init", "--seed")
    assert code == 0 and "organisations written" in out
    code, out, _ = atlas("init", "--seed")
    assert "seed not loaded" in out


def test_commands_refuse_a_database_that_is_not_set_up(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ATLAS_DATABASE_URL", f"sqlite:///{tmp_path / 'none.db'}")
    assert main(["stats"]) == 2
    assert "run: atlas init" in capsys.readouterr().err


def test_import_exit_codes_and_json_report(atlas, tmp_path):
    rows = make_registry(4)
    rows[2]["website"] = "javascript:alert(1)"
    path = tmp_path / "orgs.csv"
    path.write_bytes(to_csv(rows))
    report_path = tmp_path / "report.json"
    code, out, _ = atlas("import", path, "--report-json", report_path, "--reject-bad-values",
                         "--dry-run")
    assert code == 1
    assert "error: line 4, website 'javascript:alert(1)': website must be" in out
    report = json.loads(report_path.read_text())
    assert (report["accepted"], report["rejected"], report["written"]) == (3, 1, 0)
    assert report["problems"][0]["line"] == 4

    code, out, _ = atlas("import", path, "--skip-invalid", "--reject-bad-values")
    assert code == 1 and "3 organisations written" in out

    # By default the row is kept and only its bad website is left out, with a warning.
    path.write_bytes(to_csv(rows[2:3]))
    code, out, _ = atlas("import", path, "--allow-repeat")
    assert code == 0 and "1 organisation written" in out
    assert "warning: line 2, website 'javascript:alert(1)'" in out

    path.write_bytes(to_csv(make_registry(2, seed=7)))
    assert atlas("import", path)[0] == 0
    assert atlas("import", tmp_path / "missing.csv")[0] == 2
    path.write_bytes(b"")
    code, _, err = atlas("import", path)
    assert code == 2 and "no data rows" in err


def test_export_filters_and_writes_a_file(atlas, tmp_path):
    path = tmp_path / "orgs.csv"
    path.write_bytes(to_csv(make_registry(30)))
    atlas("import", path)
    out_path = tmp_path / "fr.geojson"
    code, _, err = atlas("export", "--format", "geojson", "--country", "fr", "-o", out_path)
    doc = json.loads(out_path.read_text())
    assert code == 0
    assert {f["properties"]["country"] for f in doc["features"]} == {"FR"}
    assert f"exported {len(doc['features'])} of 30 organisations · country is France" in err
    code, _, err = atlas("export", "--sector", "nope")
    assert code == 2 and "unknown sector" in err


def test_stats_json(atlas, tmp_path):
    path = tmp_path / "orgs.csv"
    path.write_bytes(to_csv(make_registry(10, located_share=0.5)))
    atlas("import", path, "--status", "pending")
    code, out, _ = atlas("stats", "--json")
    stats = json.loads(out)
    assert stats["total"] == 10 and stats["by_status"] == {"pending": 10}
    assert stats["located"] + stats["unlocated"] == 10


def test_susy_dry_run_reports_problems_and_skip_invalid_imports_the_rest(atlas):
    code, _, err = atlas("import", SUSY, "--dry-run")
    assert code == 2 and "missing required columns: kind, sector" in err
    mapping = ROOT / "data" / "mappings" / "ssedas.toml"
    code, out, _ = atlas("import", SUSY, "--dry-run", "--mapping", mapping)
    assert code == 1
    assert "country 'Frace': is not a country we recognise — did you mean France (FR)?" in out
    assert "website 'update6': website must be an http:// or https:// address" in out
    summary = out.strip().splitlines()[-1]
    assert summary.startswith("1,794 rows:") and "nothing was written" in summary
    code, out, _ = atlas("import", SUSY, "--skip-invalid", "--mapping", mapping)
    written = int(out.strip().splitlines()[-1].split(". ")[1].split()[0].replace(",", ""))
    code, stats, _ = atlas("stats", "--json")
    assert json.loads(stats)["by_status"] == {"pending": written}
    assert written > 1500


def test_console_script_is_installed():
    result = subprocess.run([Path(sys.executable).parent / "atlas", "--help"],
                            capture_output=True, text=True)
    assert result.returncode == 0 and "import" in result.stdout


def test_a_bug_shows_an_incident_id_and_logs_the_traceback(atlas, monkeypatch, tmp_path):
    """HOSTILE 36: a short message with an incident id; the traceback goes to the log."""
    import atlas_app.cli as cli

    def broken(*args, **kwargs):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(cli, "registry_stats", broken)
    monkeypatch.setenv("ATLAS_HOME", str(tmp_path / "home"))
    code, out, err = atlas("stats")
    assert code == 3
    assert "incident " in err and "secret internal detail" not in err + out
    incident = err.split("incident ")[1][:8]
    log_path = tmp_path / "home" / "log" / "atlas.log"
    assert str(log_path) in err, "the message says where the details are"
    log = log_path.read_text()
    assert log_path.stat().st_mode & 0o077 == 0, "the log is readable by its owner only"
    assert incident in log and "secret internal detail" in log and "Traceback" in log


def test_public_export_is_published_only_and_staff_export_has_every_status(atlas, tmp_path):
    """HOSTILE 43."""
    path = tmp_path / "orgs.csv"
    path.write_bytes(to_csv(make_registry(6)))
    atlas("import", path)
    path.write_bytes(to_csv(make_registry(4, seed=8)))
    atlas("import", path, "--status", "pending")
    public, staff = tmp_path / "public.csv", tmp_path / "staff.csv"
    atlas("export", "-o", public)
    atlas("export", "--all", "-o", staff)
    import csv as _csv
    public_rows = list(_csv.DictReader(public.open(encoding="utf-8")))
    staff_rows = list(_csv.DictReader(staff.open(encoding="utf-8")))
    assert {r["status"] for r in public_rows} == {"published"} and len(public_rows) == 6
    assert {r["status"] for r in staff_rows} == {"published", "pending"} and len(staff_rows) == 10


HEADER = "name,city,country,kind,sector\n"
HOSTILE_FILES = [
    # (case, file name, bytes, exit code, text the user reads)
    (10, "bom.csv", ("\ufeff" + HEADER + "Lab,Paris,FR,support,health\n").encode(), 0,
     "1 organisation written"),
    (11, "excel.csv", "nom;ville;pays;type;secteur\r\nCafé Numérique;Orléans;France;support;"
     "health\r\n".encode("cp1252"), 0, "read as Windows-1252"),
    (12, "utf16.csv", (HEADER + "Łódź Lab,Łódź,PL,support,health\n").encode("utf-16"), 0,
     "UTF-16"),
    (12, "binary.csv", b"name,city\x00\x00\x01", 2, "binary file"),
    (14, "extra.csv", (HEADER + "A,Paris,FR,support,health\nB,Lyon, big,FR,support,health\n")
     .encode(), 1, "line 3: 6 fields instead of 5"),
    (15, "short.csv", (HEADER + "A,Paris,FR,support,health\nB,Lyon\n").encode(), 1,
     "line 3: 2 fields instead of 5"),
    (16, "quote.csv", (HEADER + 'A,"Paris,FR,support,health\nB,Lyon,FR,support,health\n')
     .encode(), 2, "broken quoting starting at line 2"),
    (18, "dup.csv", b"name,city,City \nA,B,C\n", 2, "same name"),
    (19, "missing.csv", b"nom;pays;type;secteur\nA;FR;support;health\n", 2,
     "missing required column: city — header was: nom, pays, type, secteur"),
    (20, "empty.csv", b"", 2, "no data rows"),
    (20, "header-only.csv", HEADER.encode(), 2, "no data rows"),
    (22, "long.csv", (HEADER + "x" * 10_000 + ",Paris,FR,support,health\n").encode(), 1,
     "name 'xxxx"),
]


@pytest.mark.parametrize("case, name, data, code, message", HOSTILE_FILES,
                         ids=[f"case{c}-{n}" for c, n, *_ in HOSTILE_FILES])
def test_hostile_files_through_the_command(atlas, tmp_path, case, name, data, code, message):
    """HOSTILE 10-22 as staff meet them: `atlas import FILE`."""
    path = tmp_path / name
    path.write_bytes(data)
    got, out, err = atlas("import", path)
    assert got == code
    assert message in out + err
    if code:
        assert "written as upload" not in out


def test_a_13_workbook_renamed_csv_through_the_command(atlas, tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["name", "city", "country", "kind", "sector"])
    workbook.active.append(["Lab", "Paris", "FR", "support", "health"])
    workbook.save(tmp_path / "orgs.xlsx")
    (tmp_path / "orgs.csv").write_bytes((tmp_path / "orgs.xlsx").read_bytes())
    code, _, err = atlas("import", tmp_path / "orgs.csv")
    assert code == 2 and "this is an Excel workbook" in err
    code, out, _ = atlas("import", tmp_path / "orgs.xlsx")
    assert code == 0 and "1 organisation written" in out


def test_21_over_the_limit_is_refused_before_reading(atlas, tmp_path, monkeypatch):
    monkeypatch.setenv("ATLAS_MAX_UPLOAD_BYTES", "1000")
    path = tmp_path / "big.csv"
    path.write_bytes((HEADER + "A,Paris,FR,support,health\n" * 100).encode())
    code, _, err = atlas("import", path)
    assert code == 2 and "the limit is" in err and "split it" in err
