"""Many visitors at once: real Streamlit WebSocket sessions browsing the public map.

Run (starts its own app on the given registry, on 127.0.0.1):

    .venv/bin/python benchmarks/load_test.py --database sqlite:///var/bench/1m.db \
        --sessions 50 --actions 8

or against a running app: ``--url http://127.0.0.1:8501``.

Each session speaks Streamlit's own protocol (protobuf BackMsg/ForwardMsg over
``/_stcore/stream``), as a browser tab does: it opens the map, then changes filters
(country, sector pills, kind, search words) and pans and zooms the map by sending the
values streamlit-folium would send, with a random pause between actions (``--think``, 1 to 3 s by default: a visitor
looking at the map; ``--think 0.2,1`` is a stress test). A response
time is the time from sending an action to the server's ``script_finished``. Any
exception element, failed run or dropped connection is an error. At the end it prints the
median, 95th percentile and worst response, the errors, and the server's peak memory.

The load is bounded: ``--sessions`` × (1 + ``--actions``) runs, nothing else.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import connect

ROOT = Path(__file__).resolve().parent.parent
COUNTRIES = ["FR", "DE", "IT", "ES", "PL", "NL", "BE", "PT", "SE", "AT", "RO", "CZ"]
SECTORS = ["education", "digital-inclusion", "health", "environment", "employment",
           "democracy", "culture-media", "finance", "open-tech", "ess-networks", "solidarity"]
WORDS = ["numerique", "cooperativa", "libre", "data", "inclusion", "lab", "paris", "berlin"]
CITIES = [(48.86, 2.35), (52.52, 13.40), (41.90, 12.50), (40.42, -3.70), (50.85, 4.35),
          (45.76, 4.84), (52.23, 21.01), (38.72, -9.14), (59.33, 18.07), (48.21, 16.37)]


@dataclass
class Session:
    """One visitor: the widgets it has seen and the values it has set."""

    widgets: dict[str, str] = field(default_factory=dict)  # key suffix → widget id
    states: dict[str, WidgetState] = field(default_factory=dict)
    timings: list[tuple[str, float]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    fragment_runs: int = 0  # runs that reran only the map (ui/screens/map.py's fragment)
    centre: tuple[float, float] = (50.0, 10.0)
    zoom: int = 4
    map_fragment: str = ""  # the fragment the map is drawn in (ui/screens/map.py)

    def client_state(self, query: str = "", fragment_id: str = "") -> BackMsg:
        message = BackMsg()
        state = message.rerun_script
        state.query_string = query
        state.page_script_hash = ""
        # A widget inside a fragment reruns only that fragment, as the browser asks.
        state.fragment_id = fragment_id
        state.widget_states.widgets.extend(self.states.values())
        return message

    def set_strings(self, key: str, values: list[str]) -> bool:
        if key not in self.widgets:
            return False
        state = WidgetState(id=self.widgets[key])
        state.string_array_value.data.extend(values)
        self.states[key] = state
        return True

    def set_text(self, key: str, value: str) -> bool:
        if key not in self.widgets:
            return False
        self.states[key] = WidgetState(id=self.widgets[key], string_value=value)
        return True

    def set_view(self, centre: tuple[float, float], zoom: int) -> bool:
        """What streamlit-folium sends after the visitor pans or zooms."""
        if "atlas-map" not in self.widgets:
            return False
        self.centre, self.zoom = centre, zoom
        half_width = 900 / 256 / 2 ** zoom * 180
        half_height = half_width * 480 / 900 * 0.7
        value = {"last_object_clicked": None, "last_object_clicked_tooltip": None,
                 "last_object_clicked_count": None,
                 "bounds": {"_southWest": {"lat": centre[0] - half_height,
                                           "lng": centre[1] - half_width},
                            "_northEast": {"lat": centre[0] + half_height,
                                           "lng": centre[1] + half_width}},
                 "zoom": zoom}
        self.states["atlas-map"] = WidgetState(id=self.widgets["atlas-map"],
                                               json_value=json.dumps(value))
        return True


async def _run(ws, session: Session, message: BackMsg, label: str) -> None:
    """Send one rerun and wait for its end; record the time or the error."""
    started = time.perf_counter()
    await ws.send(message.SerializeToString())
    while True:
        msg = ForwardMsg()
        msg.ParseFromString(await asyncio.wait_for(ws.recv(), timeout=120))
        kind = msg.WhichOneof("type")
        if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            element = msg.delta.new_element
            name = element.WhichOneof("type")
            if name == "exception":
                session.errors.append(f"{label}: {element.exception.message[:200]}")
            widget_id = getattr(getattr(element, name), "id", "") if name else ""
            if name == "component_instance":
                session.map_fragment = msg.delta.fragment_id
            if widget_id:
                # Widget ids end with their key; streamlit-folium keys its component by a
                # hash of the map, and it is the page's only component.
                session.widgets["atlas-map" if name == "component_instance"
                                else widget_id.rsplit("-", 1)[-1]] = widget_id
        elif kind == "script_finished":
            if msg.script_finished not in (ForwardMsg.FINISHED_SUCCESSFULLY,
                                           ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY):
                session.errors.append(f"{label}: run ended with status {msg.script_finished}")
            session.fragment_runs += (
                msg.script_finished == ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY)
            session.timings.append((label, time.perf_counter() - started))
            return


async def visitor(url: str, actions: int, seed: int,
                  think: tuple[float, float] = (1.0, 3.0), delay: float = 0.0) -> Session:
    rng = random.Random(seed)
    session = Session()
    await asyncio.sleep(delay)
    stream = url.replace("http://", "ws://").rstrip("/") + "/_stcore/stream"
    try:
        async with connect(stream, subprotocols=["streamlit"], origin=url.rstrip("/"),
                           max_size=None, open_timeout=60) as ws:
            await _run(ws, session, session.client_state(), "open")
            for _ in range(actions):
                await asyncio.sleep(rng.uniform(*think))
                choice = rng.choice(["country", "sector", "kind", "search", "pan", "zoom"])
                if choice in ("pan", "zoom") and not session.map_fragment:
                    # Nothing matches, so there is no map to move: change a filter instead.
                    choice = rng.choice(["country", "sector", "kind", "search"])
                if choice == "country":
                    done = session.set_strings("country", rng.sample(COUNTRIES, rng.randint(0, 2)))
                elif choice == "sector":
                    done = session.set_strings("sector", rng.sample(SECTORS, rng.randint(0, 2)))
                elif choice == "kind":
                    done = session.set_strings("kind", rng.sample(["support", "solution"],
                                                                  rng.randint(0, 1)))
                elif choice == "search":
                    done = session.set_text("q", rng.choice(WORDS + [""]))
                elif choice == "pan":
                    lat, lon = rng.choice(CITIES)
                    done = session.set_view((lat + rng.uniform(-1, 1), lon + rng.uniform(-1, 1)),
                                            max(session.zoom, 6))
                else:
                    done = session.set_view(session.centre, rng.choice([5, 7, 9, 11, 13]))
                if not done:
                    session.errors.append(f"{choice}: the widget was not on the page")
                    continue
                moved = choice in ("pan", "zoom")
                if not moved:  # a page run: the map is there again only if it is drawn
                    session.map_fragment = ""
                await _run(ws, session, session.client_state(
                    fragment_id=session.map_fragment if moved else ""), choice)
    except Exception as exc:  # noqa: BLE001 — every failure is a reported error
        session.errors.append(f"connection: {type(exc).__name__}: {exc}")
    return session


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(database: str, port: int, checkout: Path | None = None) -> subprocess.Popen:
    """``atlas serve`` on ``database``; ``checkout``: another checkout's code (e.g. a
    ``git worktree`` of an earlier commit, to compare in the same run), with its own
    cache folder, run by this checkout's interpreter."""
    env = {**os.environ, "ATLAS_DATABASE_URL": database}
    command = [str(ROOT / ".venv" / "bin" / "atlas") if (ROOT / ".venv" / "bin" / "atlas").exists()
               else shutil.which("atlas") or "atlas"]
    if checkout is not None:
        env.update(PYTHONPATH=str(checkout), ATLAS_HOME=str(checkout / "var"))
        command = [sys.executable, "-m", "atlas_app.cli"]
    process = subprocess.Popen(
        [*command, "serve", "--port", str(port), "--address", "127.0.0.1"], env=env,
        cwd=checkout or ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2)
            return process
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise SystemExit("the app did not start")


