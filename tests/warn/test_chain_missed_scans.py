"""The whole chain on a campaign Hwasong-12 from Sunan whose IR missed two scans in a row while
it burned (tests/warn/data/irbm-sunan-missed-scans.yaml: plume at +34.2 s, 4.7 s before the
radar's first row; scans of +45.6 s and +57.0 s missed at Pd 0.93; next plume +68.4 s).

On main the launch corridor counted no plume from before the track's first row (the track read
as burnt out from its start) and then weighed each missed scan at even odds against a burnout
(b = 1 - Pd = 0.07): it first warned Hokkaido at +71.9 s.  The plume of the last scan before
the track now counts, and the missed scan is weighed against the radar's own word on the burn
(the fan's share of still-burning templates that match the track's speed change): Hokkaido is
warned within 60 s, and nowhere else."""

import pytest

from launchwatch.warn.corridor_ir import PSEUDO_BASE

from .conftest import campaign_chain


@pytest.mark.slow
def test_missed_ir_scans_do_not_hold_a_burning_irbm_past_60_s():
    _, run = campaign_chain("irbm-sunan-missed-scans", p_issue=0.135)
    s = run.warn_score
    assert sorted(s["overflown"]) == ["JP-01"]
    assert s["false_alarms"] == [] and s["misses"] == []
    assert s["first_warning_s"] is not None and s["first_warning_s"] <= 60.0
    first = run.policy.events[0]
    assert first.kind == "issue" and "JP-01" in first.areas
    assert all(t < PSEUDO_BASE for t in first.track_ids)  # the radar track's corridor
