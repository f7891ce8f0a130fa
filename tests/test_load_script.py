"""The load script (benchmarks/load_test.py) drives real Streamlit WebSocket sessions:
each opens the map, changes filters, pans and zooms; the app answers every run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # real subprocesses and servers

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))


def test_concurrent_sessions_browse_without_error(tmp_path):
    from load_test import main

    url = f"sqlite:///{tmp_path / 'atlas.db'}"
    subprocess.run([str(ROOT / ".venv" / "bin" / "atlas"), "init", "--seed"], check=True,
                   capture_output=True, env={**os.environ, "ATLAS_DATABASE_URL": url})
    summary = main(["--database", url, "--sessions", "4", "--actions", "5", "--json"])
    assert summary["errors"] == 0, summary["error_samples"]
    assert summary["runs"] == 4 * (1 + 5)
    assert 0 < summary["median"] <= summary["p95"] <= summary["worst"]
    assert summary["server_peak_mb"] > 0
    # Moving the map reruns the map's fragment only, not the page (issue 20).
    assert summary["moves"] and summary["fragment_runs"] == summary["moves"]
