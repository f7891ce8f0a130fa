"""A real HTTP server on 127.0.0.1 that speaks Nominatim's /search JSON, with scripted faults.

The behaviour is chosen by the ``city`` parameter of the structured query:
``Okcity*`` → a result; ``Nowhere`` → []; ``Busy`` → 429 with Retry-After: 1;
``Busynoheader`` → 429 without; ``Broken`` → 500; ``Slow`` → answers after 1.5 s;
``Forbidden`` → 403; ``Htmlpage`` → an HTML error page with status 200.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


class NominatimStub:
    def __init__(self, delay: float = 0.0) -> None:  # noqa: C901 (one handler per scenario)
        self.requests: Counter[str] = Counter()
        self.user_agents: set[str] = set()
        self.delay = delay
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output clean
                pass

            def do_GET(self):
                url = urlsplit(self.path)
                params = {k: v[0] for k, v in parse_qs(url.query).items()}
                city = params.get("city", "")
                stub.requests[city] += 1
                stub.user_agents.add(self.headers.get("User-Agent", ""))
                if stub.delay:
                    time.sleep(stub.delay)
                if url.path != "/search":
                    return self._send(404, b"not found", "text/plain")
                if city == "Slow":
                    time.sleep(1.5)
                if city.startswith("Okcity") or city.startswith("Place"):
                    n = sum(map(ord, city)) % 100
                    body = [{"lat": f"{45 + n / 100:.4f}", "lon": f"{3 + n / 100:.4f}",
                             "display_name": f"{city}, France", "class": "place",
                             "type": "village", "importance": 0.5}]
                    return self._send(200, json.dumps(body).encode(), "application/json")
                if city in ("Nowhere", "Slow"):
                    return self._send(200, b"[]", "application/json")
                if city == "Ratelimited":
                    return self._send(429, b"{}", "application/json", {"Retry-After": "1"})
                if city == "Ratelimitedlong":
                    return self._send(429, b"{}", "application/json", {"Retry-After": "3600"})
                if city == "Ratelimitednoheader":
                    return self._send(429, b"{}", "application/json")
                if city == "Broken":
                    return self._send(500, b"internal error", "text/plain")
                if city == "Forbidden":
                    return self._send(403, b"<h1>Access denied</h1>", "text/html")
                if city == "Htmlpage":
                    return self._send(200, b"<html><body>Maintenance</body></html>",
                                      "text/html")
                return self._send(200, b"[]", "application/json")

            def _send(self, status, body, ctype, headers=None):
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