def memory_of(pid: int) -> tuple[float, float]:
    """(current, peak) resident memory of a process in MB."""
    status = Path(f"/proc/{pid}/status").read_text()
    values = {line.split(":")[0]: int(line.split()[1]) for line in status.splitlines()
              if line.startswith(("VmRSS", "VmHWM"))}
    return values.get("VmRSS", 0) / 1024, values.get("VmHWM", 0) / 1024


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


async def load(url: str, sessions: int, actions: int, seed: int,
               think: tuple[float, float] = (1.0, 3.0), ramp: float = 0.0) -> list[Session]:
    return await asyncio.gather(*(visitor(url, actions, seed + i, think,
                                          ramp * i / max(1, sessions))
                                  for i in range(sessions)))


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--url", help="a running app")
    where.add_argument("--database", help="start an app on this registry")
    parser.add_argument("--checkout", type=Path,
                        help="with --database: serve another checkout's code (e.g. a git "
                             "worktree of the commit to compare with)")
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--actions", type=int, default=8)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--think", default="1,3", metavar="MIN,MAX",
                        help="seconds a visitor pauses between actions (default 1,3)")
    parser.add_argument("--ramp", type=float, default=10.0,
                        help="seconds over which the visitors arrive (default 10)")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    args = parser.parse_args(argv)
    process = None
    url = args.url
    if args.database:
        port = free_port()
        process = start_app(args.database, port, args.checkout)
        url = f"http://127.0.0.1:{port}"
    try:
        if process:  # one visit first, so the index is built before the crowd arrives
            warm = asyncio.run(load(url, 1, 0, 0))[0]
            if warm.errors:
                raise SystemExit(f"the app failed on a first visit: {warm.errors}")
        started = time.perf_counter()
        think = tuple(float(v) for v in args.think.split(","))
        results = asyncio.run(load(url, args.sessions, args.actions, args.seed, think,
                                   args.ramp))
        elapsed = time.perf_counter() - started
        memory = memory_of(process.pid) if process else (None, None)
    finally:
        if process:
            process.terminate()
            process.wait(timeout=30)
    times = [t for s in results for _, t in s.timings]
    actions = [t for s in results for label, t in s.timings if label != "open"]
    opens = [t for s in results for label, t in s.timings if label == "open"]
    errors = [e for s in results for e in s.errors]
    summary = {"sessions": args.sessions, "think": args.think, "runs": len(times),
               "seconds": round(elapsed, 1),
               "median": round(statistics.median(times), 3) if times else None,
               "p95": round(percentile(times, 0.95), 3) if times else None,
               "worst": round(max(times), 3) if times else None,
               "p95_open": round(percentile(opens, 0.95), 3) if opens else None,
               "p95_actions": round(percentile(actions, 0.95), 3) if actions else None,
               "ramp": args.ramp,
               "moves": sum(1 for s in results for label, _ in s.timings
                            if label in ("pan", "zoom")),
               "fragment_runs": sum(s.fragment_runs for s in results),
               "errors": len(errors), "error_samples": errors[:5],
               "server_rss_mb": memory[0] and round(memory[0]),
               "server_peak_mb": memory[1] and round(memory[1])}
    if args.json:
        print(json.dumps(summary))
    else:
        print(f"{summary['sessions']} sessions arriving over {summary['ramp']:g} s (pauses "
              f"{summary['think']} s), {summary['runs']} "
              f"runs in {summary['seconds']} s:"
              f" median {summary['median']} s, p95 {summary['p95']} s, worst "
              f"{summary['worst']} s (p95 first page {summary['p95_open']} s, p95 actions "
              f"{summary['p95_actions']} s), {summary['errors']} errors; server memory "
              f"{summary['server_rss_mb']} MB (peak {summary['server_peak_mb']} MB)")
        for error in summary["error_samples"]:
            print("  error:", error)
    return summary


if __name__ == "__main__":
    sys.exit(1 if main()["errors"] else 0)
