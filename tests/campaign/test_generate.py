"""Engagement generation: seeds, salvo geometry, and the replay round trip."""

import numpy as np
import pytest
from typer.testing import CliRunner

from launchwatch.campaign.generate import generate, scenario_yaml, seed_sequence
from launchwatch.campaign.spec import load_spec, spec_from_dict
from launchwatch.cli import app
from launchwatch.earth import geodesy
from launchwatch.flight.catalog import get_site
from launchwatch.sense.scenario import load_scenario

from .conftest import CHEAP


def test_seed_stream_is_the_spawned_child():
    children = np.random.SeedSequence(42).spawn(5)
    for i in range(5):
        ss = seed_sequence(42, i)
        assert ss.generate_state(4).tolist() == children[i].generate_state(4).tolist()


def test_generation_depends_only_on_seed_and_index(cheap_spec):
    a, b = generate(cheap_spec, 7, 3), generate(cheap_spec, 7, 3)
    assert a.scenario.model_dump() == b.scenario.model_dump()
    assert a.meta == b.meta and a.chain == b.chain
    others = {generate(cheap_spec, 7, i).scenario.seed for i in range(8)}
    assert len(others) == 8
    assert generate(cheap_spec, 8, 3).scenario.seed != a.scenario.seed


def _salvo_spec(crossing: float):
    raw = {
        **CHEAP,
        "threat": {**CHEAP["threat"], "salvo_size": 8, "aim_spacing_km": 3.0, "crossing": crossing},
    }
    return spec_from_dict(raw)


def test_aim_points_spaced_as_asked():
    eng = generate(_salvo_spec(0.0), 1, 0)
    t = [(x.target.lat_deg, x.target.lon_deg) for x in eng.scenario.launches]
    lat, lon = np.array(t).T
    _, _, d = geodesy.inverse(lat[:-1], lon[:-1], lat[1:], lon[1:])
    assert np.allclose(d, 3000.0, rtol=0.01)


def _cross(p, q, r, s) -> bool:
    """Do plane segments p-q and r-s intersect (lon/lat as plane coordinates, short hops)?"""

    def orient(a, b, c):
        return np.sign((b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]))

    return orient(p, q, r) != orient(p, q, s) and orient(r, s, p) != orient(r, s, q)


def test_crossing_salvo_ground_tracks_cross():
    found = 0
    for i in range(6):
        eng = generate(_salvo_spec(1.0), 2, i)
        assert eng.meta["crossing"]
        ls = eng.scenario.launches
        sites = {x.site for x in ls}
        assert len(sites) == 2
        a = next(x for x in ls if x.site == ls[0].site)
        b = next(x for x in ls if x.site != ls[0].site)
        sa, sb = get_site(a.site), get_site(b.site)
        found += _cross(
            (sa.lon_deg, sa.lat_deg),
            (a.target.lon_deg, a.target.lat_deg),
            (sb.lon_deg, sb.lat_deg),
            (b.target.lon_deg, b.target.lat_deg),
        )
    assert found == 6


@pytest.mark.parametrize("name", ["regional-2019-2025", "dense-salvos", "japan-overflights"])
def test_shipped_specs_generate(name):
    spec, _ = load_spec(name)
    for i in range(10):
        eng = generate(spec, 0, i)
        assert 1 <= len(eng.scenario.launches) <= 24
        assert eng.scenario.sensors


def test_replay_round_trip(tmp_path, cheap_spec_path, cheap_spec):
    r = CliRunner().invoke(
        app,
        ["campaign", str(cheap_spec_path), "--seed", "5", "--replay", "2", "--out", str(tmp_path)],
    )
    assert r.exit_code == 0, r.output
    path = tmp_path / "engagement-2.yaml"
    assert r.stdout.strip() == str(path)
    assert load_scenario(path).model_dump() == generate(cheap_spec, 5, 2).scenario.model_dump()
    text = (
        CliRunner()
        .invoke(app, ["campaign", str(cheap_spec_path), "--seed", "5", "--replay", "2"])
        .stdout
    )
    assert text == scenario_yaml(generate(cheap_spec, 5, 2))
    sim = CliRunner().invoke(app, ["simulate", str(path), "--json"])
    assert sim.exit_code == 0, sim.output
    assert '"scenario": "cheap-s5-e2"' in sim.stdout


def test_crossing_salvo_aim_points_stay_within_the_vehicles_reach():
    """dense-salvos seed 3, engagements 1 and 6: crossing KN-25 salvos (drawn at 370-380 km)
    whose far group asked for ~438 km, beyond the KN-25's reach, so the engagement did not
    generate a flyable scenario.  Now the centre moves back until each group's longest shot is
    within reach, and that shot flies (shaped by the flight core, not compared with a list)."""
    from launchwatch.flight.shaping import shape
    from launchwatch.flight.vehicles import vehicle_model

    spec, _ = load_spec("dense-salvos")
    for i in (1, 6):
        eng = generate(spec, 3, i)
        assert eng.meta["threat_class"] == "kn25" and eng.meta["crossing"]
        far = (0.0, None, 0.0)
        for x in eng.scenario.launches:
            s = get_site(x.site)
            az, _, d = geodesy.inverse(s.lat_deg, s.lon_deg, x.target.lat_deg, x.target.lon_deg)
            if float(d) > far[0]:
                far = (float(d), s, float(az))
        d, s, az = far
        assert d > 400e3  # still a long shot: moved back only by the excess
        shot = shape(vehicle_model("KN-25"), s.lat_deg, s.lon_deg, d, az)
        assert abs(shot.range_m - d) < 1e-3 * d
