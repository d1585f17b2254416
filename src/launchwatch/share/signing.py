"""Ed25519 keys of partner nodes, and signing / verifying frames (``cryptography``).

Each node has one private key (PKCS#8 PEM, written with mode 0600) and gives its partners the
public key (SubjectPublicKeyInfo PEM).  A :class:`Keyring` maps partner node ids to their public
keys; it comes from the node's configuration.  What is signed is the exact encoded envelope
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


class KeyFileError(ValueError):
    """A key file that is missing or is not an Ed25519 key (message names the file)."""


def generate_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def save_private_key(key: Ed25519PrivateKey, path: str | Path) -> Path:
    """Write ``key`` as unencrypted PKCS#8 PEM, readable by the owner only."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    return path


def save_public_key(key: Ed25519PublicKey | Ed25519PrivateKey, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(key, Ed25519PrivateKey):
        key = key.public_key()
    path.write_bytes(key.public_bytes(serialization.Encoding.PEM,
                                      serialization.PublicFormat.SubjectPublicKeyInfo))
    return path


def _read(path: str | Path) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise KeyFileError(f"{path}: cannot read key ({exc.strerror})") from None


def load_private_key(path: str | Path) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(_read(path), password=None)
    except (ValueError, TypeError) as exc:
        raise KeyFileError(f"{path}: not a PEM private key ({exc})") from None
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
        out[node] = (save_private_key(key, Path(folder) / f"{node}.key"),
                     save_public_key(key, Path(folder) / f"{node}.pub"))
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
