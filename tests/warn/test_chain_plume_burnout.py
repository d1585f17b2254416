"""The whole chain on a campaign SRBM that burnt out between the IR's last plume and its next
radar update (tests/warn/data/srbm-wonsan-plume-then-burnout.yaml): at +40.9 s the launch
corridor's fan reads it as still burning (the plume of +34.6 s; a 36 s motor burnt out at
+36.4 s looks like a 45-60 s one still burning) and would warn Aomori, Iwate and Akita.  The
IR scan of +44.6 s, which saw no plume where the track was, tells them apart: the corridor
waits for it (it is read well within 60 s of the launch) and then weighs the burning motor by
1 - Pd (tests/warn/test_corridor_missed_scans.py)."""

from pathlib import Path

import pytest

from launchwatch.pipeline.chain import run_chain
from launchwatch.sense.scenario import load_scenario

DATA = Path(__file__).parent / "data"


@pytest.mark.slow
def test_srbm_burnt_out_after_its_last_plume_warns_no_one():
    run = run_chain(
        load_scenario(DATA / "srbm-wonsan-plume-then-burnout.yaml"), interval_s=5.0, n_samples=300
    )
    assert run.warn_score["false_alarms"] == [] and run.warn_score["misses"] == []
