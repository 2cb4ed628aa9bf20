"""Run reading code in a child process with an address-space limit: a crash kills only that child.

python-calamine is Rust: when an allocation fails it aborts the whole process (no Python
exception), and a reader bug on a hostile file would do the same. The pre-scan
(core.reading.extent) keeps normal and hostile files within bounds; this is the second wall.

A small fork server (`python -c …serve()`, started on first use, ~0.15 s, one per calling
process) has calamine imported (and imports a called function's module the first time it is
asked for, so that later children start warm); each call forks a child from it (safe although the caller — the
Streamlit server — has threads, which a plain fork would not be), the child sets RLIMIT_AS to its
size + CHILD_MEMORY_BYTES and RLIMIT_CPU, runs the function and sends the pickled result back.
If it dies, runs out of memory or passes the timeout (then it is killed), the caller gets
ChildFailed and rejects that one file. A call costs a few milliseconds. multiprocessing's own
"forkserver" was measured first: ~20 ms a call, and every child re-imports the caller's main
script (for `streamlit run`, all of Streamlit), so it is not used.

A process that is itself disposable (an ingest pool worker) calls confine() once and then runs
the same code in-process: its pool notices a dead worker and the files are redone one by one.
"""
from __future__ import annotations

import importlib
import os
import pickle
import resource
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Callable

from core.reading.limits import CHILD_MEMORY_BYTES, CHILD_TIMEOUT_SECONDS

PRELOAD = ("core.reading.load",)  # imported once by the fork server, not by every child
ROOT = Path(__file__).resolve().parents[2]
_confined = False
_lock = threading.Lock()
_server: tuple[subprocess.Popen, socket.socket] | None = None


class ChildFailed(Exception):
    """The confined call did not return. reason: 'memory', 'timeout', 'crash' or 'raised' (kind = exception type)."""

    def __init__(self, reason: str, kind: str = "", detail: str = ""):
        super().__init__(f"{reason}: {kind} {detail}".strip())
        self.reason, self.kind, self.detail = reason, kind, detail

    @property
    def resources(self) -> bool:
        """True when the child ran out of memory or time or died (the file is too big or hostile)."""
        return self.reason in ("memory", "timeout", "crash")


def confined() -> bool:
    """True in a process that runs reading code itself (a confined child or pool worker)."""
    return _confined


def _address_space() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[0]) * resource.getpagesize()


def _one_malloc_arena() -> None:
    """No new glibc malloc arenas from here on (mallopt M_ARENA_MAX): each one reserves 64 MB of
    address space, so threads starting after confine() (the reader's own) could use up the budget
    without reading anything — seen as a normal workbook refused with zlib-rs's MemError, now and
    then. Nothing on other C libraries."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").mallopt(-8, 1)  # M_ARENA_MAX
    except (OSError, AttributeError):
        pass


def confine(budget: int = CHILD_MEMORY_BYTES, cpu_seconds: int | None = None) -> None:
    """Limit this process's address space to its current size + budget; reading code then runs in-process."""
    global _confined
    _one_malloc_arena()
    limit = _address_space() + budget
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    if cpu_seconds is not None:
        _, hard = resource.getrlimit(resource.RLIMIT_CPU)
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, hard))
    os.environ["RUST_BACKTRACE"] = "0"  # an aborting allocation prints one line, not a backtrace
    _confined = True


# -- wire format: 8-byte length, then a pickle ------------------------------------------------

def _send(sock: socket.socket, payload: bytes) -> None:
    sock.sendall(struct.pack("<Q", len(payload)) + payload)


def _recv_exact(sock: socket.socket, n: int, deadline: float | None) -> bytes:
    parts, got = [], 0
    while got < n:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            sock.settimeout(left)
        chunk = sock.recv(min(n - got, 1 << 20))
        if not chunk:
            raise EOFError
        parts.append(chunk)
        got += len(chunk)
    return b"".join(parts)


def _recv(sock: socket.socket, deadline: float | None = None) -> bytes:
    (n,) = struct.unpack("<Q", _recv_exact(sock, 8, deadline))
    return _recv_exact(sock, n, deadline)


