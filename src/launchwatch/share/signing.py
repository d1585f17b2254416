"""Ed25519 keys of partner nodes, and signing / verifying frames (``cryptography``).

Each node has one private key (PKCS#8 PEM) and gives its partners the public key
(SubjectPublicKeyInfo PEM). Private keys are written atomically with mode 0600 in a folder of
mode 0700, whatever the umask and whatever file was there before; a private key file readable
by its group or by others is refused when loaded (the message says ``chmod 600 FILE``). A key
may be encrypted PKCS#8 (``BestAvailableEncryption``): its passphrase comes from the
environment variable :data:`PASSPHRASE_ENV` or from the file named by
:data:`PASSPHRASE_FILE_ENV` (itself private), or from the caller.

A :class:`Keyring` maps partner node ids to their public keys; it comes from the node's
configuration. What is signed is the exact encoded envelope
(:func:`launchwatch.share.messages.encode_envelope`): the frame carries those bytes unchanged,
so there is no re-encoding on the receiving side and nothing to canonicalise twice.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from .messages import Envelope, Frame, encode_envelope, encode_frame

SIGNATURE_BYTES = 64
#: Environment variable holding the passphrase of encrypted private keys.
PASSPHRASE_ENV = "LAUNCHWATCH_KEY_PASSPHRASE"
#: Environment variable naming a file that holds the passphrase (first line).
PASSPHRASE_FILE_ENV = "LAUNCHWATCH_KEY_PASSPHRASE_FILE"
#: Largest key or passphrase file read, bytes.
MAX_KEY_FILE = 64 * 1024


class KeyFileError(ValueError):
    """A key file that is missing or is not an Ed25519 key (message names the file)."""


def generate_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def private_folder(folder: str | Path) -> Path:
    """``folder``, created if needed, with mode 0700 (whatever the umask)."""
    folder = Path(folder)
    created = not folder.exists()
    folder.mkdir(parents=True, exist_ok=True)
    if created or folder.stat().st_mode & 0o077:
        os.chmod(folder, 0o700)
    return folder


def write_private(path: str | Path, data: bytes, *, sync: bool = True) -> Path:
    """Write ``data`` to ``path`` atomically (temporary file, fsync unless ``sync=False``,
    rename) with mode 0600, in a 0700 folder; an existing file of any mode is replaced."""
    import tempfile

    path = Path(path)
    private_folder(path.parent)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            if sync:
                fh.flush()
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def save_private_key(
    key: Ed25519PrivateKey, path: str | Path, passphrase: bytes | None = None
) -> Path:
    """Write ``key`` as PKCS#8 PEM (encrypted when a ``passphrase`` is given), mode 0600."""
    enc = (
        serialization.BestAvailableEncryption(passphrase)
        if passphrase
        else serialization.NoEncryption()
    )
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, enc)
    return write_private(path, pem)


def save_public_key(key: Ed25519PublicKey | Ed25519PrivateKey, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(key, Ed25519PrivateKey):
        key = key.public_key()
    pem = key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(pem)
    os.replace(tmp, path)
    return path


def _read(path: str | Path, private: bool = False) -> bytes:
    try:
        with open(path, "rb") as fh:
            st = os.fstat(fh.fileno())
            if private and st.st_mode & 0o077:
                raise KeyFileError(
                    f"{path}: the private key is readable by group or others "
                    f"(mode {st.st_mode & 0o777:o}); run: chmod 600 {path}"
                )
            data = fh.read(MAX_KEY_FILE + 1)
    except OSError as exc:
        raise KeyFileError(f"{path}: cannot read key ({exc.strerror})") from None
    if len(data) > MAX_KEY_FILE:
        raise KeyFileError(f"{path}: larger than {MAX_KEY_FILE} bytes, not a key")
    return data


def passphrase_from_env() -> bytes | None:
    """The key passphrase from :data:`PASSPHRASE_ENV`, else from the private file named by
    :data:`PASSPHRASE_FILE_ENV` (its first line), else ``None``."""
    if (p := os.environ.get(PASSPHRASE_ENV)) is not None:
        return p.encode()
    if f := os.environ.get(PASSPHRASE_FILE_ENV):
        data = _read(f, private=True)
        return data.splitlines()[0] if data.strip() else None
    return None


def load_private_key(path: str | Path, passphrase: bytes | None = None) -> Ed25519PrivateKey:
    """The Ed25519 private key at ``path`` (mode 0600 or stricter), decrypted with
    ``passphrase`` or :func:`passphrase_from_env` when it is encrypted."""
    data = _read(path, private=True)
    encrypted = b"ENCRYPTED PRIVATE KEY" in data
    if encrypted and passphrase is None:
        passphrase = passphrase_from_env()
        if passphrase is None:
            raise KeyFileError(
                f"{path}: the key is encrypted; give its passphrase in "
                f"${PASSPHRASE_ENV} or a file named by ${PASSPHRASE_FILE_ENV}"
            )
    try:
        key = serialization.load_pem_private_key(data, password=passphrase if encrypted else None)
    except (ValueError, TypeError) as exc:
        why = "wrong passphrase or damaged key" if encrypted else str(exc)
        raise KeyFileError(f"{path}: not a usable PEM private key ({why})") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyFileError(f"{path}: not an Ed25519 key")
    return key


def load_public_key(path: str | Path) -> Ed25519PublicKey:
    try:
        key = serialization.load_pem_public_key(_read(path))
    except (ValueError, TypeError) as exc:
        raise KeyFileError(f"{path}: not a PEM public key ({exc})") from None
    if not isinstance(key, Ed25519PublicKey):
        raise KeyFileError(f"{path}: not an Ed25519 key")
    return key


def make_keys(folder: str | Path, node_ids) -> dict[str, tuple[Path, Path]]:
    """Generate ``<node>.key`` and ``<node>.pub`` in ``folder`` for each node id (a demo or a
    test set-up); returns node id -> (private path, public path)."""
    out = {}
    for node in node_ids:
        key = generate_key()
        out[node] = (
            save_private_key(key, Path(folder) / f"{node}.key"),
            save_public_key(key, Path(folder) / f"{node}.pub"),
        )
    return out


class Keyring:
    """Public keys of the known senders, by node id."""

    def __init__(self, keys: dict[str, Ed25519PublicKey] | None = None):
        self._keys = dict(keys or {})

    @classmethod
    def from_files(cls, paths: dict[str, str | Path]) -> Keyring:
        return cls({node: load_public_key(p) for node, p in paths.items()})

    def add(self, node: str, key: Ed25519PublicKey | Ed25519PrivateKey) -> None:
        self._keys[node] = key.public_key() if isinstance(key, Ed25519PrivateKey) else key

    def __contains__(self, node: str) -> bool:
        return node in self._keys

    def __iter__(self):
        return iter(self._keys)

    def verify(self, frame: Frame) -> bool:
        """True if ``frame.signature`` is the sender's signature of ``frame.envelope``."""
        key = self._keys.get(frame.sender)
        if key is None or len(frame.signature) != SIGNATURE_BYTES:
            return False
        try:
            key.verify(frame.signature, frame.envelope)
        except InvalidSignature:
            return False
        return True


def sign_envelope(key: Ed25519PrivateKey, env: Envelope) -> bytes:
    """The encoded frame of ``env`` signed by ``key`` (ready for the bus)."""
    raw = encode_envelope(env)
    return encode_frame(Frame(sender=env.sender, envelope=raw, signature=key.sign(raw)))
