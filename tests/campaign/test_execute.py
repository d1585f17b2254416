"""Running campaigns: identical results on 1 worker, 2 workers and an external scheduler;
resume; Ctrl-C; failing engagements recorded; the report."""

import json
import math
import os
import socket
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

import launchwatch.campaign.engage as engage_mod
from launchwatch.bench.campaign import fingerprint
from launchwatch.campaign.execute import RESULTS, CampaignError, load_records, run_campaign
from launchwatch.campaign.report import write_report

N = 3
#: Engagements of the where-it-ran test (1 worker, 2 workers, an external scheduler): 2 show it
#: as well as 3 (each of 2 workers runs one; the single worker runs both in one process, after
#: each other), and each of its three runs is one engagement cheaper.  An engagement's draws
#: depend on the campaign's seed and its index only, so it is compared with the same
#: engagement of the 3-engagement serial reference.
N_WHERE = 2
SRC = str(Path(engage_mod.__file__).resolve().parents[2])


#: Tolerance of the cross-process comparison. The same seeds give the same draws everywhere
#: (a different draw moves the figures by percents); what differs between processes is
#: floating-point round-off (NumPy's SIMD reductions depend on the arrays' memory alignment),
#: amplified by the filter to ~1e-9 relative, seen once in several runs. Every figure is in SI
#: units, km or a probability, so 1e-6 absolute is far below anything a score can show.
REL_TOL = 1e-6
ABS_TOL = 1e-6


class _Close(str):
    """A record's canonical JSON that compares equal to another's when every number agrees
    within :data:`REL_TOL` / :data:`ABS_TOL` and everything else is identical."""

    def __eq__(self, other):
        return (
            isinstance(other, str)
            and _first_difference(json.loads(self), json.loads(other)) is None
        )

    __hash__ = str.__hash__


def _first_difference(a, b, path: str = "") -> str | None:
    """The path and values of the first field that differs beyond the tolerance, else None."""
    if isinstance(a, dict) and isinstance(b, dict):
        if a.keys() != b.keys():
            return f"{path}: keys {sorted(a.keys() ^ b.keys())}"
        return next((d for k in a if (d := _first_difference(a[k], b[k], f"{path}.{k}"))), None)
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return f"{path}: {len(a)} vs {len(b)} items"
        pairs = zip(a, b, strict=True)
        return next(
            (d for i, (x, y) in enumerate(pairs) if (d := _first_difference(x, y, f"{path}[{i}]"))),
            None,
        )
    numbers = (int, float)
    if (
        isinstance(a, numbers)
        and isinstance(b, numbers)
        and not isinstance(a, bool)
        and not isinstance(b, bool)
    ):
        if (math.isnan(a) and math.isnan(b)) or math.isclose(
            a, b, rel_tol=REL_TOL, abs_tol=ABS_TOL
        ):
            return None
        return f"{path}: {a!r} vs {b!r}"
    return None if (type(a) is type(b) and a == b) else f"{path}: {a!r} vs {b!r}"


def _same(run, n: int = N) -> list[str]:
    return [_Close(fingerprint(run.records[i])) for i in range(n)]


def _diff(a: list[str], b: list[str]) -> str:
    """Where two runs' records first differ beyond the tolerance (for the failure message)."""
    for i, (x, y) in enumerate(zip(a, b, strict=True)):
        if (d := _first_difference(json.loads(x), json.loads(y))) is not None:
            return f"engagement {i}: {d}"
    return ""


@pytest.fixture(scope="module")
def serial(tmp_path_factory):
    from launchwatch.campaign.spec import spec_from_dict

    from .conftest import CHEAP

    out = tmp_path_factory.mktemp("serial")
    return run_campaign(
        spec_from_dict(CHEAP), spec_ref="cheap", seed=11, n=N, out=out, workers=0, progress=False
    )


