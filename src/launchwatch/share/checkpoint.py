"""A partner node's checkpoint file: versioned MessagePack of plain data, never pickle.

The file holds ``{"format": FORMAT, "version": VERSION, "node_id", "scenario", "state"}``
where ``state`` is :meth:`launchwatch.share.node.Node.state`: str, numbers, bools, None,
lists, dicts, and NumPy arrays of plain (non-object) dtypes, each stored as a MessagePack
extension holding its ``.npy`` bytes (read back with ``allow_pickle=False``).  Nothing in the
file can make the reader run code.  Written atomically (a temporary file in the same folder,
``fsync``, then :func:`os.replace`) with mode 0600.  Any problem reading it is one
:class:`CheckpointError` naming the file.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import msgspec
import numpy as np

FORMAT = "launchwatch-node-checkpoint"
VERSION = 1
#: MessagePack extension code of an ``.npy``-encoded array.
_NPY = 1
#: Largest checkpoint read back (bytes).
MAX_BYTES = 1 << 30


class CheckpointError(ValueError):
    """A checkpoint that cannot be used; one line naming the file."""


class _File(msgspec.Struct, forbid_unknown_fields=True):
    format: str
    version: int
    node_id: str
    scenario: str
    state: dict[str, Any]


def _enc_hook(obj):
    if isinstance(obj, np.ndarray):
        if obj.dtype.hasobject:
            raise TypeError("object arrays are not plain data")
        buf = io.BytesIO()
        np.save(buf, obj, allow_pickle=False)
        return msgspec.msgpack.Ext(_NPY, buf.getvalue())
    if isinstance(obj, np.generic):
        return obj.item()
    raise TypeError(f"not plain data: {type(obj).__name__}")


def _ext_hook(code: int, data: memoryview):
    if code != _NPY:
        raise ValueError(f"unknown extension {code}")
    return np.load(io.BytesIO(bytes(data)), allow_pickle=False)


def write_checkpoint(path: str | Path, *, node_id: str, scenario: str, state: dict) -> None:
    """Write ``state`` (plain data, see module docstring) to ``path`` atomically, mode 0600."""
    path = Path(path)
    data = msgspec.msgpack.Encoder(enc_hook=_enc_hook).encode(
        {
            "format": FORMAT,
            "version": VERSION,
            "node_id": node_id,
            "scenario": scenario,
            "state": state,
        }
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def read_checkpoint(path: str | Path, *, node_id: str, scenario: str) -> dict | None:
    """The ``state`` in the checkpoint at ``path`` (``None`` if there is none), checked to be
    this format and version, of node ``node_id`` and scenario ``scenario``."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_BYTES:
            raise CheckpointError(f"{path}: checkpoint larger than {MAX_BYTES} bytes")
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise CheckpointError(f"{path}: cannot read the checkpoint ({exc.strerror})") from None
    try:
        f = msgspec.msgpack.Decoder(_File, ext_hook=_ext_hook).decode(data)
    except (msgspec.DecodeError, msgspec.ValidationError, ValueError, TypeError) as exc:
        raise CheckpointError(f"{path}: not a node checkpoint ({exc})") from None
    if f.format != FORMAT or f.version != VERSION:
        raise CheckpointError(
            f"{path}: checkpoint {f.format!r} version {f.version}, "
            f"this launchwatch reads {FORMAT!r} version {VERSION}"
        )
    if f.node_id != node_id or f.scenario != scenario:
        raise CheckpointError(
            f"{path}: checkpoint of node {f.node_id} on scenario "
            f"{f.scenario}, not of {node_id} on {scenario}"
        )
    return f.state
