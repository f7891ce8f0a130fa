"""``atlas serve``'s process turns Nagle's algorithm off on every connection (issue 20: a
rerun's messages no longer wait ~40 ms for the browser's delayed acknowledgement)."""

from __future__ import annotations

import asyncio
import asyncio.base_events
import socket
import subprocess
import sys

import pytest

from atlas_app.ui import server


def _accepted_nodelay() -> int:
    """TCP_NODELAY of a connection accepted by an asyncio server listening on a socket
    made as Streamlit's server makes it (``proto`` left at 0)."""
    async def run() -> int:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)  # proto 0
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        accepted: asyncio.Future = asyncio.get_running_loop().create_future()

        class Protocol(asyncio.Protocol):
            def connection_made(self, transport):
                sock = transport.get_extra_info("socket")
                accepted.set_result(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
                transport.close()

        srv = await asyncio.get_running_loop().create_server(Protocol, sock=listener)
        _, writer = await asyncio.open_connection(*listener.getsockname())
        value = await asyncio.wait_for(accepted, 10)
        writer.close()
        srv.close()
        return value

    return asyncio.run(run())


def test_streamlit_like_listener_leaves_nagle_on_without_the_fix(monkeypatch):
    monkeypatch.setattr(asyncio.base_events, "_set_nodelay",
                        asyncio.base_events._set_nodelay)  # restored after the test
    assert _accepted_nodelay() == 0, "asyncio now sets TCP_NODELAY itself: ui/server.py can go"


def test_the_served_process_sets_nodelay_on_every_connection(monkeypatch):
    monkeypatch.setattr(asyncio.base_events, "_set_nodelay", asyncio.base_events._set_nodelay)
    monkeypatch.setattr("streamlit.web.cli.main", lambda **_kwargs: 0)
    assert server.main(["run", "app.py"]) == 0
    assert _accepted_nodelay() == 1


def test_other_sockets_are_left_alone():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        server.set_nodelay(udp)  # not TCP: nothing to do, no error


@pytest.mark.slow
def test_the_launcher_runs_streamlits_command_line():
    done = subprocess.run([sys.executable, "-m", "atlas_app.ui.server", "--version"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Streamlit, version" in done.stdout


def test_atlas_serve_starts_the_launcher_with_memory_settings(monkeypatch, tmp_path):
    from atlas_app import cli

    started = {}
    monkeypatch.setattr(cli.os, "execv", lambda exe, argv: started.update(argv=argv))
    monkeypatch.setattr(cli.os, "chdir", lambda _path: None)
    for name in ("MALLOC_MMAP_THRESHOLD_", "MALLOC_ARENA_MAX"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ATLAS_HOME", str(tmp_path))
    monkeypatch.setenv("ATLAS_DATABASE_URL", f"sqlite:///{tmp_path / 'atlas.db'}")
    cli.main(["serve", "--port", "8599"])
    assert started["argv"][1:4] == ["-m", "atlas_app.ui.server", "run"]
    assert cli.os.environ["MALLOC_MMAP_THRESHOLD_"] == str(1 << 20)
