"""Signing and the receiver's checks: every bad frame is refused under its reason, counted, and
never raises."""

import msgspec
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from launchwatch.share import messages as m
from launchwatch.share.receive import REASONS, Receiver
from launchwatch.share.signing import (
    KeyFileError,
    Keyring,
    load_private_key,
    load_public_key,
    sign_envelope,
)

NOW = 1.75e9


@pytest.fixture()
def keys(keydir):
    return {n: load_private_key(keydir / f"{n}.key") for n in ("KOR-JCS", "USA-INDOPACOM", "ROGUE")}


@pytest.fixture()
def receiver(keydir):
    ring = Keyring.from_files({"KOR-JCS": keydir / "KOR-JCS.pub"})
    return Receiver("USA", ring, clock=lambda: NOW, max_age_s=600.0, max_future_s=30.0)


def _env(seq=1, labels=("USA", "KOR"), sent_s=NOW, sender="KOR-JCS"):
    body = m.WarningNotice(
        identifier="x",
        msg_type="Alert",
        sent="2025-11-07T12:35:00+09:00",
        area_codes=("JP-01",),
        track_id=(1,),
    )
    return m.make_envelope(sender=sender, seq=seq, labels=labels, body=body, sent_s=sent_s)


def test_keys_round_trip_and_bad_files(keydir, tmp_path, keys):
    pub = load_public_key(keydir / "KOR-JCS.pub")
    assert pub.public_bytes_raw() == keys["KOR-JCS"].public_key().public_bytes_raw()
    assert (keydir / "KOR-JCS.key").stat().st_mode & 0o077 == 0
    (tmp_path / "junk.pem").write_text("not a key")
    for path in (tmp_path / "junk.pem", tmp_path / "missing.pem"):
        with pytest.raises(KeyFileError, match=str(path.name)):
            load_private_key(path)
    with pytest.raises(KeyFileError):
        load_public_key(keydir / "KOR-JCS.key")


def test_each_reason(receiver, keys):
    kor = keys["KOR-JCS"]
    good = sign_envelope(kor, _env(seq=1))
    assert receiver.accept(good) is not None
    raw = m.encode_envelope(_env(seq=2))
    tampered = bytearray(raw)
    tampered[-3] ^= 0x01
    cases = {
        "replayed": [good],
        "unsigned": [m.encode_frame(m.Frame(sender="KOR-JCS", envelope=raw))],
        "bad_signature": [
            m.encode_frame(
                m.Frame(sender="KOR-JCS", envelope=bytes(tampered), signature=kor.sign(raw))
            ),
            sign_envelope(keys["ROGUE"], _env(seq=3)),  # rogue key claims to be KOR
        ],
        "unknown_sender": [sign_envelope(keys["ROGUE"], _env(seq=3, sender="ROGUE"))],
        "not_releasable": [sign_envelope(kor, _env(seq=4, labels=("KOR", "JPN")))],
        "stale": [
            sign_envelope(kor, _env(seq=5, sent_s=NOW - 601.0)),
            sign_envelope(kor, _env(seq=6, sent_s=NOW + 31.0)),
        ],
        "oversized": [b"\x93" + b"\0" * receiver.max_frame_bytes],
        "malformed": [
            b"",
            b"\xc1\xc1",
            "text",
            None,
            m.encode_frame(
                m.Frame(sender="KOR-JCS", envelope=b"\x01", signature=kor.sign(b"\x01"))
            ),
            # signed envelope names another sender than the frame
            m.encode_frame(
                m.Frame(
                    sender="KOR-JCS",
                    envelope=m.encode_envelope(_env(sender="X")),
                    signature=kor.sign(m.encode_envelope(_env(sender="X"))),
                )
            ),
        ],
    }
    for reason, frames in cases.items():
        before = receiver.ledger.rejected[reason]
        for f in frames:
            assert receiver.accept(f) is None, reason
        assert receiver.ledger.rejected[reason] - before == len(frames), reason
    led = receiver.ledger
    assert led.accepted == 1 and led.balanced()
    assert set(led.as_dict()["rejected"]) == set(REASONS)
    assert led.received == 1 + sum(len(f) for f in cases.values())


def test_replay_window_takes_reordered_redelivery_once(receiver, keys):
    kor = keys["KOR-JCS"]
    frames = {s: sign_envelope(kor, _env(seq=s)) for s in (1, 2, 3)}
    assert receiver.accept(frames[1]) and receiver.accept(frames[3])
    assert receiver.accept(frames[2]) is not None  # late, never seen: taken
    assert all(receiver.accept(frames[s]) is None for s in (1, 2, 3))
    assert receiver.ledger.rejected["replayed"] == 3
    small = Receiver("USA", receiver.keyring, clock=lambda: NOW, replay_window=2)
    assert small.accept(sign_envelope(kor, _env(seq=10)))
    assert small.accept(sign_envelope(kor, _env(seq=8))) is None  # below the window
    assert small.ledger.rejected["replayed"] == 1


def test_detection_rows_come_out_checked(receiver, keys, feed):
    body = m.detections_body(
        feed.detections[:20], epoch="2025-11-07T12:35:00+09:00", chunk_end_s=3.0
    )
    env = m.make_envelope(sender="KOR-JCS", seq=1, labels=["USA"], body=body, sent_s=NOW)
    got = receiver.accept(sign_envelope(keys["KOR-JCS"], env))
    assert got.rows.size == 20 and (got.rows["det_id"] == feed.detections["det_id"][:20]).all()
    # a validly signed batch with inconsistent columns is malformed, not a crash
    bad = msgspec.structs.replace(body, t_s=m.pack(np.zeros(3), "<f8"))
    env = m.make_envelope(sender="KOR-JCS", seq=2, labels=["USA"], body=bad, sent_s=NOW)
    assert receiver.accept(sign_envelope(keys["KOR-JCS"], env)) is None
    assert receiver.ledger.rejected["malformed"] == 1


@settings(max_examples=150, deadline=None)
@given(data=st.binary(max_size=300), flips=st.lists(st.integers(0, 10_000), max_size=4))
def test_never_raises_on_garbage_or_mutations(keydir, data, flips):
    kor = load_private_key(keydir / "KOR-JCS.key")
    rec = Receiver(
        "USA", Keyring.from_files({"KOR-JCS": keydir / "KOR-JCS.pub"}), clock=lambda: NOW
    )
    original = sign_envelope(kor, _env(seq=1))
    good = bytearray(original)
    for i in flips:
        good[i % len(good)] ^= 0x5A
    rec.accept(data)
    got = rec.accept(bytes(good))
    assert rec.ledger.balanced() and rec.ledger.received == 2
    if got is not None:  # only what the key signed gets through, byte for byte
        assert m.decode_frame(bytes(good)).envelope == m.decode_frame(original).envelope
