"""Wire schema: lossless round trips, deterministic encoding, and refusal of bad bodies."""

import datetime as dt

import msgspec
import numpy as np
import pytest

from launchwatch.assess.assessment import Assessment
from launchwatch.share import messages as m

EPOCH = "2025-11-07T12:35:00+09:00"


def _detections(feed, n=50):
    return feed.detections[:n].copy()


def test_detection_batch_round_trip_is_exact(feed):
    det = feed.detections
    assert det.size > 100 and set(det["kind"]) == {"radar", "ir"}
    body = m.detections_body(det, epoch=EPOCH, chunk_end_s=500.0)
    env = m.make_envelope(sender="KOR-JCS", seq=1, labels=["USA", "KOR"], body=body, sent_s=1.0)
    back = m.decode_body(m.decode_envelope(m.encode_envelope(env)))
    rows = m.body_detections(back)
    assert rows.dtype == det.dtype
    # NaN-aware exact equality of every field
    for name in det.dtype.names:
        a, b = det[name], rows[name]
        if a.dtype.kind == "f":
            np.testing.assert_array_equal(a, b)
        else:
            assert (a == b).all(), name
    assert env.labels == ("KOR", "USA") and env.kind == "detections"
    assert env.msg_id == "KOR-JCS/1"


def test_empty_batch_round_trip(feed):
    body = m.detections_body(feed.detections[:0], epoch=EPOCH, chunk_end_s=3.0)
    rows = m.body_detections(
        m.decode_body(
            m.decode_envelope(
                m.encode_envelope(
                    m.make_envelope(sender="A", seq=2, labels=["X"], body=body, sent_s=0.0)
                )
            )
        )
    )
    assert rows.size == 0


def test_encoding_is_deterministic(feed):
    body = m.detections_body(_detections(feed), epoch=EPOCH, chunk_end_s=3.0)
    a = m.make_envelope(sender="A", seq=2, labels=["Y", "X"], body=body, sent_s=5.0)
    b = m.make_envelope(sender="A", seq=2, labels=["X", "Y", "X"], body=body, sent_s=5.0)
    assert m.encode_envelope(a) == m.encode_envelope(b)


def test_time_offset_to_receiver_epoch(feed):
    body = m.detections_body(_detections(feed), epoch=EPOCH, chunk_end_s=3.0)
    rows = m.body_detections(body, t_offset_s=60.0)
    np.testing.assert_allclose(rows["t_s"], feed.detections["t_s"][:50] + 60.0)


@pytest.mark.parametrize(
    "column, bad",
    [
        ("t_s", m.Array(dtype="<f4", shape=(50,), data=b"\0" * 200)),  # wrong dtype
        ("z", m.Array(dtype="<f8", shape=(50, 3), data=b"\0" * 1200)),  # wrong width
        ("sigma", m.Array(dtype="<f8", shape=(49, 4), data=b"\0" * 1568)),  # wrong row count
        ("sensor_ecef_m", m.Array(dtype="<f8", shape=(50, 3), data=b"\0" * 10)),  # short data
        ("sensor_idx", m.Array(dtype="<u2", shape=(50,), data=b"\xff" * 100)),  # index too big
    ],
)
def test_inconsistent_columns_are_schema_errors(feed, column, bad):
    body = m.detections_body(_detections(feed), epoch=EPOCH, chunk_end_s=3.0)
    broken = msgspec.structs.replace(body, **{column: bad})
    with pytest.raises(m.SchemaError):
        m.body_detections(broken)


def test_envelope_checks():
    env = m.make_envelope(
        sender="A",
        seq=1,
        labels=["X"],
        sent_s=0.0,
        body=m.WarningNotice(
            identifier="w", msg_type="Alert", sent=EPOCH, area_codes=("JP-01",), track_id=(1,)
        ),
    )
    good = m.encode_envelope(env)
    assert m.decode_envelope(good).kind == "warning"
    for change in (
        {"schema_version": 2},
        {"kind": "gossip"},
        {"seq": 0},
        {"msg_id": "B/1"},
        {"sent_s": float("nan")},
    ):
        bad = m.encode_envelope(msgspec.structs.replace(env, **change))
        with pytest.raises(m.SchemaError):
            m.decode_envelope(bad)
    with pytest.raises(m.SchemaError):
        m.decode_envelope(b"\x93\x01\x02")
    # a body of another kind under this kind
    wrong = msgspec.structs.replace(env, kind="tracks")
    with pytest.raises(m.SchemaError):
        m.decode_body(m.decode_envelope(m.encode_envelope(wrong)))


