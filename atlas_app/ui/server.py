"""The process ``atlas serve`` starts: Streamlit's own command line, with every TCP
connection sending at once.

Streamlit's server binds its listening socket itself, with ``proto`` left at 0; accepted
connections inherit it, and asyncio turns Nagle's algorithm off (``TCP_NODELAY``) only
for sockets that report ``IPPROTO_TCP`` (the same cause as uvicorn issue #3149). With
Nagle on, a rerun's small messages wait for the browser's delayed acknowledgement:
about 40 ms added to every click, pan and keystroke on Linux, up to 200 ms on Windows.
Here asyncio's helper also accepts such sockets, before the server starts.
"""

from __future__ import annotations

import asyncio.base_events
import socket
import sys


def set_nodelay(sock: socket.socket) -> None:
    """asyncio's ``_set_nodelay`` for any TCP socket, whatever its ``proto`` says."""
    if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.type == socket.SOCK_STREAM:
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass


def main(argv: list[str]) -> int:
    asyncio.base_events._set_nodelay = set_nodelay  # read at each accepted connection
    from streamlit.web.cli import main as streamlit

    return streamlit(args=argv, prog_name="streamlit")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
