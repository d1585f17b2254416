"""Warning policy on synthetic Assessments; every CAP message is schema-validated."""

import numpy as np
import pytest

from launchwatch.earth import geodesy
from launchwatch.warn import cap, jalert
from launchwatch.warn.policy import WarningPolicy

from .cap_rules import our_problems
from .conftest import SUNAN, make_assessment, noisy_impacts

ERIMO = (41.925, 143.25)
WONSAN = (39.15, 127.45)


def hwasong12_impact():
    """~1,180 km beyond Cape Erimo on the Sunan-Erimo geodesic (public reports, 2017-08-29)."""
    _, baz, _ = geodesy.inverse(SUNAN[0], SUNAN[1], ERIMO[0], ERIMO[1])
    lat, lon, _ = geodesy.direct(ERIMO[0], ERIMO[1], (baz + 180.0) % 360.0, 1180e3)
    return float(lat), float(lon)


def run(policy, assessments):
    events = []
    for a in assessments:
        events += policy.update(a)
    return events


def check_thread(events):
    """All messages valid; each references exactly all earlier messages of its thread."""
    seen = {}
    for e in events:
        assert cap.validate(e.cap_xml) == [], e.cap_xml
        assert our_problems(e.cap_xml) == [], e.identifier
        assert e.code in jalert.KINDS[e.kind]
        head = cap.parse(e.cap_xml)
        assert head["identifier"] == e.identifier and head["msgType"] == e.msg_type
        assert head["status"] == "Exercise"
        assert head["sent"].endswith("+09:00")
        earlier = seen.setdefault((e.track_ids, e.country), [])
        assert head["references"] == tuple(earlier)
        assert (e.msg_type == "Alert") == (not earlier)
        earlier.append(f"{head['sender']},{head['identifier']},{head['sent']}")


def hwasong12_run(rng, n=200):
    imp = hwasong12_impact()
    out = []
    for t in np.arange(60.0, 860.0, 5.0):
        sigma = max(20e3, 250e3 * (1 - t / 300.0))  # the prediction firms up over 5 minutes
        out.append(make_assessment(t, SUNAN, noisy_impacts(imp, sigma, n, rng), 840.0))
    return out


def test_hwasong12_over_hokkaido(rng):
    policy = WarningPolicy(country_areas=("JPN", "KOR"))
    events = run(policy, hwasong12_run(rng))
    events += policy.finish(900.0)
    check_thread(events)
    issued = {c for e in events if e.kind == "issue" for c in e.areas}
    assert "JP-01" in issued
    assert not any(c.startswith("KR") for c in issued)
    assert issued <= {"JP-01", "JP-02", "JP-03", "JP-05", "JP-04"}
    first = events[0]
    assert first.kind == "issue" and first.msg_type == "Alert" and first.code == 128
    assert first.t_s == 60.0  # warned at the first update
    # Hokkaido: passed over at the first update after the track left it, before impact
    hk = [e for e in events if e.kind == "passed_over" and "JP-01" in e.areas]
    assert len(hk) == 1 and hk[0].code == jalert.PASSED_OVER and hk[0].msg_type == "Update"
    assert 400.0 < hk[0].t_s < 600.0
    assert "AllClear" in cap.parse(hk[0].cap_xml)["responseTypes"]
    # the fall message ends the thread; nothing is left open; the zone is named
    assert events[-1].kind == "fell" and events[-1].code == jalert.FELL_SEA
    assert events[-1].open_areas == ()
    assert "outside any exclusive economic zone" in events[-1].cap_xml
    # withdrawn areas were withdrawn with a true text: the missile still flew over Hokkaido,
    # so never "will not come to Japan"
    assert not any(e.code == jalert.NOT_COMING for e in events)


def test_open_sea_no_warning(rng):
    # Wonsan -> 40.5N 135.5E: ~300 km short of Honshu's coast, samples within ~30 km
    policy = WarningPolicy()
    imp = (40.5, 135.5)
    events = []
    for t in np.arange(30.0, 420.0, 5.0):
        sigma = max(15e3, 80e3 * (1 - t / 200.0))
        events += policy.update(
            make_assessment(t, WONSAN, noisy_impacts(imp, sigma, 200, rng), 400.0, apogee_m=100e3)
        )
    events += policy.finish(450.0)
    assert events == []