def test_track_report_round_trip(single_machine):
    rows = m.latest_per_track(single_machine.tracker.history)
    assert rows.size >= 1 and np.unique(rows["track_id"]).size == rows.size
    # the latest row of each track is its last one in the history
    h = single_machine.tracker.history
    for r in rows:
        assert r["t_s"] == h["t_s"][h["track_id"] == r["track_id"]][-1]
    back = m.body_tracks(
        m.decode_body(
            m.decode_envelope(
                m.encode_envelope(
                    m.make_envelope(
                        sender="A",
                        seq=1,
                        labels=["X"],
                        sent_s=0.0,
                        body=m.tracks_body(rows, epoch=EPOCH),
                    )
                )
            )
        )
    )
    np.testing.assert_array_equal(back["state"], rows["state"])
    np.testing.assert_array_equal(back["cov"], rows["cov"])
    assert (back["track_id"] == rows["track_id"]).all()


def test_assessment_summary_round_trip_without_samples():
    k, s, p = 2, 1000, 40
    a = Assessment(
        t_s=100.0,
        epoch=dt.datetime.fromisoformat(EPOCH),
        track_id=np.array([3, 7]),
        n_samples=s,
        impact_lat_deg=np.array([40.1, 41.0]),
        impact_lon_deg=np.array([135.0, 136.0]),
        impact_t_s=np.array([420.0, 430.0]),
        impact_t_sigma_s=np.array([3.0, 4.0]),
        ellipse_semi_major_m=np.ones((k, 2)) * 9e3,
        ellipse_semi_minor_m=np.ones((k, 2)) * 2e3,
        ellipse_orientation_deg=np.array([80.0, 90.0]),
        impact_cov_en_m2=np.tile(np.eye(2), (k, 1, 1)),
        sample_impact_lat_deg=np.zeros((k, s)),
        sample_impact_lon_deg=np.zeros((k, s)),
        zone_probs=({"eez:JPN": 0.2, "high_seas": 0.8}, {"high_seas": 1.0}),
        verdict_kind=np.array(["high_seas", "high_seas"]),
        verdict_country=np.array(["", ""]),
        path_t_s=np.zeros(p),
        path_lat_deg=np.zeros((k, s, p)),
        path_lon_deg=np.zeros((k, s, p)),
        path_h_m=np.zeros((k, s, p)),
    )
    env = m.make_envelope(sender="A", seq=1, labels=["X"], sent_s=0.0, body=m.assessment_body(a))
    raw = m.encode_envelope(env)
    assert len(raw) < 2000  # the (K, S, P) sample paths are not on the wire
    body = m.decode_body(m.decode_envelope(raw))
    arrays = m.check_assessment(body)
    np.testing.assert_array_equal(arrays["impact_lat_deg"], a.impact_lat_deg)
    assert body.zone_probs[0] == {"eez:JPN": 0.2, "high_seas": 0.8}
    assert np.isnan(arrays["apogee_m"]).all()  # not given: NaN, not invented


def test_non_finite_chunk_end_is_a_schema_error(feed):
    body = m.detections_body(_detections(feed), epoch=EPOCH, chunk_end_s=float("nan"))
    with pytest.raises(m.SchemaError, match="chunk_end_s"):
        m.body_detections(body)


def test_assessment_with_non_finite_time_is_a_schema_error():
    import msgspec

    body = m.ImpactAssessment(
        epoch=EPOCH,
        t_s=float("nan"),
        n_samples=1,
        track_id=m.pack(np.zeros(0), "<i8"),
        impact_lat_deg=m.pack(np.zeros(0), "<f8"),
        impact_lon_deg=m.pack(np.zeros(0), "<f8"),
        impact_t_s=m.pack(np.zeros(0), "<f8"),
        impact_t_sigma_s=m.pack(np.zeros(0), "<f8"),
        ellipse_levels=(0.5, 0.95),
        ellipse_semi_major_m=m.pack(np.zeros((0, 2)), "<f8"),
        ellipse_semi_minor_m=m.pack(np.zeros((0, 2)), "<f8"),
        ellipse_orientation_deg=m.pack(np.zeros(0), "<f8"),
        impact_cov_en_m2=m.pack(np.zeros((0, 2, 2)), "<f8"),
        zone_probs=(),
        verdict_kind=(),
        verdict_country=(),
        apogee_m=m.pack(np.zeros(0), "<f8"),
        range_class=(),
        range_class_prob=m.pack(np.zeros(0), "<f8"),
    )
    with pytest.raises(m.SchemaError, match="t_s"):
        m.check_assessment(body)
    assert m.check_assessment(msgspec.structs.replace(body, t_s=1.0))["track_id"].size == 0


def test_warning_notice_of_a_policy_event():
    from launchwatch.warn.policy import WarningEvent

    ev = WarningEvent(
        t_s=60.0,
        kind="passed_over",
        code=129,
        areas=("JP-01", "JP-02"),
        track_ids=(4,),
        identifier="x-T4-002",
        sent="2025-11-07T12:36:00+09:00",
        msg_type="Update",
        references=("a,b,c",),
        open_areas=(),
        cap_xml="<not xml",
    )
    n = m.warning_notice(ev)
    assert (n.identifier, n.msg_type, n.area_codes, n.track_id, n.headline) == (
        "x-T4-002",
        "Update",
        ("JP-01", "JP-02"),
        (4,),
        "passed_over",
    )