@pytest.fixture(scope="module")
def fresh_serial(tmp_path_factory):
    """The same engagements run serially by the CLI in a process of their own, as a user runs
    them (``--workers 0``): the reference of the where-it-ran checks. (This test process has
    run other tests' chains before; a campaign is compared across fresh processes.)"""
    import types

    import yaml

    from .conftest import CHEAP

    base = tmp_path_factory.mktemp("fresh-serial")
    spec = base / "cheap.yaml"
    spec.write_text(yaml.safe_dump(CHEAP, sort_keys=False))
    out = base / "out"
    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}
    cmd = [sys.executable, "-m", "launchwatch.cli", "campaign", str(spec), "--n", str(N)]
    cmd += ["--seed", "11", "--workers", "0", "--out", str(out), "--no-progress"]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-2000:]
    return types.SimpleNamespace(records=load_records(out))


def test_serial_run_scores(serial):
    assert sorted(serial.records) == list(range(N))
    assert all(r["status"] == "ok" for r in serial.records.values()), serial.records
    rec = serial.records[0]
    assert rec["missiles"] and rec["assessments"]["t_s"]
    assert rec["engagement"]["missiles"] == len(rec["missiles"])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_identical_on_1_and_2_workers_and_external_scheduler(fresh_serial, cheap_spec, tmp_path):
    want = _same(fresh_serial)[:N_WHERE]
    for workers in (1, 2):
        res = run_campaign(
            cheap_spec,
            spec_ref="cheap",
            seed=11,
            n=N_WHERE,
            out=tmp_path / f"workers-{workers}",
            workers=workers,
            progress=False,
        )
        got = _same(res, N_WHERE)
        assert res.workers == workers and got == want, (workers, _diff(got, want))

    port = _free_port()
    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}
    dask = [str(Path(sys.executable).with_name("dask"))]  # the CLI of the same environment
    addr = f"tcp://127.0.0.1:{port}"
    procs = [
        subprocess.Popen(
            [*dask, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    ]
    try:
        for _ in range(2):
            procs.append(
                subprocess.Popen(
                    [
                        *dask,
                        "worker",
                        addr,
                        "--nthreads",
                        "1",
                        "--nworkers",
                        "1",
                        "--no-dashboard",
                        "--host",
                        "127.0.0.1",
                    ],
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        from distributed import Client

        with Client(addr, timeout=60) as c:
            c.wait_for_workers(2, timeout=300)
        ext = run_campaign(
            cheap_spec,
            spec_ref="cheap",
            seed=11,
            n=N_WHERE,
            out=tmp_path / "ext",
            scheduler=addr,
            progress=False,
        )
        assert ext.workers == 2 and _same(ext, N_WHERE) == want, _diff(_same(ext, N_WHERE), want)
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()


def test_resume_runs_only_what_is_missing(serial, cheap_spec, tmp_path):
    out = tmp_path / "c"
    out.mkdir()
    # a campaign stopped after engagement 0, killed while writing engagement 1
    lines = (Path(serial.out) / RESULTS).read_text().splitlines()
    first = next(x for x in lines if json.loads(x)["index"] == 0)
    second = next(x for x in lines if json.loads(x)["index"] == 1)
    (out / RESULTS).write_text(first + "\n" + second[: len(second) // 2])
    (out / "campaign.json").write_text((Path(serial.out) / "campaign.json").read_text())
    with pytest.raises(CampaignError, match="add --resume"):
        run_campaign(cheap_spec, spec_ref="cheap", seed=11, n=N, out=out, workers=0, progress=False)
    with pytest.raises(CampaignError, match="same spec and seed"):
        run_campaign(
            cheap_spec,
            spec_ref="cheap",
            seed=12,
            n=N,
            out=out,
            workers=0,
            progress=False,
            resume=True,
        )
    run = run_campaign(
        cheap_spec, spec_ref="cheap", seed=11, n=N, out=out, workers=0, progress=False, resume=True
    )
    assert run.ran == N - 1 and sorted(run.records) == list(range(N))
    assert _same(run) == _same(serial)
    summary, _ = write_report(run)  # the page says what this invocation ran, not the campaign
    assert summary["ran"] == N - 1 and summary["finished"] == N
    assert f"serial: ran {N - 1} of {N} engagements in" in (out / "report.html").read_text()


def test_ctrl_c_keeps_finished_and_resume_completes(cheap_spec, tmp_path):
    seen = []

    def interrupt(rec):
        seen.append(rec["index"])
        raise KeyboardInterrupt

    run = run_campaign(
        cheap_spec,
        spec_ref="cheap",
        seed=11,
        n=2,
        out=tmp_path,
        workers=0,
        progress=False,
        on_record=interrupt,
    )
    assert run.interrupted and seen == [0] and sorted(load_records(tmp_path)) == [0]
    again = run_campaign(
        cheap_spec,
        spec_ref="cheap",
        seed=11,
        n=2,
        out=tmp_path,
        workers=0,
        progress=False,
        resume=True,
    )
    assert not again.interrupted and again.ran == 1 and sorted(again.records) == [0, 1]


def test_failing_engagement_is_recorded_and_the_campaign_goes_on(cheap_spec, tmp_path, monkeypatch):
    real = engage_mod.run_chain

    def flaky(scenario, **kw):
        if scenario.name.endswith("-e1"):
            raise RuntimeError("boom in the chain")
        return real(scenario, **kw)

    monkeypatch.setattr(engage_mod, "run_chain", flaky)
    run = run_campaign(
        cheap_spec, spec_ref="cheap", seed=11, n=N, out=tmp_path, workers=0, progress=False
    )
    bad = run.records[1]
    assert (
        bad["status"] == "error" and "RuntimeError: boom in the chain" in bad["engagement"]["error"]
    )
    assert bad["engagement"]["campaign_seed"] == 11 and bad["engagement"]["scenario_seed"] > 0
    assert run.records[0]["status"] == run.records[2]["status"] == "ok"
    summary, paths = write_report(run)
    assert summary["ok"] == N - 1 and [f["index"] for f in summary["failed"]] == [1]
    eng = pq.read_table(tmp_path / "engagements.parquet").to_pydict()
    assert eng["status"] == ["ok", "error", "ok"] and "boom" in eng["error"][1]
    mis = pq.read_table(tmp_path / "missiles.parquet")
    assert mis.num_rows == sum(len(r["missiles"]) for r in run.records.values())
    page = (tmp_path / "report.html").read_text()
    assert page.count("data:image/png;base64,") == 4
    assert "--replay 1" in page and "http" not in page.replace("http-equiv", "")


def _die_on_engagement_1(spec_dict: dict, seed: int, index: int) -> dict:
    """A Dask task that kills its worker process on engagement 1 (a segfault, an OOM kill)."""
    if index == 1:
        os._exit(3)
    from launchwatch.campaign.execute import _task  # the real task, as the worker imports it

    return _task(spec_dict, seed, index)


@pytest.mark.slow
def test_a_task_that_kills_its_worker_is_recorded_and_the_rest_finish(
    fresh_serial, cheap_spec, tmp_path, monkeypatch
):
    import cloudpickle
    import dask

    import launchwatch.campaign.execute as execute_mod

    # The worker cannot import the test module: ship the function by value.
    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    monkeypatch.setattr(execute_mod, "_task", _die_on_engagement_1)
    try:
        with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
            run = run_campaign(
                cheap_spec, spec_ref="cheap", seed=11, n=N, out=tmp_path, workers=1, progress=False
            )
    finally:
        cloudpickle.unregister_pickle_by_value(sys.modules[__name__])
    assert sorted(run.records) == list(range(N)) and not run.interrupted
    bad = run.records[1]
    assert bad["status"] == "error" and "KilledWorker" in bad["engagement"]["error"], bad
    assert bad["engagement"]["campaign_seed"] == 11
    # The engagements the crash did not touch are scored as in the serial run.
    want = _same(fresh_serial)
    for i in (0, 2):
        assert _Close(fingerprint(run.records[i])) == want[i], _diff(
            [fingerprint(run.records[i])], [want[i]]
        )
    # An error is a finished result: --resume keeps it (rerunning it is a new campaign).
    again = run_campaign(
        cheap_spec,
        spec_ref="cheap",
        seed=11,
        n=N,
        out=tmp_path,
        resume=True,
        workers=0,
        progress=False,
    )
    assert again.ran == 0 and again.records[1]["status"] == "error"
