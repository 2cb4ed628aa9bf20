"""Nagle's algorithm is off on the web server's connections (ui/nodelay.py)."""
from __future__ import annotations

import socket

from streamlit.web.server.starlette import starlette_server

from tests.conftest import ROOT
from ui import nodelay


def _accepted(listener: socket.socket) -> tuple[socket.socket, socket.socket]:
    client = socket.create_connection(listener.getsockname()[:2])
    server_side, _ = listener.accept()
    return client, server_side


def _nodelay(sock: socket.socket) -> bool:
    return bool(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))


def test_streamlits_listener_leaves_nagle_on_and_no_delay_turns_it_off_for_every_connection():
    listener = starlette_server._bind_socket("127.0.0.1", 0, 8)  # exactly how Streamlit binds its port
    other = starlette_server._bind_socket("127.0.0.1", 0, 8)
    try:
        client, before = _accepted(listener)
        with client, before:
            assert not _nodelay(before)  # why ui/nodelay.py exists: asyncio skips a protocol-0 socket
        assert nodelay.no_delay(listener.getsockname()[1]) == 1
        for _ in range(2):
            client, accepted = _accepted(listener)
            with client, accepted:
                assert _nodelay(accepted)
        client, elsewhere = _accepted(other)
        with client, elsewhere:
            assert not _nodelay(elsewhere)  # only the port asked for
    finally:
        listener.close()
        other.close()


def test_the_server_port_comes_from_streamlits_config_and_a_missing_listener_is_no_error(monkeypatch):
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]  # nothing listens here once closed
    from streamlit import config

    monkeypatch.setattr(config, "get_option", lambda name: port if name == "server.port" else None)
    assert nodelay.server_no_delay() == 0
    listener = starlette_server._bind_socket("127.0.0.1", port, 8)
    with listener:
        assert nodelay.server_no_delay() == 1


def test_the_dashboard_turns_nagle_off_when_the_web_server_imports_it():
    source = (ROOT / "app.py").read_text(encoding="utf-8")
    server_branch = source.split('if __name__ == "__main__":', 1)[1]
    assert "server_no_delay()" in server_branch.split("st.App(", 1)[0]  # before any connection is served
