"""No Nagle delay on the web server's connections.

Streamlit 1.67 binds its listening socket itself (`starlette_server._bind_socket`) as
`socket.socket(family)`, i.e. with protocol 0, and asyncio turns Nagle's algorithm off only on
sockets whose protocol is IPPROTO_TCP (`asyncio.base_events._set_nodelay`). So every connection
the server accepts kept Nagle on: the second write of a reply (a static file's body after its
headers, the next websocket message of a rerun) waited for the browser's delayed ACK, 40 ms on
Linux. Measured on a hello-world Streamlit app: 42–44 ms for every request on a kept-alive
connection after its first, against 1 ms with Nagle off (bench/RESULTS.md, "Nagle").

An accepted socket inherits TCP_NODELAY from its listening socket, and the listener already
exists when the web server imports app.py (before it accepts anything), so setting it there once
covers every connection: page files, the websocket, downloads.
"""
from __future__ import annotations

import logging
import os
import socket
import stat

LOG = logging.getLogger(__name__)
FD_DIR = "/proc/self/fd"
FD_SCAN = 1024  # where /proc is missing: the descriptors looked at


def _descriptors() -> list[int]:
    try:
        return [int(name) for name in os.listdir(FD_DIR)]
    except OSError:
        return list(range(3, FD_SCAN))


def _listening_on(sock: socket.socket, port: int) -> bool:
    try:
        return (sock.family in (socket.AF_INET, socket.AF_INET6) and sock.type == socket.SOCK_STREAM
                and bool(sock.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN))
                and sock.getsockname()[1] == port)
    except OSError:
        return False


def no_delay(port: int) -> int:
    """Turn Nagle off on this process's TCP sockets listening on `port`; how many there were."""
    found = 0
    for fd in _descriptors():
        try:
            if not stat.S_ISSOCK(os.fstat(fd).st_mode):
                continue
            sock = socket.socket(fileno=os.dup(fd))  # a duplicate: closing it leaves the server's open
        except OSError:
            continue
        with sock:
            if _listening_on(sock, port):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                found += 1
    if not found:
        LOG.warning("no listening socket on port %s: Nagle's algorithm stays on for its connections", port)
    return found


def server_no_delay() -> int:
    """`no_delay` on the port Streamlit's server was told to use (app.py, when the server imports it)."""
    from streamlit import config

    return no_delay(int(config.get_option("server.port")))
