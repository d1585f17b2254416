"""The launch corridor picks each salvo missile's own launch site when two sites fire by turns.

Sukchon and Sunan are 25 km apart.  A salvo fired from both by turns puts plumes from both
sites in every track's early IR lines of sight, and those alone once put the Sunan missiles'
launch at Sukchon: from there the bearing to the track's ground point is 55 deg off its flight,
and the corridor warned south-west Japan for missiles bound for the East Sea.  The track's own
direction of motion tells the sites apart (:func:`launchwatch.warn.corridor.heading_term`)."""

from pathlib import Path

import numpy as np
import pytest

from launchwatch.earth import geodesy
from launchwatch.flight.catalog import load_sites
from launchwatch.pipeline.chain import run_chain
from launchwatch.sense.scenario import load_scenario
from launchwatch.warn import corridor as corridor_mod
from launchwatch.warn.corridor import SIGMA_TRACK_AZ_DEG, heading_term

SALVO = Path(__file__).parent / "data" / "salvo-sukchon-sunan-crossing.yaml"


def test_heading_term_weighs_the_turn_between_flight_and_bearing():
    obs = {"vaz_deg": 70.0, "sig_vaz_deg": 2.0}
    assert heading_term(obs, 70.0, 1.0) == 0.0
    # across north: 359 and 1 deg are 2 deg apart, not 358
    assert heading_term({"vaz_deg": 359.0, "sig_vaz_deg": 2.0}, 1.0, 1.0) == pytest.approx(
        -0.5 * 4.0 / (4.0 + 1.0 + SIGMA_TRACK_AZ_DEG**2)
    )
    # symmetric, and a 55 deg turn is decisive at these sigmas
    assert heading_term(obs, 125.0, 1.0) == pytest.approx(heading_term(obs, 15.0, 1.0))
    assert heading_term(obs, 125.0, 1.0) < -50.0
    # wider sigmas weigh less; no horizontal speed to read: no word at all
    assert heading_term({"vaz_deg": 70.0, "sig_vaz_deg": 20.0}, 125.0, 1.0) > -5.0
    assert heading_term({"vaz_deg": 70.0, "sig_vaz_deg": np.inf}, 125.0, 1.0) == 0.0


@pytest.mark.slow
def test_alternating_sites_each_missile_judged_from_its_own_site(monkeypatch):
    scenario = load_scenario(SALVO)
    seen = []  # (t, track id, launch site name, heading deg) of every corridor judgement
    real = corridor_mod.Corridor.blend

    def blend(self, a, th, boost, model):
        out = real(self, a, th, boost, model)
        for tid in np.asarray(a.track_id).astype(int):
            info = self.last.get(int(tid), {})
            if info.get("used"):
                seen.append((float(a.t_s), int(tid), info["launch"][2], info["heading_deg"]))
        return out

    monkeypatch.setattr(corridor_mod.Corridor, "blend", blend)
    run = run_chain(scenario, interval_s=5.0, n_samples=200)
    score = run.sim.score
    sites = load_sites()
    launches = scenario.launches
    judged = set()
    assert seen
    for t, tid, site, heading in seen:
        # the missile this track follows: the one it is assigned to most, over its life
        _, m_of = np.nonzero(score.assignment == tid)
        m = int(np.bincount(m_of).argmax())
        launch = launches[m]
        assert site == launch.site, (t, tid, launch.id, site, launch.site)
        s = sites[launch.site]
        az = geodesy.inverse(s.lat_deg, s.lon_deg, launch.target.lat_deg, launch.target.lon_deg)[0]
        assert abs((heading - float(az) + 180.0) % 360.0 - 180.0) < 10.0, (t, launch.id, heading)
        judged.add(launch.site)
    assert judged == {"Sukchon", "Sunan"}  # both sites' missiles were judged by the corridor
