"""An impact ellipse across the antimeridian is one ring about the impact, not a band round the
globe (issue 12, false-alarm areas).

A Hwasong-12 overflight to 4,000-4,600 km lands near 180 E.  Its 95 % ellipse's vertices were
wrapped one by one into [-180, 180], so the polygon ran from -180 to 180 at the impact's
latitudes and touched every area there: japan-overflights seed 5 e4 (impact 179.7 E, 40.4 N,
ellipse 83 km) warned Aomori, Iwate and Akita after the missile had crossed Hokkaido."""

import numpy as np

from launchwatch.warn.cap import cap_polygon
from launchwatch.warn.threat import ThreatModel

from .conftest import SUNAN, make_assessment


def _impacts(lat, lon, n=60, seed=1):
    rng = np.random.default_rng(seed)
    return np.stack([lat + 0.2 * rng.standard_normal(n), lon + 0.3 * rng.standard_normal(n)], 1)


def test_an_ellipse_across_the_antimeridian_touches_no_area_far_from_it():
    model = ThreatModel()
    a = make_assessment(400.0, SUNAN, _impacts(40.4, 179.8), 1300.0)
    ring = a.ellipse_polygon(0, 0.95)
    assert ring[:, 0].max() > 180.0  # it crosses: the test would not test anything otherwise
    assert np.ptp(ring[:, 0]) < 5.0  # one ring about the impact
    th = model.threat(a)
    assert not th["ellipse"][0].any(), [model.codes[i] for i in np.flatnonzero(th["ellipse"][0])]


def test_an_ellipse_west_of_the_antimeridian_too():
    model = ThreatModel()
    a = make_assessment(400.0, SUNAN, _impacts(40.4, -179.8), 1300.0)
    assert a.ellipse_polygon(0, 0.95)[:, 0].min() < -180.0
    assert not model.threat(a)["ellipse"][0].any()


def test_the_same_ellipse_on_land_still_touches_its_area():
    """The control: the same spread about Aomori city is in Aomori's land."""
    model = ThreatModel()
    a = make_assessment(400.0, SUNAN, _impacts(40.8, 140.7), 700.0)
    hit = {model.codes[i] for i in np.flatnonzero(model.threat(a)["ellipse"][0])}
    assert "JP-02" in hit


def test_a_cap_polygon_writes_longitudes_in_range():
    ring = np.array([[179.9, 40.0], [180.2, 40.1], [180.1, 40.3], [179.8, 40.2]])
    pairs = [p.split(",") for p in cap_polygon(ring).split()]
    lons = [float(lon) for _, lon in pairs]
    assert all(-180.0 <= x < 180.0 for x in lons)
    assert lons[1] == -179.8