# -- server side (runs in the fork server and its children) -----------------------------------

def serve(control_fd: int) -> None:
    """The fork server's loop: one forked child per connection received over the control socket."""
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the kernel
    for name in PRELOAD:
        importlib.import_module(name)
    control = socket.socket(fileno=control_fd)
    while True:
        try:
            msg, fds, _, _ = socket.recv_fds(control, 256, 1)
        except OSError:
            break
        if not msg:
            break  # the calling process has gone
        if not fds:
            continue
        module = msg.decode("ascii", "replace")
        if module not in sys.modules and module.startswith("core."):
            try:  # imported here once, so later children start warm (e.g. pandas for annotated copies)
                importlib.import_module(module)
            except Exception:  # noqa: BLE001 - the child will report it
                pass
        if os.fork() == 0:
            control.close()
            try:
                _serve_one(fds[0])
            finally:
                os._exit(0)
        os.close(fds[0])


def _serve_one(fd: int) -> None:
    conn = socket.socket(fileno=fd)
    conn.sendall(struct.pack("<q", os.getpid()))
    module, name, args = pickle.loads(_recv(conn))
    confine(cpu_seconds=CHILD_TIMEOUT_SECONDS + 5)
    try:
        result = ("ok", getattr(importlib.import_module(module), name)(*args))
    except BaseException as exc:  # noqa: BLE001 - reported to the caller, which decides
        result = ("raised", (type(exc).__name__, str(exc)[:300]))
    try:
        payload = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
    except BaseException as exc:  # noqa: BLE001 - e.g. MemoryError while pickling a huge result
        payload = pickle.dumps(("raised", (type(exc).__name__, "")))
    _send(conn, payload)
    conn.close()


# -- client side --------------------------------------------------------------------------------

def _control() -> socket.socket:
    """The control socket of this process's fork server, (re)started when needed (caller holds _lock)."""
    global _server
    if _server is not None and _server[0].poll() is None:
        return _server[1]
    if _server is not None:
        _server[1].close()
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p),
           "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}  # no BLAS threads in a process that forks
    proc = subprocess.Popen(
        [sys.executable, "-c", f"from core.reading.sandbox import serve; serve({theirs.fileno()})"],
        pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL, env=env, cwd=str(ROOT))
    theirs.close()
    _server = (proc, ours)
    return ours


def run(fn: Callable, *args, timeout: float = CHILD_TIMEOUT_SECONDS):
    """fn(*args) in a confined child (in-process when this process is confined); raises ChildFailed.

    fn must be a module-level function (it is looked up by module and name in the child).
    """
    if _confined:  # as a forked child reports it (_serve_one): the same file gets the same message
        try:
            return fn(*args)
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:  # noqa: BLE001 - a Rust panic is a BaseException (pyo3's PanicException)
            kind = type(exc).__name__
            raise ChildFailed("memory" if kind == "MemoryError" else "raised", kind, str(exc)[:300]) from exc
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        with _lock:
            for attempt in (1, 2):
                try:
                    socket.send_fds(_control(), [fn.__module__.encode("ascii")], [theirs.fileno()])
                    break
                except OSError:
                    if attempt == 2:
                        raise
                    _server[0].kill()  # a dead or stuck server: start a new one
                    _server[0].wait()
        theirs.close()
        deadline = time.monotonic() + timeout
        pid = None
        try:
            (pid,) = struct.unpack("<q", _recv_exact(ours, 8, deadline))
            _send(ours, pickle.dumps((fn.__module__, fn.__qualname__, args), protocol=pickle.HIGHEST_PROTOCOL))
            status, payload = pickle.loads(_recv(ours, deadline))
        except TimeoutError:
            status, payload = "timeout", None
        except (EOFError, OSError, struct.error, pickle.UnpicklingError):
            status, payload = "crash", None
        if status == "timeout" and pid:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
    finally:
        ours.close()
        theirs.close()
    if status == "ok":
        return payload
    if status == "raised":
        kind, detail = payload
        raise ChildFailed("memory" if kind == "MemoryError" else "raised", kind, detail)
    raise ChildFailed(status)
