"""Scenario files: the shipped ones load and fly; mistakes are one line naming the field."""

import numpy as np
import pytest

from launchwatch.earth import frames, geodesy
from launchwatch.sense.scenario import ScenarioError, load_scenario, shipped_scenarios
from launchwatch.sense.truth import build_truth

BASE = """
name: t
epoch: "2025-11-07T12:35:00+09:00"
seed: 1
launches:
  - {id: M1, site: Taekwan, range_km: 500, toward: East Sea}
sensors: [TPY2-Shariki]
"""


def test_shipped_scenarios_are_the_required_ones():
    assert {"reference-2025-11-07", "salvo", "overflight", "lofted-icbm"} <= set(
        shipped_scenarios()
    )


@pytest.mark.parametrize("name", ["reference-2025-11-07", "salvo", "overflight", "lofted-icbm"])
def test_shipped_scenario_flies(name):
    sc = load_scenario(name)
    truth, desc = build_truth(sc)
    assert truth.n_missiles == len(sc.launches) == len(desc)
    assert np.all(np.isfinite(truth.impact_time_s))
    # Every missile is airborne between its launch and its impact, and only then.
    for i, launch in enumerate(sc.launches):
        flying = truth.in_flight()[i]
        t = truth.times_s[flying]
        assert t[0] == pytest.approx(launch.time_s, abs=sc.time_step_s)
        assert t[-1] == pytest.approx(truth.impact_time_s[i], abs=sc.time_step_s)
        assert truth.burning[i].sum() > 0 and not truth.burning[i, ~flying].any()


def test_reference_scenario_matches_the_report():
    truth, _ = build_truth(load_scenario("reference-2025-11-07"))
    s = truth.states_ecef[0]
    s = s[~np.isnan(s[:, 0])]
    lat, lon, h = frames.ecef_to_geodetic(s[:, :3])
    _, _, rng = geodesy.inverse(
        np.degrees(lat[0]), np.degrees(lon[0]), np.degrees(lat[-1]), np.degrees(lon[-1])
    )
    assert rng == pytest.approx(700e3, rel=0.01)
    assert h.max() == pytest.approx(50e3, rel=0.03)  # Japan MoD: about 50 km
    assert 128.0 < np.degrees(lon[-1]) < 135.0  # in the East Sea


def test_salvo_ground_tracks_cross():
    truth, _ = build_truth(load_scenario("salvo"))
    assert truth.n_missiles == 8
    assert np.ptp(truth.launch_time_s) <= 20.0
    # Kusong missiles end south of the Sunan ones, though they start north of them.
    lat_end = []
    for i in range(8):
        s = truth.states_ecef[i]
        s = s[~np.isnan(s[:, 0])]
        lat_end.append(np.degrees(frames.ecef_to_geodetic(s[-1:, :3])[0][0]))
    assert max(lat_end[:4]) < min(lat_end[4:])


def test_same_seed_same_truth():
    a, _ = build_truth(load_scenario("salvo"))
    b, _ = build_truth(load_scenario("salvo"))
    np.testing.assert_array_equal(a.states_ecef, b.states_ecef)


@pytest.mark.parametrize(
    ("edit", "needle"),
    [
        (("range_km: 500", "range_km: -5"), "launches.0.range_km"),
        (("seed: 1", "seed: one"), "seed"),
        (("toward: East Sea", "toward: East Sea, azimuth_deg: 90"), "exactly one of"),
        (("site: Taekwan, ", ""), "site"),
        (("sensors: [TPY2-Shariki]", "sensors: []"), "sensors"),
        (("name: t", "name: t\nbogus: 3"), "bogus"),
        (('epoch: "2025-11-07T12:35:00+09:00"', 'epoch: "2025-11-07T12:35:00"'), "UTC offset"),
        (("range_km: 500", "range_km: .nan"), "range_km"),
        (("launches:", "launches: ["), "YAML"),
    ],
)
def test_mistakes_are_one_line_naming_the_field(tmp_path, edit, needle):
    p = tmp_path / "bad.yaml"
    p.write_text(BASE.replace(*edit))
    with pytest.raises(ScenarioError) as err:
        load_scenario(p)
    msg = str(err.value)
    assert needle in msg and "\n" not in msg, msg


def test_unflyable_launch_names_the_launch(tmp_path):
    p = tmp_path / "far.yaml"
    p.write_text(BASE.replace("range_km: 500", "range_km: 9000, vehicle: KN-25"))
    with pytest.raises(ScenarioError) as err:
        build_truth(load_scenario(p))
    assert "launches.0" in str(err.value) and "reach" in str(err.value)


def test_unknown_scenario_name():
    with pytest.raises(ScenarioError, match="unknown scenario"):
        load_scenario("no-such-scenario")
