"""``assess.warm.warm_up``: the tables an assessment would build on first need are built by it,
once per process."""

from launchwatch.assess import launch_point
from launchwatch.assess.warm import warm_up
from launchwatch.earth.zones import zone_model


def test_warm_up_builds_the_lazy_tables_once():
    took = warm_up()
    assert took >= 0.0
    model = zone_model()
    # the zones' coast tree and land mask are cached properties: built now, not by the first
    # sample impact outside the uniform-cell raster
    assert "tree" in vars(model) and "mask" in vars(model)
    assert launch_point.templates.cache_info().currsize == 1
    tree = model.tree
    warm_up()
    assert zone_model().tree is tree  # nothing rebuilt
    assert launch_point.templates.cache_info().currsize == 1
