"""Releasability policy: first matching rule, classes, per-row labels, clear errors."""

import numpy as np
import pytest

from launchwatch.share.policy import Policy, PolicyError

RAW = {
    "partners": ["KOR", "USA", "JPN"],
    "classes": {"TRILATERAL": ["KOR", "USA", "JPN"], "BILATERAL_US": ["USA"]},
    "rules": [
        {"kind": "detections", "sensors": ["Aegis-SeaOfJapan"], "to": "BILATERAL_US"},
        {"kind": "tracks", "tracks": [3], "to": ["USA", "KOR"]},
        {"kind": "warning", "to": []},
        {"kind": "*", "to": "TRILATERAL"},
    ],
}


def test_first_matching_rule_and_classes():
    p = Policy.from_dict(RAW)
    assert p.labels("detections", sensor="Aegis-SeaOfJapan") == ("USA",)
    assert p.labels("detections", sensor="TPY2-Shariki") == ("JPN", "KOR", "USA")
    assert p.labels("tracks", track=3) == ("KOR", "USA")
    assert p.labels("tracks", track=1) == ("JPN", "KOR", "USA")
    assert p.labels("warning") == ()
    assert p.labels("assessment") == ("JPN", "KOR", "USA")
    with pytest.raises(ValueError):
        p.labels("gossip")


def test_no_rule_means_nobody():
    p = Policy.from_dict({"partners": ["KOR", "USA"], "rules": [{"kind": "tracks", "to": ["USA"]}]})
    assert p.labels("detections", sensor="x") == ()


def test_row_labels_are_per_distinct_key():
    p = Policy.from_dict(RAW)
    sensors = np.array(["TPY2-Shariki", "Aegis-SeaOfJapan", "TPY2-Shariki", "Aegis-SeaOfJapan"])
    sets, index = p.row_labels("detections", sensors=sensors)
    assert [sets[i] for i in index] == [
        ("JPN", "KOR", "USA"),
        ("USA",),
        ("JPN", "KOR", "USA"),
        ("USA",),
    ]
    sets, index = p.row_labels("tracks", tracks=np.array([1, 3]))
    assert [sets[i] for i in index] == [("JPN", "KOR", "USA"), ("KOR", "USA")]
    sets, index = p.row_labels("detections", sensors=np.array([], dtype="U24"))
    assert index.size == 0


@pytest.mark.parametrize(
    "raw, where",
    [
        ({"partners": []}, "partners"),
        ({"partners": ["KOR"], "rules": [{"kind": "tracks", "to": ["CHN"]}]}, "rules.0.to"),
        ({"partners": ["KOR"], "rules": [{"kind": "gossip", "to": ["KOR"]}]}, "rules.0.kind"),
        ({"partners": ["KOR"], "classes": {"A": ["USA"]}}, "unknown partners"),
        ({"partners": ["KOR"], "rules": [{"kind": "tracks", "too": ["KOR"]}]}, "too"),
        ([1, 2], "mapping"),
    ],
)
def test_errors_are_one_line_naming_the_field(raw, where):
    with pytest.raises(PolicyError) as exc:
        Policy.from_dict(raw, "p.yaml")
    msg = str(exc.value)
    assert "\n" not in msg and where in msg and msg.startswith("p.yaml")


def test_shipped_example_policies_load():
    from importlib import resources

    folder = resources.files("launchwatch.share") / "data"
    names = [p.name for p in folder.iterdir() if p.name.startswith("policy")]
    assert names
    for name in names:
        Policy.load(folder / name)


def test_shipped_example_node_configs_load(tmp_path):
    """The example node configurations resolve (with freshly made keys beside them), and
    every number in the share data files is marked as the project's rule asks."""
    import shutil
    from importlib import resources

    from launchwatch.flight.provenance import unmarked_numeric_lines
    from launchwatch.share.nodeconfig import load_config
    from launchwatch.share.signing import make_keys

    folder = resources.files("launchwatch.share") / "data"
    for p in folder.iterdir():
        if p.name.endswith(".yaml"):
            assert unmarked_numeric_lines(p.read_text()) == [], p.name
            shutil.copy(p, tmp_path / p.name)
    make_keys(tmp_path / "keys", ["KOR-JCS", "USA-INDOPACOM", "JPN-MOD"])
    nodes = {}
    for name in ("KOR-JCS", "USA-INDOPACOM", "JPN-MOD"):
        nodes[name] = load_config(tmp_path / f"node-{name}.yaml")
    sensors = [s for n in nodes.values() for s in n.sensors]
    assert len(sensors) == len(set(sensors)) == 7  # the reference scenario's, split
    assert nodes["JPN-MOD"].policy.labels("detections", sensor="Aegis-SeaOfJapan") == ("USA",)
    # only Japan's node warns (J-Alert); every node assesses its fused tracks every 10 s
    assert [n for n, s in nodes.items() if s.spec.warn] == ["JPN-MOD"]
    assert {s.spec.assess_every_s for s in nodes.values()} == {10.0}
    assert nodes["JPN-MOD"].policy.labels("warning") == ("JPN", "KOR", "USA")
    assert nodes["JPN-MOD"].policy.labels("assessment", track=1) == ("JPN", "KOR", "USA")