def test_spread_then_firm_away_is_withdrawn(rng):
    # early prediction spreads 350 km around a point 150 km off Niigata/Yamagata: land samples
    # warn; then it firms up at sea and the warning is withdrawn (CAP Cancel)
    policy = WarningPolicy(n_clear=3)
    imp = (38.8, 137.6)
    events = []
    for i, t in enumerate(np.arange(30.0, 300.0, 2.0)):
        sigma = 250e3 if i < 5 else 10e3
        events += policy.update(
            make_assessment(t, WONSAN, noisy_impacts(imp, sigma, 300, rng), 420.0, apogee_m=300e3)
        )
    check_thread(events)
    issues = [e for e in events if e.kind == "issue"]
    cancels = [e for e in events if e.kind == "cancel"]
    assert issues and max(e.t_s for e in issues) < 40.0  # only while the prediction is spread
    assert cancels and all(e.code in (jalert.NOT_COMING, jalert.NOT_FALLING) for e in cancels)
    # all withdrawn at the latest n_clear updates (2 s apart) after the prediction firmed up
    assert max(e.t_s for e in cancels) == pytest.approx(30.0 + 2 * (5 + 3 - 1))
    assert cancels[-1].open_areas == () and cancels[-1].msg_type == "Update"
    assert cancels[-1].code == jalert.NOT_COMING  # nothing of Japan threatened any more
    warned = {c for e in issues for c in e.areas}
    assert warned == {c for e in cancels for c in e.areas}


def fraction_over_hokkaido(p, n=100):
    """Impacts: a fraction p lands just behind Hokkaido (path over it), the rest at sea."""
    k = int(round(p * n))
    over = np.tile([42.8, 146.2], (k, 1))  # east of Nemuro strait: path crosses Hokkaido
    sea = np.tile([40.5, 134.5], (n - k, 1))
    return np.concatenate([over, sea])


def test_hysteresis(rng):
    policy = WarningPolicy(p_issue=0.10, p_keep=0.03, n_clear=3)
    seq = [0.05, 0.12, 0.06, 0.04, 0.12, 0.05, 0.0, 0.0, 0.05, 0.0, 0.0, 0.0]
    events = []
    for i, p in enumerate(seq):
        events += [
            (i, e)
            for e in policy.update(
                make_assessment(10.0 + i, SUNAN, fraction_over_hokkaido(p), 900.0)
            )
        ]
    kinds = [(i, e.kind, e.jalert) for i, e in events if "JP-01" in e.areas]
    # issued at 0.12; 0.06/0.04/0.05 keep it; two zeros then 0.05 reset the count; cancelled
    # (withdrawn) after the third consecutive update below p_keep
    assert kinds == [(1, "issue", "launched"), (11, "cancel", "all_clear")]
    assert [e.code for _, e in events if "JP-01" in e.areas] == [128, jalert.NOT_COMING]
    check_thread([e for _, e in events])


def test_impact_ellipse_may_fall(rng):
    # impact predicted in central Hokkaido, firm ellipse -> "may fall" with the ellipse polygon
    policy = WarningPolicy()
    imps = noisy_impacts((43.5, 142.5), 20e3, 200, rng)
    ev = policy.update(make_assessment(100.0, SUNAN, imps, 600.0))
    assert ev and ev[0].jalert == "may_fall" and "JP-01" in ev[0].areas
    assert "Predicted impact area" in ev[0].cap_xml and "<polygon>" in ev[0].cap_xml
    assert cap.validate(ev[0].cap_xml) == []


def test_bad_input(rng):
    policy = WarningPolicy()
    a = make_assessment(50.0, SUNAN, noisy_impacts((40.0, 134.0), 1e3, 10, rng), 400.0)
    policy.update(a)
    with pytest.raises(ValueError, match="time order"):
        policy.update(make_assessment(40.0, SUNAN, noisy_impacts((40.0, 134.0), 1, 10, rng), 400))
    with pytest.raises(ValueError, match="Assessment"):
        policy.update("not an assessment")
    with pytest.raises(ValueError, match="p_keep"):
        WarningPolicy(p_issue=0.01, p_keep=0.1)
    with pytest.raises(ValueError, match="countries"):
        WarningPolicy(country_areas=("USA",))


def test_lost_track_never_passes_over_holds_then_all_clear(rng):
    """2022-11-03 / 2023-04-13: the track is lost before the area is reached. No "passed over"
    from a lost track: "tracking lost, stay sheltered" with the hold time, then a stated
    all-clear after the predicted impact + margin."""
    imp = hwasong12_impact()
    policy = WarningPolicy(lost_after_s=20.0, impact_margin_s=60.0)
    events = []
    for t in np.arange(90.0, 200.0, 2.0):  # tracked until 198 s, long before Hokkaido
        events += policy.update(
            make_assessment(t, SUNAN, noisy_impacts(imp, 20e3, 200, rng), 840.0)
        )
    events += policy.finish(900.0)
    check_thread(events)
    kinds = [e.kind for e in events if "JP-01" in e.areas]
    assert kinds[0] == "issue" and "passed_over" not in kinds
    lost = [e for e in events if e.kind == "tracking_lost"]
    assert len(lost) == 1 and lost[0].t_s == pytest.approx(198.0 + 20.0)
    assert lost[0].code == jalert.LAUNCHED and "JP-01" in lost[0].areas
    assert "Tracking lost" in lost[0].cap_xml and "Shelter" in lost[0].cap_xml
    clear = [e for e in events if e.kind == "all_clear"]
    assert len(clear) == 1 and clear[0].code == jalert.NOT_COMING
    assert clear[0].t_s >= 840.0 + 60.0 and clear[0].open_areas == ()


