"""The assessment's reductions rewritten for speed give what the plain forms give: the level
quantiles (numpy's nanquantile), the zone probabilities (string keys per sample) and the
east-north offsets solved in two threads (one pyproj call)."""

import warnings

import numpy as np
import pytest

from launchwatch.assess import impact
from launchwatch.earth import geodesy, zones


def test_row_nanquantile_is_numpys_nanquantile_exactly():
    rng = np.random.default_rng(0)
    levels = np.array([0.5, 0.95])
    for trial in range(200):
        k, s = rng.integers(1, 12), rng.integers(1, 700)
        x = rng.gamma(0.7, 3.0, (k, s)) * rng.choice([1.0, 1e-3, 1e6])
        x[rng.random((k, s)) < rng.random()] = np.nan
        if trial % 5 == 0:
            x[0] = np.nan  # a track with no impact
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN rows
            want = np.nanquantile(x, levels, axis=1).T
        np.testing.assert_array_equal(impact.row_nanquantile(x, levels), want)


def _zone_probs_by_strings(kind, country, valid):
    """The plain form: a string key per sample, counted with np.unique per track."""
    keys = np.where(kind == "high_seas", "high_seas", np.char.add(np.char.add(kind, ":"), country))
    probs = []
    for k in range(keys.shape[0]):
        names, counts = np.unique(keys[k][valid[k]], return_counts=True)
        order = np.argsort(-counts, kind="stable")
        total = counts.sum()
        probs.append({str(names[i]): round(float(counts[i] / total), 4) for i in order})
    return probs


def test_zone_probabilities_equal_the_string_count():
    rng = np.random.default_rng(4)
    # points around Japan: land, territorial seas, EEZs of several countries, high seas
    lat = rng.uniform(30.0, 46.0, (6, 400))
    lon = rng.uniform(126.0, 150.0, (6, 400))
    lat[2] = rng.normal(35.5, 0.3, 400)  # a cloud on the coast: ties and small shares
    lon[2] = rng.normal(133.0, 0.3, 400)
    valid = rng.random(lat.shape) < 0.9
    valid[4] = False  # no sample landed
    kind, country = zones.classify_codes(lat, lon)
    z = zones.classify(lat, lon)
    probs, v_kind, v_country = impact._zone_probs(kind, country, valid)
    want = _zone_probs_by_strings(z.kind.astype(str), z.country.astype(str), valid)
    assert len({key for p in probs for key in p}) >= 4
    for k in range(lat.shape[0]):
        if k == 4:
            assert probs[k] == {} and v_kind[k] == "unknown" and v_country[k] == ""
            continue
        assert probs[k] == want[k]
        assert list(probs[k]) == list(want[k])  # most probable first, ties in key order
        best = next(iter(want[k]))
        assert (v_kind[k], v_country[k]) == (best.partition(":")[0], best.partition(":")[2])


@pytest.mark.parametrize("n", [10, impact.SPLIT_MIN_POINTS + 7])
def test_east_north_in_two_threads_equals_one_call(n):
    rng = np.random.default_rng(n)
    lat0, lon0 = 38.0, 134.0
    lat = lat0 + rng.normal(0.0, 1.0, (3, n))
    lon = lon0 + rng.normal(0.0, 1.0, (3, n))
    got = impact.east_north_m(lat0, lon0, lat, lon)
    az, _, dist = geodesy.inverse(lat0, lon0, lat, lon)
    az = np.radians(az)
    np.testing.assert_array_equal(got, np.stack([dist * np.sin(az), dist * np.cos(az)], axis=-1))
