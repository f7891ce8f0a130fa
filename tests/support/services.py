"""The services tests need: CI or not, PostgreSQL's address, Debian's chromium, free ports."""

from __future__ import annotations

import os
import shutil
import socket

import pytest

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
POSTGRES_ADMIN_URL = os.environ.get("ATLAS_TEST_POSTGRES_URL",
                                    "postgresql://postgres@127.0.0.1:5432/postgres")


def chromium() -> str:
    path = shutil.which("chromium")
    if path is None:
        message = "Browser tests NOT RUN: Debian's chromium is not installed (apt-get install chromium)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return path


def nginx() -> str:
    path = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")
    if path is None:
        message = "Proxy tests NOT RUN: Debian's nginx is not installed (apt-get install nginx)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return path


def free_port() -> int:
    """A free port: any, or the first free one of ``ATLAS_TEST_PORTS`` (e.g. 8615-8625,
    for a machine shared with other test runs)."""
    low, _, high = os.environ.get("ATLAS_TEST_PORTS", "").partition("-")
    candidates = range(int(low), int(high or low) + 1) if low.strip() else [0]
    for port in candidates:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return s.getsockname()[1]
    raise RuntimeError(f"no free port in ATLAS_TEST_PORTS={os.environ['ATLAS_TEST_PORTS']}")