def test_track_lost_after_passing_gets_fell_not_all_clear(rng):
    imp = hwasong12_impact()
    policy = WarningPolicy()
    events = []
    for t in np.arange(60.0, 600.0, 2.0):  # tracked past Hokkaido, lost over the Pacific
        events += policy.update(
            make_assessment(t, SUNAN, noisy_impacts(imp, 20e3, 200, rng), 840.0)
        )
    events += policy.finish(900.0)
    check_thread(events)
    kinds = [e.kind for e in events]
    assert "passed_over" in kinds and "tracking_lost" not in kinds and "all_clear" not in kinds
    assert kinds[-1] == "fell" and events[-1].t_s >= 840.0


def test_exercise_only_for_simulations():
    from launchwatch.warn.policy import require_exercise

    require_exercise(WarningPolicy())
    with pytest.raises(ValueError, match="Exercise"):
        require_exercise(WarningPolicy(exercise=False))


def test_camf_of_every_japanese_message_decodes(rng):
    """Each Japanese message carries a QZSS DCX frame that azarashi decodes to the same J-Alert
    code, texts and prefectures (an independent decoder)."""
    from datetime import UTC, datetime

    import azarashi

    policy = WarningPolicy()
    events = run(policy, hwasong12_run(rng)) + policy.finish(900.0)
    assert events
    for e in events:
        assert (e.country == "JPN") == bool(e.camf_hex)
        r = azarashi.decode(e.camf_hex, "hex", timestamp=datetime(2017, 8, 28, tzinfo=UTC))
        assert type(r).__name__ == "JAlert"
        assert r.camf.a11 == e.code
        assert r.a11_japanese_library_ja == jalert.text(e.code, "ja")
        assert r.a1_message_type == "Test"  # a simulated run
        want = {f"JP-{int(b):02d}" for b in range(1, 48) if f"JP-{b:02d}" in e.areas}
        assert len(r.ex9_target_area_list) == len(want)


def test_track_break_hands_the_warning_to_the_new_track(rng):
    """The tracker loses the missile at +200 s and starts a new track on it at +203 s: the first
    track's warning follows the new one (no "tracking lost", no all-clear while the missile
    flies on) and is passed over by it; a track that starts far away is not taken."""
    imp = hwasong12_impact()
    policy = WarningPolicy(country_areas=("JPN",))
    events = []
    for t in np.arange(60.0, 860.0, 5.0):
        tid = 1 if t <= 200.0 else 2
        sigma = max(20e3, 250e3 * (1 - t / 300.0))
        events += policy.update(
            make_assessment(
                t + (3.0 if tid == 2 else 0.0),
                SUNAN,
                noisy_impacts(imp, sigma, 200, rng),
                840.0,
                track_id=tid,
            )
        )
    events += policy.finish(900.0)
    check_thread(events)
    kinds = [(e.kind, e.track_ids) for e in events]
    assert ("tracking_lost", (1,)) not in kinds and ("all_clear", (1,)) not in kinds
    assert ("passed_over", (1,)) in kinds and ("issue", (1,)) in kinds
    th1 = policy._threads[(1, "JPN")]
    assert th1.follows == 2
    # one thread per missile: the new track joined it, no second warning for the same areas
    assert (2, "JPN") not in policy._threads
    assert {e.track_ids for e in events} == {(1,)}
    for kind in ("issue", "passed_over"):
        areas = [c for e in events if e.kind == kind for c in e.areas]
        assert len(areas) == len(set(areas)), (kind, areas)
    # the join survives a checkpoint
    again = WarningPolicy(country_areas=("JPN",))
    again.restore(policy.state())
    assert again._joined == {(2, "JPN"): (1, "JPN")}

    far = WarningPolicy(country_areas=("JPN",))
    out = []
    for t in np.arange(60.0, 300.0, 5.0):
        if t <= 200.0:
            a = make_assessment(t, SUNAN, noisy_impacts(imp, 20e3, 200, rng), 840.0)
        else:  # a new track 600 km away (another missile): not a continuation
            a = make_assessment(
                t, WONSAN, noisy_impacts((30.0, 135.0), 20e3, 200, rng), 840.0, track_id=2
            )
        out += far.update(a)
    assert far._threads[(1, "JPN")].follows == -1
    assert any(e.kind == "tracking_lost" and e.track_ids == (1,) for e in out)
