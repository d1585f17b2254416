"""The whole chain on a campaign Hwasong-12 from Sunan whose radar track reads as coasting while
the motor burns (tests/warn/data/irbm-sunan-coasting-filter.yaml, flown to +125 s: plumes at
+31.7 s and +44.5 s, the track confirmed at +41.9 s and 300-500 m/s slow, the tracker's boost
model at 0.01-0.05 from +46 s; the motor burns to ~+85 s).

On main the corridor took the filter's word alone after the plume (burnt out, burn probability
0): the track was not judged and Hokkaido was first warned at +78.3 s by a later track.  While
the track's own speed still grows the filter's word is now the radar's witness weighed by the
fan's match (the share of matched templates still burning), as a missed IR scan is: Hokkaido is
warned within 60 s, and nowhere else, from the radar track."""

import pytest

from launchwatch.sense.truth import build_truth
from launchwatch.warn.corridor_ir import PSEUDO_BASE
from launchwatch.warn.score import score_warnings

from .conftest import campaign_chain


@pytest.mark.slow
def test_a_filter_sure_of_coasting_does_not_hold_a_burning_irbm_past_60_s():
    sc, run = campaign_chain("irbm-sunan-coasting-filter", p_issue=0.119)
    # scored against the whole flight's truth (the run stops at +125 s, before Hokkaido)
    truth, _ = build_truth(sc.model_copy(update={"duration_s": None}))
    s = score_warnings(run.policy.events, truth, truth.launch_time_s)
    assert sorted(s["overflown"]) == ["JP-01"]
    assert s["false_alarms"] == []
    assert s["first_warning_s"] is not None and s["first_warning_s"] <= 60.0
    first = run.policy.events[0]
    assert first.kind == "issue" and first.areas == ("JP-01",)
    assert all(t < PSEUDO_BASE for t in first.track_ids)  # the radar track's corridor
