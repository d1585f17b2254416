"""The whole chain on a campaign SRBM whose assessment still flew a share of its samples on a
remaining burn after the IR had seen the motor stop (tests/warn/data/srbm-sondok-burn-tail.yaml):
those samples alone once warned Miyagi and Yamagata."""

from pathlib import Path

from launchwatch.pipeline.chain import run_chain
from launchwatch.sense.scenario import load_scenario

DATA = Path(__file__).parent / "data"


def test_burning_tail_after_ir_burnout_warns_no_one():
    """Sondok SRBM, 695 km into the East Sea: at +53 s 24 % of the samples burn on (90th
    percentile range 1,172 km) while the IR has been silent for a revisit; judged on its
    coasting samples the track threatens no one: no warning at all."""
    run = run_chain(
        load_scenario(DATA / "srbm-sondok-burn-tail.yaml"), interval_s=5.0, n_samples=300
    )
    assert run.warn_score["false_alarms"] == [] and run.warn_score["misses"] == []
    assert run.policy.events == []
