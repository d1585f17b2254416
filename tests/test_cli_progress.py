"""Progress with ETA on long commands (issue 17): the benchmarks' stages become one rich bar
(stage, percent, elapsed, ETA) on stderr when it is a terminal; --json output stays clean."""

from __future__ import annotations

import io
import json
import time

import pytest
from rich.console import Console
from typer.testing import CliRunner

from launchwatch.bench.stages import Stages
from launchwatch.cli import app, common

runner = CliRunner()


def test_stages_map_to_one_fraction_of_the_whole_run():
    seen = []
    st = Stages(lambda s, f: seen.append((s, round(f, 3))), {"a": 1, "b": 3})
    st.at("a")
    st.at("a", 0.5)
    st.at("b")
    st.at("b", 0.5)
    st.at("b", 2.0)  # clipped
    st.done()
    assert seen == [("a", 0.0), ("a", 0.125), ("b", 0.25), ("b", 0.625), ("b", 1.0), ("done", 1.0)]
    assert [f for _, f in seen] == sorted(f for _, f in seen)  # never goes back
    Stages(None, {"a": 1}).at("a", 0.5)  # no callback: nothing happens
    with pytest.raises(ValueError):
        Stages(None, {"a": -1})


@pytest.fixture
def terminal(monkeypatch):
    """stderr as a terminal (captured), so the progress bar is drawn."""
    buf = io.StringIO()
    con = Console(file=buf, force_terminal=True, width=140, soft_wrap=True, highlight=False)
    monkeypatch.setattr(common, "err_console", con)
    return buf


def _fake_assess_bench(n_samples=1000, repeats=40, round_repeats=5, step=None):
    st = Stages(step, {"reference_glide": 1, "ballistic": 1, "peer": 1})
    for name in ("reference_glide", "ballistic", "peer"):
        for k in range(3):
            st.at(name, k / 3)
            time.sleep(0.12)
    st.done()
    return {
        "n_samples": n_samples,
        "repeats": repeats,
        "tables_load_s": 3.0,
        "median_ms": 10.0,
        "p99_ms": 12.0,
        "cases": {
            "ballistic": {"median_ms": 5.0, "p99_ms": 6.0},
            "round": {
                "tracks": 16,
                "median_ms": 80.0,
                "p99_ms": 90.0,
                "cpu_median_ms": 150.0,
                "per_track_ms": 5.0,
            },
        },
        "peer": "x",
        "peer_median_ms": 500.0,
        "ratio": 100.0,
    }


def test_bench_shows_a_bar_with_eta_on_a_terminal(monkeypatch, terminal):
    import launchwatch.bench.assess as mod

    monkeypatch.setattr(mod, "run_assess_bench", _fake_assess_bench)
    res = runner.invoke(app, ["bench", "assess"])
    assert res.exit_code == 0, res.output
    drawn = terminal.getvalue()
    assert "ETA" in drawn, drawn[-500:]
    assert "bench assess: ballistic" in drawn and "bench assess: peer" in drawn
    assert "%" in drawn
    assert "median 10.0 ms" in res.stdout  # the result stays on stdout


def test_bench_json_stays_clean(monkeypatch, terminal):
    import launchwatch.bench.assess as mod

    monkeypatch.setattr(mod, "run_assess_bench", _fake_assess_bench)
    res = runner.invoke(app, ["bench", "assess", "--json"])
    assert res.exit_code == 0
    assert json.loads(res.stdout)["median_ms"] == 10.0
    assert terminal.getvalue() == ""  # no bar with --json


def test_bench_tracker_reports_its_scans():
    from launchwatch.track.bench import bench_tracker

    seen = []
    bench_tracker(n_targets=5, rate_hz=10.0, duration_s=3.0, seed=1, progress=seen.append)
    assert seen[0] == 0.0 and 0.9 < seen[-1] < 1.0 and seen == sorted(seen)


def test_campaign_summary_text_has_no_none(capsys):
    """A campaign's human summary says "–" where a figure does not exist (no warnings, no boost
    assessments), never "None"; shares read as percentages."""
    from launchwatch.cli.campaign import _print

    blank = {"median": None}
    summary = {
        "spec": "x",
        "seed": 1,
        "ok": 2,
        "finished": 2,
        "failed": [],
        "where": "serial",
        "wall_s": 1.0,
        "missiles": 2,
        "tracks": 2,
        "swaps": 0,
        "breaks": 0,
        "false_tracks": 0,
        "engagements_without_swaps_or_breaks": 1.0,
        "impact_error_km": {f"first_track_plus_{d}s": {"median": 1.23456} for d in (30, 60, 120)},
        "good_within_60s_after_track": {"all": 0.5},
        "containment": {
            "all": {"in50": 0.5, "in95": 0.95, "n": 10},
            "boost": {"in50": None, "in95": None, "n": 0},
        },
        "verdict_right": 1.0,
        "class_right": 0.5,
        "launch_error_km": blank,
        "warnings": {
            "engagements_warned": 0,
            "false_alarm_areas": 0,
            "misses": 0,
            "first_warning_s": blank,
            "lead_time_s": blank,
        },
    }
    _print(summary)
    out = capsys.readouterr().out
    assert "None" not in out
    assert "boost – (n 0)" in out and "first warning median –" in out
    assert "all 50 % / 95 % (n 10)" in out and "class right 50 %" in out and "1.23 / " in out
