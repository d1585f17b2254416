"""API keys with roles: who may write to the service.

Reading (the public record, the map layers, the live view of runs) is open. Everything that
changes state needs a key with a role, sent as ``Authorization: Bearer <key>``:

* ``writer``   -- add reports (``POST /api/events``, ``POST /api/events/ingest``);
* ``operator`` -- a writer who may also start scenario runs;
* ``admin``    -- an operator who may also manage keys.

A key is ``lw_<id>_<secret>`` (``id``: 8 hex digits; ``secret``: 32 random bytes, URL-safe
base64). It is shown once, when created (``launchwatch keys create --role writer``); the key
file keeps only its SHA-256 (compared in constant time), its role, a label and dates. The file
is JSON (``api-keys.json`` under the user's data directory, or ``$LAUNCHWATCH_KEYS``), written
atomically with mode 0600 in a 0700 folder, and read again when it changes on disk, so a key
revoked from the command line stops working in a running service at its next request.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import re
import secrets
import tempfile
import threading
from dataclasses import asdict, dataclass
from pathlib import Path

ENV_KEYS = "LAUNCHWATCH_KEYS"
KEYS_FILE = "api-keys.json"
FORMAT = "launchwatch-api-keys/1"
#: Roles from least to most powerful; a role may do everything of the roles before it.
ROLES = ("reader", "writer", "operator", "admin")
#: Largest key file read back, bytes (a few thousand keys).
MAX_FILE = 4 << 20
_KEY = re.compile(r"^lw_([0-9a-f]{8})_([A-Za-z0-9_-]{43})$")


class KeyFileError(ValueError):
    """Bad key file or key request: one-line message."""


def default_path() -> Path:
    """``$LAUNCHWATCH_KEYS``, else ``api-keys.json`` under the user's data directory."""
    if p := os.environ.get(ENV_KEYS):
        return Path(p).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("launchwatch")) / KEYS_FILE


def role_at_least(role: str, needed: str) -> bool:
    """Whether ``role`` may do what ``needed`` may."""
    return ROLES.index(role) >= ROLES.index(needed)


def _hash(key: str) -> str:
    return hashlib.sha256(("launchwatch-api-key:" + key).encode()).hexdigest()


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


@dataclass(frozen=True)
class KeyInfo:
    """One stored key (never the key itself): id, role, label, dates, and its hash."""

    id: str
    role: str
    label: str
    created_utc: str
    sha256: str
    revoked_utc: str | None = None

    def public(self) -> dict:
        d = asdict(self)
        d.pop("sha256")
        return d


@dataclass(frozen=True)
class Caller:
    """Who made a request: the key id and role, or an anonymous reader."""

    key_id: str | None
    role: str


ANONYMOUS = Caller(None, "reader")


class KeyRing:
    """The key file at ``path`` (or, with ``path=None``, keys held in memory only)."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path is not None else None
        self._lock = threading.Lock()
        self._keys: dict[str, KeyInfo] = {}
        self._stamp: tuple | None = None
        self._load()

    # -- file ---------------------------------------------------------------------------
    def _load(self) -> None:
        if self.path is None:
            return
        try:
            st = self.path.stat()
        except FileNotFoundError:
            self._keys, self._stamp = {}, None
            return
        except OSError as exc:
            raise KeyFileError(f"cannot read the key file {self.path}: {exc.strerror}") from None
        stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
        if stamp == self._stamp:
            return
        if st.st_mode & 0o077:
            raise KeyFileError(
                f"the key file {self.path} is readable by others: chmod 600 {self.path}"
            )
        if st.st_size > MAX_FILE:
            raise KeyFileError(f"the key file {self.path} is larger than {MAX_FILE} bytes")
        from ..files import InputFileError, read_bytes

        try:
            doc = json.loads(read_bytes(self.path, limit=MAX_FILE, what="key file"))
            if doc.get("format") != FORMAT:
                raise ValueError(f"format is not {FORMAT}")
            keys = {}
            for k in doc["keys"]:
                info = KeyInfo(**k)
                if (
                    info.role not in ROLES
                    or not re.fullmatch(r"[0-9a-f]{8}", info.id)
                    or not re.fullmatch(r"[0-9a-f]{64}", info.sha256)
                ):
                    raise ValueError(f"bad entry {info.id!r}")
                keys[info.id] = info
        except InputFileError as exc:
            raise KeyFileError(str(exc)) from None
        except (ValueError, TypeError, KeyError, AttributeError, UnicodeDecodeError) as exc:
            why = " ".join(str(exc).split())[:120]
            raise KeyFileError(
                f"the key file {self.path} is not valid ({why}); move it aside "
                f"and create keys again"
            ) from None
        self._keys, self._stamp = keys, stamp

    def _save(self) -> None:
        if self.path is None:
            return
        folder = self.path.parent
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        doc = {"format": FORMAT, "keys": [asdict(k) for k in self._keys.values()]}
        fd, tmp = tempfile.mkstemp(prefix=".api-keys-", dir=folder)
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(doc, f, indent=1)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        st = self.path.stat()
        self._stamp = (st.st_mtime_ns, st.st_size, st.st_ino)

    # -- management ---------------------------------------------------------------------
    def create(self, role: str, label: str = "") -> tuple[str, KeyInfo]:
        """A new key of ``role``: (the key, shown once; its stored record)."""
        if role not in ROLES[1:]:
            raise KeyFileError(f"role must be one of {', '.join(ROLES[1:])} (got {role!r})")
        if len(label) > 80 or any(ord(c) < 32 for c in label):
            raise KeyFileError("the label must be at most 80 printable characters")
        with self._lock:
            self._load()
            kid = secrets.token_hex(4)
            while kid in self._keys:
                kid = secrets.token_hex(4)
            key = f"lw_{kid}_{secrets.token_urlsafe(32)}"
            info = KeyInfo(id=kid, role=role, label=label, created_utc=_now(), sha256=_hash(key))
            self._keys[kid] = info
            self._save()
        return key, info

    def revoke(self, key_id: str) -> KeyInfo:
        """Revoke the key ``key_id`` (it stays listed, marked revoked)."""
        with self._lock:
            self._load()
            info = self._keys.get(key_id)
            if info is None:
                raise KeyFileError(f"no key {key_id!r} (see launchwatch keys list)")
            if info.revoked_utc is None:
                info = KeyInfo(**{**asdict(info), "revoked_utc": _now()})
                self._keys[key_id] = info
                self._save()
        return info

    def list(self) -> list[KeyInfo]:
        with self._lock:
            self._load()
            return list(self._keys.values())

    def active(self) -> int:
        """Number of keys not revoked."""
        return sum(k.revoked_utc is None for k in self.list())

    # -- checking -----------------------------------------------------------------------
    def check(self, key: str) -> Caller | None:
        """The caller holding ``key``, or ``None`` when it is unknown, malformed or revoked."""
        m = _KEY.match(key)
        if m is None:
            return None
        with self._lock:
            try:
                self._load()
            except KeyFileError:
                return None  # a broken file admits nobody; the service logs it at start
            info = self._keys.get(m.group(1))
        if info is None or info.revoked_utc is not None:
            return None
        if not hmac.compare_digest(info.sha256, _hash(key)):
            return None
        return Caller(info.id, info.role)
