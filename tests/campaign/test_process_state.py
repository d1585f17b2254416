"""An engagement's result depends on (spec, seed, index) only, not on what its process ran before.

A Dask worker runs many engagements one after another, and the test process runs other tests'
chains before a campaign's; state that one run leaves behind (a cached table written into, a
cache filled under other arguments) would make the next run's figures depend on that history.
"""

import copy

import numpy as np
import pytest

from launchwatch.assess.burn import catalog_burn_times_s
from launchwatch.assess.launch_point import templates
from launchwatch.bench.campaign import fingerprint
from launchwatch.campaign.engage import run_engagement
from launchwatch.campaign.score import REGIMES
from launchwatch.campaign.spec import spec_from_dict
from launchwatch.earth.geodesy import PathDistances
from launchwatch.warn.corridor import FineKinematics, _fan_members, fan, staged_templates

from .conftest import CHEAP

#: The cheap campaign with Hwasong-12 shots assessed every 4 s: assessments during the boost
#: (the remaining-burn fan, the launch-point templates), where the figures moved once.
BOOSTING = copy.deepcopy(CHEAP)
BOOSTING["threat"]["classes"] = {"hwasong12-overflight": 1}
BOOSTING["threat"]["salvo_size"] = {1: 1}
BOOSTING["chain"] = {"assess_interval_s": 4, "samples": 30}


def _cached_arrays():
    yield "catalog_burn_times_s", catalog_burn_times_s()
    for i, a in enumerate(templates()):
        yield f"launch_point.templates[{i}]", a
    for name, _, scales, _ in staged_templates():
        yield f"corridor.staged_templates {name}", scales
    for i, (_, kicks, scales, _) in enumerate(_fan_members()):
        yield f"corridor._fan_members[{i}] kicks", kicks
        yield f"corridor._fan_members[{i}] thrust scales", scales
    for i, a in enumerate(fan(39.0, 125.7, 95.0)):
        # the downranges, speeds and angles: computed where read, from the positions (the
        # fan's own) and the velocities
        if isinstance(a, FineKinematics):
            yield f"corridor.fan[{i}].vel", a.vel
        if isinstance(a, PathDistances | FineKinematics):
            yield f"corridor.fan[{i}].table()", a.table()
        else:
            yield f"corridor.fan[{i}]", a


def test_cached_tables_cannot_be_written_into():
    for name, a in _cached_arrays():
        assert isinstance(a, np.ndarray) and not a.flags.writeable, name
        with pytest.raises(ValueError, match="read-only"):
            a.flat[0] = 0.0


@pytest.mark.slow
def test_an_engagement_does_not_depend_on_what_its_process_ran_before():
    spec = spec_from_dict(BOOSTING)
    first = run_engagement(spec, 11, 0)
    assert first["status"] == "ok", first["engagement"].get("error")
    regimes = first["assessments"]["regime"]
    assert REGIMES.index("boost") in regimes  # the test covers boost-phase assessments
    # other work in the same process: other engagements (SRBM salvos, another seed), and the
    # corridor's templates from another launch point
    cheap = spec_from_dict(CHEAP)
    for i in (1, 2):
        assert run_engagement(cheap, 11, i)["status"] == "ok"
    assert run_engagement(spec, 12, 1)["status"] == "ok"
    fan(40.7, 129.7, 80.0)
    again = run_engagement(spec, 11, 0)
    # bit for bit: in one process nothing (memory layout, numba threads) may move a figure
    assert fingerprint(again) == fingerprint(first)
