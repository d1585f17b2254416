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
@given(
    rules=st.lists(
        st.tuples(st.sampled_from(SENSORS), st.lists(st.sampled_from(PARTNERS), unique=True)),
        max_size=4,
    ),
    picks=st.lists(st.integers(0, 292), min_size=0, max_size=40),
)
def test_detection_rows_go_exactly_where_the_policy_says(feed, rules, picks):
    policy = Policy.from_dict(
        {
            "partners": list(PARTNERS),
            "rules": [{"kind": "detections", "sensors": [s], "to": to} for s, to in rules],
        }
    )
    det = feed.detections[np.unique(np.array(picks, dtype=int))]
    det = det[np.isin(det["sensor"], SENSORS)]
    bus = InProcBus()
    out = Outbox("USA-INDOPACOM", "USA", generate_key(), policy, bus)
    assert out.send_detections(det, epoch="2025-11-07T12:35:00+09:00", chunk_end_s=9.0) == 2
    assert inbox("USA") not in bus._logs  # never to itself
    for dest in ("KOR", "JPN"):
        ((env, body),) = _inbox(bus, dest)  # exactly one batch (possibly a heartbeat)
        rows = m.body_detections(body)
        assert dest in env.labels
        want = [
            d
            for d in det["det_id"]
            if dest in policy.labels("detections", sensor=str(det["sensor"][det["det_id"] == d][0]))
        ]
        assert sorted(rows["det_id"]) == sorted(want)
        for s in set(rows["sensor"]):  # every row may go to every partner the labels name
            assert set(env.labels) <= set(policy.labels("detections", sensor=str(s))) | {dest}


def test_assessment_and_warning_labels_are_the_intersection_over_tracks():
    policy = Policy.from_dict(
        {
            "partners": list(PARTNERS),
            "rules": [
                {"kind": "*", "tracks": [7], "to": ["USA", "KOR"]},
                {"kind": "*", "to": list(PARTNERS)},
            ],
        }
    )
    bus = InProcBus()
    out = Outbox("USA-INDOPACOM", "USA", generate_key(), policy, bus)
    notice = m.WarningNotice(
        identifier="w1",
        msg_type="Alert",
        sent="2025-11-07T12:36:00+09:00",
        area_codes=("JP-01",),
        track_id=(3, 7),
    )
    assert out.send_warning(notice) == 1
    assert (
        out.send_warning(
            m.WarningNotice(
                identifier="w2",
                msg_type="Alert",
                sent="2025-11-07T12:36:00+09:00",
                area_codes=(),
                track_id=(3,),
            )
        )
        == 2
    )
    assert [b.identifier for _, b in _inbox(bus, "KOR")] == ["w1", "w2"]
    assert [b.identifier for _, b in _inbox(bus, "JPN")] == ["w2"]
    assert out.sent == {"KOR": {"warning": 2}, "JPN": {"warning": 1}}


def _assessment(track_ids):
    import datetime as dt

    from launchwatch.assess.assessment import Assessment

    k, s, p = len(track_ids), 10, 3
    return Assessment(
        t_s=100.0,
        epoch=dt.datetime.fromisoformat("2025-11-07T12:35:00+09:00"),
        track_id=np.array(track_ids),
        n_samples=s,
        impact_lat_deg=40.0 + np.arange(k),
        impact_lon_deg=135.0 + np.arange(k),
        impact_t_s=np.full(k, 420.0),
        impact_t_sigma_s=np.ones(k),
        ellipse_semi_major_m=np.ones((k, 2)) * 9e3,
        ellipse_semi_minor_m=np.ones((k, 2)) * 2e3,
        ellipse_orientation_deg=np.zeros(k),
        impact_cov_en_m2=np.tile(np.eye(2), (k, 1, 1)),
        sample_impact_lat_deg=np.zeros((k, s)),
        sample_impact_lon_deg=np.zeros((k, s)),
        zone_probs=tuple({"high_seas": 1.0} for _ in range(k)),
        verdict_kind=np.array(["high_seas"] * k),
        verdict_country=np.array([""] * k),
        path_t_s=np.zeros(p),
        path_lat_deg=np.zeros((k, s, p)),
        path_lon_deg=np.zeros((k, s, p)),
        path_h_m=np.zeros((k, s, p)),
    )


def test_assessment_is_split_by_the_rules_per_track():
    """A restricted track's prediction goes only where its rule says, without holding back
    the other tracks' predictions from the excluded partner."""
    policy = Policy.from_dict(
        {
            "partners": list(PARTNERS),
            "rules": [
                {"kind": "assessment", "tracks": [7], "to": ["USA", "KOR"]},
                {"kind": "assessment", "tracks": [8], "to": []},
                {"kind": "*", "to": list(PARTNERS)},
            ],
        }
    )
    bus = InProcBus()
    out = Outbox("USA-INDOPACOM", "USA", generate_key(), policy, bus)
    assert out.send_assessment(_assessment([3, 7, 8, 5])) == 3  # {3, 5}: KOR, JPN; {7}: KOR
    got = {
        p: [
            (env.labels, list(m.check_assessment(b)["track_id"]), b.impact_lat_deg)
            for env, b in _inbox(bus, p)
        ]
        for p in ("KOR", "JPN")
    }
    assert sorted(t for _, ids, _ in got["KOR"] for t in ids) == [3, 5, 7]
    assert [ids for _, ids, _ in got["JPN"]] == [[3, 5]]
    assert got["JPN"][0][0] == ("JPN", "KOR", "USA")
    lat = m.check_assessment(_inbox(bus, "JPN")[0][1])["impact_lat_deg"]
    np.testing.assert_array_equal(lat, [40.0, 43.0])  # the rows of tracks 3 and 5
    assert out.send_assessment(_assessment([8])) == 0  # released to nobody
