"""Sending side: every row reaches exactly the partners its policy rule names."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from launchwatch.share import messages as m
from launchwatch.share.bus import InProcBus, inbox
from launchwatch.share.policy import Policy
from launchwatch.share.send import Outbox
from launchwatch.share.signing import generate_key

PARTNERS = ("KOR", "USA", "JPN")
SENSORS = ("TPY2-Shariki", "GreenPine-Busan", "Aegis-SeaOfJapan", "SBIRS-GEO-1")


def _inbox(bus, partner):
    out = []
    for data in bus._logs.get(inbox(partner), []):
        env = m.decode_envelope(m.decode_frame(data).envelope)
        out.append((env, m.decode_body(env)))
    return out


@settings(max_examples=60, deadline=None)
@given(rules=st.lists(st.tuples(st.sampled_from(SENSORS),
                                st.lists(st.sampled_from(PARTNERS), unique=True)), max_size=4),
       picks=st.lists(st.integers(0, 292), min_size=0, max_size=40))
def test_detection_rows_go_exactly_where_the_policy_says(feed, rules, picks):
    policy = Policy.from_dict({"partners": list(PARTNERS), "rules": [
        {"kind": "detections", "sensors": [s], "to": to} for s, to in rules]})
    det = feed.detections[np.unique(np.array(picks, dtype=int))]
    det = det[np.isin(det["sensor"], SENSORS)]
    bus = InProcBus()
    out = Outbox("USA-INDOPACOM", "USA", generate_key(), policy, bus)
    assert out.send_detections(det, epoch="2025-11-07T12:35:00+09:00", chunk_end_s=9.0) == 2
    assert inbox("USA") not in bus._logs  # never to itself
    for dest in ("KOR", "JPN"):
        (env, body), = _inbox(bus, dest)  # exactly one batch (possibly a heartbeat)
        rows = m.body_detections(body)
        assert dest in env.labels
        want = [d for d in det["det_id"]
                if dest in policy.labels("detections", sensor=str(
                    det["sensor"][det["det_id"] == d][0]))]
        assert sorted(rows["det_id"]) == sorted(want)
        for s in set(rows["sensor"]):  # every row may go to every partner the labels name
            assert set(env.labels) <= set(policy.labels("detections", sensor=str(s))) | {dest}


def test_assessment_and_warning_labels_are_the_intersection_over_tracks():
    policy = Policy.from_dict({"partners": list(PARTNERS), "rules": [
        {"kind": "*", "tracks": [7], "to": ["USA", "KOR"]},
        {"kind": "*", "to": list(PARTNERS)}]})
    bus = InProcBus()
    out = Outbox("USA-INDOPACOM", "USA", generate_key(), policy, bus)
    notice = m.WarningNotice(identifier="w1", msg_type="Alert", sent="2025-11-07T12:36:00+09:00",
                             area_codes=("JP-01",), track_id=(3, 7))
    assert out.send_warning(notice) == 1
    assert out.send_warning(m.WarningNotice(identifier="w2", msg_type="Alert",
                                            sent="2025-11-07T12:36:00+09:00",
                                            area_codes=(), track_id=(3,))) == 2
    assert [b.identifier for _, b in _inbox(bus, "KOR")] == ["w1", "w2"]
    assert [b.identifier for _, b in _inbox(bus, "JPN")] == ["w2"]
    assert out.sent == {"KOR": {"warning": 2}, "JPN": {"warning": 1}}
