"""Sense + track over the shipped scenarios, through the CLI contract and the pipeline."""

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from launchwatch.cli import app
from launchwatch.sense.records import DETECTION_DTYPE
from launchwatch.sense.stream import StreamGate
from launchwatch.track.tracker import Tracker

runner = CliRunner()


@pytest.fixture
def salvo(cli_chain):
    """``run_simulation(load_scenario("salvo"))``: the one that ``simulate salvo --assess`` made
    for tests/warn/test_chain.py (``cli_chain``; its ``run_chain`` flies, senses and tracks the
    scenario with that call before it assesses), not one of its own.  The tests that read it
    name its xdist group, so the run is made once."""
    return cli_chain("salvo").sim


on_salvo = pytest.mark.xdist_group("chain-salvo")


@on_salvo
def test_salvo_one_track_per_missile_no_swaps(salvo):
    s = salvo.score
    assert salvo.truth.n_missiles == 8
    assert s.n_swaps == 0
    assert np.all(np.isfinite(s.time_to_track_s))  # every missile gets a track
    # At the end (the last 10 s in which it is tracked: near impact it drops below the
    # radars' horizons), each missile holds exactly one track of its own, and no two missiles
    # share one.
    finals = []
    for i in range(8):
        tracked = np.flatnonzero(s.assignment[:, i] >= 0)
        ids = np.unique(s.assignment[tracked[-100:], i])
        assert ids.size == 1, (i, ids)
        finals.append(int(ids[0]))
    assert len(set(finals)) == 8
    assert s.pos_rmse_m < 1000.0


@on_salvo
def test_every_detection_is_accounted_for(salvo):
    n = salvo.detections.size
    gate = salvo.gate_ledger
    assert gate["received"] == n
    led = salvo.tracker.ledger()
    assert gate["released"] == led.size
    assert gate["released"] + gate["rejected_total"] == n
    # Nothing is left pending after the end of the stream.
    counts = salvo.tracker_ledger_counts()
    assert counts["pending"] == 0
    assert sum(counts.values()) == led.size


@on_salvo
def test_tracker_survives_a_corrupted_stream(salvo):
    """NaNs, out-of-range values, unknown sensors, duplicates and shuffled timestamps go
    through the gate into the tracker: rejected with counted reasons, never a crash."""
    det = salvo.detections.copy()
    rng = np.random.default_rng(3)
    n = det.size
    pick = rng.choice(n, 60, replace=False)
    det["z"][pick[:10], 0] = np.nan
    det["z"][pick[10:20], 2] = 4.0
    det["sensor"][pick[20:30]] = "Unknown-Radar"
    dup = det[pick[30:40]].copy()
    det["t_s"][pick[40:60]] += rng.uniform(-1.5, 1.5, 20)  # out of order by < window
    stream = np.concatenate([det, dup])
    sensors = {s.name: s.kind for s in salvo.sensors}
    gate = StreamGate(sensors, window_s=2.0)
    tracker = Tracker()
    order = np.argsort(np.floor(stream["t_s"]), kind="stable")  # arrival: by whole second
    for chunk in np.array_split(stream[order], 200):
        out = gate.push(chunk)
        if out.size:
            tracker.step(out)
    tracker.step(gate.flush())
    tracker.flush()
    led = gate.ledger
    assert led.received == stream.size
    assert led.rejected["non_finite"] >= 10
    assert led.rejected["out_of_range"] >= 10
    assert led.rejected["unknown_sensor"] == 10
    assert led.rejected["duplicate"] == 10
    assert led.received == led.released + sum(led.rejected.values())
    assert tracker.ledger().size == led.released


