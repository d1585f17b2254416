"""``launchwatch keys ...``: API keys of the service (create, list, revoke).

A key is printed once, when created; the key file keeps only its hash (see
:mod:`launchwatch.service.auth`). Bad input: one line on stderr and exit code 2.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer

keys_app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="API keys of the service: create (shown once), list, revoke.",
)

KeysOption = Annotated[
    str | None,
    typer.Option(
        "--keys",
        help="Key file (default $LAUNCHWATCH_KEYS or api-keys.json in the user's data directory).",
    ),
]


from .common import fail as _fail  # noqa: E402


def _ring(path: str | None):
    from ..service.auth import KeyFileError, KeyRing, default_path

    try:
        return KeyRing(path or default_path())
    except KeyFileError as exc:
        _fail(str(exc))


@keys_app.command("create")
def create(
    role: Annotated[str, typer.Option(help="writer | operator | admin")] = "writer",
    label: Annotated[str, typer.Option(help="Who or what the key is for.")] = "",
    keys: KeysOption = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Create a key and print it once (only its hash is stored)."""
    from ..service.auth import KeyFileError

    ring = _ring(keys)
    try:
        key, info = ring.create(role, label)
    except (KeyFileError, OSError) as exc:
        _fail(
            str(exc)
            if isinstance(exc, KeyFileError)
            else f"cannot write the key file {ring.path}: {exc.strerror}"
        )
    if json_out:
        typer.echo(json.dumps({"key": key, **info.public()}))
        return
    typer.echo(key)
    typer.echo(
        f"key {info.id} ({info.role}) stored in {ring.path}; this is the only time the "
        "key is shown",
        err=True,
    )


@keys_app.command("list")
def list_keys(
    keys: KeysOption = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List keys (id, role, label, dates); never the keys themselves."""
    ring = _ring(keys)
    rows = [k.public() for k in ring.list()]
    if json_out:
        typer.echo(json.dumps(rows))
        return
    if not rows:
        typer.echo("no keys")
    for k in rows:
        state = f"revoked {k['revoked_utc']}" if k["revoked_utc"] else "active"
        typer.echo(f"{k['id']}  {k['role']:<8}  {k['created_utc']}  {state:<30}  {k['label']}")


@keys_app.command("revoke")
def revoke(
    key_id: Annotated[str, typer.Argument(help="Key id (see keys list).")], keys: KeysOption = None
) -> None:
    """Revoke a key: it stops working at once, also in a running service."""
    from ..service.auth import KeyFileError

    ring = _ring(keys)
    try:
        info = ring.revoke(key_id.strip())
    except KeyFileError as exc:
        _fail(str(exc))
    typer.echo(f"revoked key {info.id} ({info.role})")
