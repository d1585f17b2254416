"""The whole chain on a campaign Hwasong-12 from Sunan whose IR missed two scans in a row while
it burned (tests/warn/data/irbm-sunan-missed-scans.yaml: plume at +34.2 s, 4.7 s before the
radar's first row; scans of +45.6 s and +57.0 s missed at Pd 0.93; next plume +68.4 s).

Once the launch corridor counted no plume from before the track's first row (the track read as
burnt out from its start) and weighed each missed scan at even odds against a burnout: it first
warned Hokkaido at +71.9 s.  Then the radar's odds of a burn (the fan's share of still-burning
templates matching the track) were 0.98, and it warned at +51.9 s; but those odds came from a
gap in the fan, not from the radar: no template burnt out below 2 km/s.  With the fan spanning
SRBMs down from 300 km, a Scud-class body just burnt out matches this track's height, speed and
speed change as well as a burning IRBM does (best templates' log-likelihoods -0.4 and -0.1 at
+51.9 s), the radar's odds are 0.75-0.85, and two missed scans at Pd 0.93 (odds 1:200 against a
burn) outweigh them.  The honest warning comes with the next plume: at the first judgement after
it is read, Hokkaido and nowhere else (docs/measurements.md: over five japan-overflights seeds
this costs two first warnings their 60 s, and dense salvos lose 24 of 50 false areas)."""

import pytest

from launchwatch.warn.corridor import IR_READ_LAG_S
from launchwatch.warn.corridor_ir import PSEUDO_BASE

from .conftest import campaign_chain

NEXT_PLUME_S = 68.4  # the first scan that saw the plume again (the scenario's IR draw)
ASSESS_S = 5.0  # campaign_chain's assessment interval


@pytest.mark.slow
def test_missed_ir_scans_hold_a_burning_irbm_until_its_next_plume():
    _, run = campaign_chain("irbm-sunan-missed-scans", p_issue=0.135)
    s = run.warn_score
    assert sorted(s["overflown"]) == ["JP-01"]
    assert s["false_alarms"] == [] and s["misses"] == []
    assert s["first_warning_s"] is not None
    assert NEXT_PLUME_S <= s["first_warning_s"] <= NEXT_PLUME_S + IR_READ_LAG_S + ASSESS_S
    first = run.policy.events[0]
    assert first.kind == "issue" and "JP-01" in first.areas
    assert all(t < PSEUDO_BASE for t in first.track_ids)  # the radar track's corridor
