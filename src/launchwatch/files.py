"""Reading input files the user names, safely: bounded size, UTF-8 checked, one-line errors.

Every command that reads a file a user points at (scenarios, statements, imports, node
configurations, key files) goes through :func:`read_text` / :func:`read_bytes`: at most
``limit`` bytes are ever read (``/dev/zero``, a FIFO or a huge file cannot exhaust memory), a
folder or a missing file is a clear error, and bytes that are not UTF-8 are reported with their
offset, never as a traceback.
"""

from __future__ import annotations

import os
from pathlib import Path

#: Default largest input file, bytes.
DEFAULT_LIMIT = 16 << 20


class InputFileError(ValueError):
    """An input file that cannot be used: one line naming the file and why."""


def read_bytes(path: str | Path, *, limit: int = DEFAULT_LIMIT, what: str = "file") -> bytes:
    """At most ``limit`` bytes of ``path``; :class:`InputFileError` if it holds more."""
    path = Path(path)
    try:
        with open(path, "rb") as fh:
            if os.path.isdir(path):
                raise InputFileError(f"{path}: is a folder, not a {what}")
            data = fh.read(limit + 1)
    except IsADirectoryError:
        raise InputFileError(f"{path}: is a folder, not a {what}") from None
    except ValueError:  # a NUL in the name
        raise InputFileError(f"{str(path)!r}: not a file name") from None
    except OSError as exc:
        raise InputFileError(
            f"{path}: cannot read the {what} ({exc.strerror or type(exc).__name__})"
        ) from None
    if len(data) > limit:
        raise InputFileError(
            f"{path}: larger than {limit:,} bytes, not a {what} this command reads"
        )
    return data


def decode(data: bytes, source: str, what: str = "file") -> str:
    """``data`` as UTF-8 (a leading byte-order mark dropped); one-line error otherwise."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputFileError(
            f"{source}: the {what} is not UTF-8 text (byte {exc.start}: "
            f"{data[exc.start : exc.start + 1]!r})"
        ) from None
    if "\x00" in text:
        raise InputFileError(f"{source}: the {what} holds NUL characters, not text")
    return text


def read_text(path: str | Path, *, limit: int = DEFAULT_LIMIT, what: str = "file") -> str:
    """The UTF-8 text of ``path`` (at most ``limit`` bytes read)."""
    return decode(read_bytes(path, limit=limit, what=what), str(path), what)
