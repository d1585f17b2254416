"""The whole chain on a campaign salvo of two SRBMs from Hamhung, 30 s apart, both falling in the
Sea of Japan (tests/warn/data/srbm-salvo-hamhung-second-cue.yaml).

On main the second missile's track took the first missile's IR plume (the same site, 30 s
earlier) as its launch cue: the corridor's launch clock read -2.7 s instead of +29.7 s, so its
hold for the IR scan that tests the burn had already passed the 60 s first-warning deadline, and
its still-burning templates warned Akita and Iwate at +78.5 s for a missile that burnt out
seconds later.  A plume on a track that flies beside it is not its cue now
(:meth:`launchwatch.warn.corridor.Corridor._find_sites`), and a hold keeps the deadline it
began with: nobody is warned."""

from pathlib import Path

import pytest

from launchwatch.pipeline.chain import chain_policy, run_chain
from launchwatch.sense.scenario import load_scenario

DATA = Path(__file__).parent / "data"


@pytest.mark.slow
def test_a_salvos_second_missile_is_not_cued_by_the_first_ones_plume():
    sc = load_scenario(DATA / "srbm-salvo-hamhung-second-cue.yaml")
    # the campaign's warning settings for this engagement (the file's header)
    policy = chain_policy(sc.seed, p_issue=0.1, p_keep=0.03, max_ellipse_m=100e3)
    run = run_chain(sc, interval_s=5.0, n_samples=300, policy=policy)
    s = run.warn_score
    assert not s["overflown"] and s["false_alarms"] == [] and s["misses"] == []
    assert run.policy.events == []
    # each track's launch cue is a plume of its own missile (on main the second took the first's)
    hist = run.sim.tracker.history
    cues = {}
    for tid in (1, 2):
        mine = hist[hist["track_id"] == tid]
        cues[tid] = run.policy.early.launch_point(tid, mine[mine["t_s"].argsort()])[3]
    assert cues[2] > cues[1] + 10.0
