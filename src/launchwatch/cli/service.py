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


def _is_loopback(host: str) -> bool:
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port (0 < port < 65536).")] = 8000,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="SQLAlchemy URL of the record (default $LAUNCHWATCH_DB_URL or the "
            "user's data directory).",
        ),
    ] = None,
    log_level: Annotated[str, typer.Option(help="uvicorn log level.")] = "info",
    keys: Annotated[
        str | None,
        typer.Option(
            "--keys",
            help="API key file (default $LAUNCHWATCH_KEYS or api-keys.json in the "
            "user's data directory); see launchwatch keys.",
        ),
    ] = None,
    allow_origin: Annotated[
        list[str] | None,
        typer.Option(
            "--allow-origin",
            help="Another origin (scheme://host[:port]) whose pages may write "
            "and open the live feed; repeat for more.",
        ),
    ] = None,
    allow_host: Annotated[
        list[str] | None,
        typer.Option(
            "--allow-host",
            help="Host header value the service answers to (on loopback: only "
            "loopback names unless given); repeat for more.",
        ),
    ] = None,
    max_body_kb: Annotated[
        int, typer.Option("--max-body-kb", help="Largest request body, KiB.")
    ] = 1024,
    write_rate: Annotated[
        float, typer.Option("--write-rate", help="Writes per second per key (burst 6x).")
    ] = 5.0,
    max_ws: Annotated[int, typer.Option("--max-ws", help="Live-feed clients at once.")] = 64,
    keep_simulated: Annotated[
        int,
        typer.Option(
            "--keep-simulated",
            help="Simulated run events kept in the record (older ones are deleted); 0 keeps all.",
        ),
    ] = 200,
) -> None:
    """Serve the API (OpenAPI at /docs), the live feed (/ws/live) and the dashboard (/).

    Reads are open; writes need an API key (launchwatch keys create). On an address other
    than loopback the service refuses to start without at least one active key."""
    if not 0 < port < 65536:
        fail(f"port {port} is outside 1..65535")
    if log_level not in ("critical", "error", "warning", "info", "debug", "trace"):
        fail(f"unknown log level {log_level!r}")
    if not 1 <= max_body_kb <= 1 << 20:
        fail("--max-body-kb must be within 1..1048576")
    if not (0 < write_rate <= 1e6) or not 1 <= max_ws <= 100_000 or keep_simulated < 0:
        fail("--write-rate must be > 0, --max-ws within 1..100000, --keep-simulated >= 0")
    origins = []
    for o in allow_origin or []:
        from urllib.parse import urlsplit

        u = urlsplit(o)
        if u.scheme not in ("http", "https") or not u.netloc or u.path not in ("", "/"):
            fail(f"--allow-origin {o!r} is not scheme://host[:port]")
        origins.append(f"{u.scheme}://{u.netloc}".lower())
    from ..service.auth import KeyFileError, KeyRing, default_path
    from ..service.guard import Limits, loopback_hosts

    try:
        ring = KeyRing(keys or default_path())
        n_keys = ring.active()
    except KeyFileError as exc:
        fail(str(exc))
    loop = _is_loopback(host)
    if not loop and n_keys == 0:
        fail(
            f"serving on {host} (not loopback) needs at least one API key in {ring.path}: "
            "create one with launchwatch keys create --role operator"
        )
    hosts = tuple(h.lower() for h in allow_host or ())
    if loop:
        hosts += loopback_hosts(port)
    limits = Limits(
        max_body=max_body_kb * 1024,
        key_rate=write_rate,
        key_burst=max(1, int(6 * write_rate)),
        addr_rate=2 * write_rate,
        addr_burst=max(1, int(12 * write_rate)),
        max_ws=max_ws,
        allow_origins=tuple(origins),
        allowed_hosts=hosts,
        keep_simulated=keep_simulated or None,
    )
    from ..record.store import RecordError, Store

    try:
        store = Store(db)
    except RecordError as exc:
        fail(str(exc))
    _check_port(host, port)
    import uvicorn

    from ..service.app import create_app

    typer.echo(
        f"launchwatch: serving on http://{host}:{port}/ (record: {store.url}; "
        f"{n_keys} API key(s) in {ring.path}"
        + ("; read-only until a key is created" if n_keys == 0 else "")
        + ")",
        err=True,
    )
    uvicorn.run(
        create_app(store, keys=ring, limits=limits),
        host=host,
        port=port,
        log_level=log_level,
        ws_ping_interval=20,
        timeout_graceful_shutdown=3,
        ws_max_size=1 << 16,
        h11_max_incomplete_event_size=64 * 1024,
    )
