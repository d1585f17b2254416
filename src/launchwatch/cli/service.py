"""``launchwatch serve``: the service (FastAPI + uvicorn) with the live dashboard at ``/``;
registered on the main app by :mod:`launchwatch.cli`.

Bad input (an unusable ``--db`` URL, a port in use): one line on stderr and exit code 2.
"""

from __future__ import annotations

import errno
import socket
from typing import Annotated

import typer

from .common import fail


def _check_port(host: str, port: int) -> None:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        fail(f"cannot resolve host {host!r}: {exc.strerror}")
    family, _, _, _, addr = infos[0]
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(addr)
        except OSError as exc:
            why = "is already in use" if exc.errno == errno.EADDRINUSE else f": {exc.strerror}"
            fail(f"cannot listen on {host}:{port}: the port {why}".replace(": the port :", ":"))


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port (0 < port < 65536).")] = 8000,
    db: Annotated[str | None, typer.Option(
        "--db", help="SQLAlchemy URL of the record (default $LAUNCHWATCH_DB_URL or the "
                     "user's data directory).")] = None,
    log_level: Annotated[str, typer.Option(help="uvicorn log level.")] = "info",
) -> None:
    """Serve the API (OpenAPI at /docs), the live feed (/ws/live) and the dashboard (/)."""
    if not 0 < port < 65536:
        fail(f"port {port} is outside 1..65535")
    if log_level not in ("critical", "error", "warning", "info", "debug", "trace"):
        fail(f"unknown log level {log_level!r}")
    from ..record.store import RecordError, Store

    try:
        store = Store(db)
    except RecordError as exc:
        fail(str(exc))
    _check_port(host, port)
    import uvicorn

    from ..service.app import create_app

    typer.echo(f"launchwatch: serving on http://{host}:{port}/ (record: {store.url})", err=True)
    uvicorn.run(create_app(store), host=host, port=port, log_level=log_level,
                ws_ping_interval=20, timeout_graceful_shutdown=3)