def test_simulate_cli_json_and_out(tmp_path):
    res = runner.invoke(app, ["simulate", "reference-2025-11-07", "--json", "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    for key in ("missiles", "tracks", "swaps", "breaks", "first_track_s", "position_rmse_m"):
        assert key in d
    assert d["missiles"] == 1 and len(d["first_track_s"]) == 1
    assert d["first_track_s"][0] is not None and d["first_track_s"][0] < 120.0
    for name in ("detections.csv", "tracks.csv", "truth.csv"):
        lines = (tmp_path / name).read_text().splitlines()
        assert len(lines) > 2
    assert "truth_missile" in (tmp_path / "detections.csv").read_text().splitlines()[0]
    _check_run_files(tmp_path)


def _check_run_files(folder):
    """Named columns in units, lat/lon/alt, the same rows in CSV and Parquet (issue 17)."""
    import csv

    import pyarrow.parquet as pq

    from launchwatch.earth import frames
    from launchwatch.sense.scenario import load_scenario

    det = pq.read_table(folder / "detections.parquet").to_pydict()
    for col in (
        "time_utc",
        "sensor",
        "range_m",
        "azimuth_deg",
        "elevation_deg",
        "range_rate_m_s",
        "sigma_range_m",
        "sensor_lat_deg",
        "truth_missile",
    ):
        assert col in det
    assert not any(c.startswith(("z_", "state_")) for c in det)
    radar = [i for i, k in enumerate(det["kind"]) if k == "radar"]
    ir = [i for i, k in enumerate(det["kind"]) if k == "ir"]
    assert radar and ir
    assert all(det["range_m"][i] is None for i in ir)  # IR measures no range: empty, not 0
    assert all(0.0 <= det["azimuth_deg"][i] < 360.0 for i in radar)
    with (folder / "detections.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(det["det_id"])
    assert float(rows[radar[0]]["range_m"]) == pytest.approx(det["range_m"][radar[0]])
    truth = pq.read_table(folder / "truth.parquet").to_pydict()
    # the first truth row is the launch site of the scenario, on the ground
    site = load_scenario("reference-2025-11-07")
    assert truth["alt_m"][0] == pytest.approx(0.0, abs=50.0)
    assert (
        truth["time_utc"][0]
        .isoformat()
        .startswith(site.epoch.astimezone(__import__("datetime").UTC).strftime("%Y-%m-%dT%H:%M"))
    )
    tracks = pq.read_table(folder / "tracks.parquet").to_pydict()
    k = len(tracks["t_s"]) // 2
    # lat/lon/alt agree with the ECEF columns (independent conversion of the same row)
    import numpy as np

    lat, lon, h = frames.ecef_to_geodetic(
        np.array([[tracks["x_m"][k], tracks["y_m"][k], tracks["z_m"][k]]])
    )
    assert np.degrees(lat[0]) == pytest.approx(tracks["lat_deg"][k], abs=1e-9)
    assert h[0] == pytest.approx(tracks["alt_m"][k], abs=1e-3)
    speed = np.linalg.norm([tracks["east_m_s"][k], tracks["north_m_s"][k], tracks["up_m_s"][k]])
    assert speed == pytest.approx(tracks["speed_m_s"][k], rel=1e-9)
    assert sum(tracks[c][k] for c in tracks if c.startswith("p_")) == pytest.approx(1.0)


def test_simulate_cli_timeline():
    res = runner.invoke(app, ["simulate", "overflight"])
    assert res.exit_code == 0, res.output
    assert "launch" in res.stdout and "first track" in res.stdout and "RMSE" in res.stdout


def test_simulate_bad_scenario_one_line(tmp_path):
    p = tmp_path / "bad.yaml"
    p.write_text(
        "name: x\nepoch: '2025-01-01T00:00:00+09:00'\nseed: 1\nlaunches:\n"
        "  - {id: A, site: Taekwan, range_km: -1, toward: East Sea}\n"
        "sensors: [TPY2-Shariki]\n"
    )
    res = runner.invoke(app, ["simulate", str(p)])
    assert res.exit_code == 2
    assert "launches.0.range_km" in res.stderr and len(res.stderr.strip().splitlines()) == 1
    res = runner.invoke(app, ["simulate", "no-such-scenario"])
    assert res.exit_code == 2 and "unknown scenario" in res.stderr


def test_detection_records_are_plain():
    assert DETECTION_DTYPE.names == (
        "det_id",
        "sensor",
        "kind",
        "t_s",
        "z",
        "sigma",
        "sensor_ecef_m",
    )
