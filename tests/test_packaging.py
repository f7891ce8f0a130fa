"""The atlas works outside its checkout: a wheel installed into a fresh virtual environment
finds its own data files and keeps its database, caches and logs in its home folder,
never beside the installed package (issue 13)."""

from __future__ import annotations

import json
import os
import site
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """A fresh venv holding the wheel (built here, offline) and the locked dependencies
    of the test environment (made visible with a .pth file, not reinstalled)."""
    folder = tmp_path_factory.mktemp("packaging")
    wheels = folder / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "--no-build-isolation", "-w", str(wheels), str(ROOT)], check=True,
                   cwd=folder)
    [wheel] = wheels.glob("social_tech_atlas-*.whl")
    target = folder / "venv"
    venv.EnvBuilder(with_pip=False).create(target)
    bin_dir = target / "bin"
    python = bin_dir / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             check=True, capture_output=True, text=True).stdout.strip()
    Path(purelib, "locked-dependencies.pth").write_text(
        "\n".join(site.getsitepackages()) + "\n")
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                    "--target", purelib, str(wheel)], check=True, cwd=folder)
    # the console script, as an installer would write it
    script = bin_dir / "atlas"
    script.write_text(f"#!{python}\nimport sys\nfrom atlas_app.cli import main\n"
                      "sys.exit(main())\n")
    script.chmod(0o755)
    return folder, script, Path(purelib)


def run(script: Path, cwd: Path, home: Path, *argv: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATLAS_")}
    env.update(HOME=str(home), XDG_DATA_HOME=str(home / "share"), PYTHONNOUSERSITE="1")
    return subprocess.run([str(script), *argv], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=600)


def test_a_wheel_installed_elsewhere_seeds_and_counts(installed):
    folder, script, purelib = installed
    elsewhere = folder / "somewhere"
    elsewhere.mkdir()
    home = folder / "home"
    package = purelib / "atlas_app"
    assert (package / "data" / "sectors.csv").is_file()
    assert (package / "registry" / "migrations" / "versions").is_dir()
    assert (package / "ui" / "streamlit.toml").is_file()

    done = run(script, elsewhere, home, "init", "--seed")
    assert done.returncode == 0, done.stderr
    assert "written as upload" in done.stdout
    stats = run(script, elsewhere, home, "stats", "--json")
    assert stats.returncode == 0, stats.stderr
    assert json.loads(stats.stdout)["total"] > 100

    database = home / "share" / "social-tech-atlas" / "atlas.db"
    assert database.is_file(), "the database lives in the user's data folder"
    assert not list(package.rglob("*.db")) and not (package / "var").exists()
    assert not list(elsewhere.iterdir()), "nothing written to the working directory"
    schema = run(script, elsewhere, home, "schema")
    assert schema.returncode == 0, schema.stderr
    assert [r["name"] for r in json.loads(schema.stdout)["resources"]] == \
        ["organisations", "sectors"]


def test_atlas_home_moves_every_writable_file(installed, tmp_path):
    _folder, script, _purelib = installed
    env_home = tmp_path / "state"
    env = {**os.environ, "ATLAS_HOME": str(env_home)}
    env.pop("ATLAS_DATABASE_URL", None)
    done = subprocess.run([str(script), "init"], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert (env_home / "atlas.db").is_file()
