"""Keys on disk, frame size and replays across a restart without the state folder
(findings 14 and 15 of the security issue)."""

from __future__ import annotations

import os

import pytest

from launchwatch.share import messages as m
from launchwatch.share.receive import Receiver
from launchwatch.share.signing import (
    PASSPHRASE_ENV,
    PASSPHRASE_FILE_ENV,
    KeyFileError,
    Keyring,
    generate_key,
    load_private_key,
    save_private_key,
    sign_envelope,
)

NOW = 1.75e9


def _env(seq: int, sender: str = "KOR-JCS", n_rows: int = 0, sent_s: float | None = None):
    body = m.WarningNotice(
        identifier="x" * max(1, n_rows),
        msg_type="Alert",
        sent="2025-11-07T12:35:00+09:00",
        area_codes=("JP-01",),
        track_id=(1,),
    )
    return m.make_envelope(
        sender=sender,
        seq=seq,
        labels=("USA", "KOR"),
        body=body,
        sent_s=NOW - 100.0 + seq if sent_s is None else sent_s,
    )


# -- private keys on disk ------------------------------------------------------------------
def test_private_key_readable_by_others_is_refused(tmp_path):
    path = save_private_key(generate_key(), tmp_path / "k" / "node.key")
    assert load_private_key(path) is not None
    for mode in (0o666, 0o644, 0o640, 0o604):
        os.chmod(path, mode)
        with pytest.raises(KeyFileError, match=f"chmod 600 {path}"):
            load_private_key(path)


def test_keys_written_0600_in_0700_whatever_the_umask(tmp_path):
    old = os.umask(0)
    try:
        path = tmp_path / "fresh" / "node.key"
        save_private_key(generate_key(), path)
        assert path.stat().st_mode & 0o777 == 0o600
        assert path.parent.stat().st_mode & 0o777 == 0o700
        loose = tmp_path / "loose"
        loose.mkdir(mode=0o777)
        os.chmod(loose, 0o777)
        old_file = loose / "node.key"
        old_file.write_bytes(b"old")
        os.chmod(old_file, 0o644)
        save_private_key(generate_key(), old_file)  # saving over a 0644 file
        assert old_file.stat().st_mode & 0o777 == 0o600
        assert loose.stat().st_mode & 0o777 == 0o700
    finally:
        os.umask(old)


def test_encrypted_pkcs8_with_passphrase_from_env_or_file(tmp_path, monkeypatch):
    key = generate_key()
    path = save_private_key(key, tmp_path / "enc.key", passphrase=b"correct horse")
    assert b"ENCRYPTED PRIVATE KEY" in path.read_bytes()
    monkeypatch.delenv(PASSPHRASE_ENV, raising=False)
    monkeypatch.delenv(PASSPHRASE_FILE_ENV, raising=False)
    with pytest.raises(KeyFileError, match=PASSPHRASE_ENV):
        load_private_key(path)
    monkeypatch.setenv(PASSPHRASE_ENV, "correct horse")
    assert (
        load_private_key(path).public_key().public_bytes_raw()
        == key.public_key().public_bytes_raw()
    )
    monkeypatch.setenv(PASSPHRASE_ENV, "wrong")
    with pytest.raises(KeyFileError, match="wrong passphrase"):
        load_private_key(path)
    monkeypatch.delenv(PASSPHRASE_ENV)
    secret = tmp_path / "pass.txt"
    secret.write_text("correct horse\n")
    os.chmod(secret, 0o600)
    monkeypatch.setenv(PASSPHRASE_FILE_ENV, str(secret))
    assert load_private_key(path) is not None
    os.chmod(secret, 0o644)
    with pytest.raises(KeyFileError, match="chmod 600"):
        load_private_key(path)


# -- frames --------------------------------------------------------------------------------
def _receiver(kor, marks=None, **kw):
    ring = Keyring()
    ring.add("KOR-JCS", kor)
    return Receiver("USA", ring, clock=lambda: NOW, marks_file=marks, **kw)


def test_oversized_frame_refused_before_decoding():
    kor = generate_key()
    rx = _receiver(kor, max_frame_bytes=64 * 1024)
    big = sign_envelope(kor, _env(1, n_rows=100_000))  # a valid, signed, 100 KB frame
    assert len(big) > 64 * 1024
    huge = b"\x93" + b"\0" * (107 << 20)  # the 107 MB frame of the finding
    assert rx.accept(huge) is None
    assert rx.accept(big) is None
    assert rx.ledger.rejected["oversized"] == 2 and rx.ledger.balanced()
    assert rx.ledger.rejected["malformed"] == 0  # refused by its length, never decoded
    assert rx.accept(sign_envelope(kor, _env(2))) is not None


def test_replay_refused_after_a_restart_without_the_state_folder(tmp_path):
    kor = generate_key()
    marks = tmp_path / "keys" / "USA.replay-marks.json"
    frames = [sign_envelope(kor, _env(s)) for s in range(1, 6)]
    rx = _receiver(kor, marks)
    assert all(rx.accept(f) is not None for f in frames[:4])
    assert marks.stat().st_mode & 0o777 == 0o600
    rx2 = _receiver(kor, marks)  # restarted, no checkpoint: only the marks
    assert [rx2.accept(f) is not None for f in frames] == [False] * 4 + [True]
    assert rx2.ledger.rejected["replayed"] == 4
    # without marks (the old behaviour) all four would have been taken again
    assert all(_receiver(kor).accept(f) is not None for f in frames[:4])
    # a sender that lost its own state starts again at seq 1: its new frames still pass
    assert rx2.accept(sign_envelope(kor, _env(1, sent_s=NOW - 10.0))) is not None


def test_state_restore_round_trip_replaces_the_marks(tmp_path):
    """A node restored from its checkpoint takes again what the checkpoint had not seen
    (the broker redelivers it), and still refuses what it had."""
    kor = generate_key()
    marks = tmp_path / "USA.marks.json"
    frames = [sign_envelope(kor, _env(s)) for s in range(1, 7)]
    rx = _receiver(kor, marks)
    for f in frames[:3]:
        rx.accept(f)
    checkpoint = rx.state()
    import json

    checkpoint = json.loads(json.dumps(checkpoint))  # plain data
    for f in frames[3:5]:
        rx.accept(f)
    rx2 = _receiver(kor, marks)
    rx2.restore(checkpoint)
    got = [rx2.accept(f) is not None for f in frames]
    assert got == [False, False, False, True, True, True]
    with pytest.raises((ValueError, KeyError, TypeError)):
        rx2.restore({"last_seq": {"KOR-JCS": -1}, "seen": {}})
