"""Campaign specs: the shipped ones validate; mistakes are one line naming the field."""

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from launchwatch.campaign.spec import SpecError, draw, load_spec, shipped_specs, spec_from_dict
from launchwatch.cli import app

from .conftest import CHEAP


def test_shipped_specs_load():
    names = shipped_specs()
    assert {"regional-2019-2025", "dense-salvos", "japan-overflights"} <= set(names)
    for name in names:
        spec, text = load_spec(name)
        assert spec.name == name and text


def _with(path: str, value):
    raw = yaml.safe_load(yaml.safe_dump(CHEAP))
    *head, last = path.split(".")
    node = raw
    for k in head:
        node = node[k]
    node[last] = value
    return raw


@pytest.mark.parametrize(
    "path, value, expect",
    [
        ("threat.sites", {"Atlantis": 1}, "threat.sites: unknown site"),
        ("threat.classes", {"hgv": 1}, "threat.classes: unknown threat class 'hgv'"),
        ("threat.salvo_size", [1, 30], "threat.salvo_size"),
        ("threat.salvo_size", 2.5, "must be integers"),
        ("threat.launch_spacing_s", [5, 2], "low <= high"),
        ("threat.crossing", 1.5, "threat.crossing"),
        ("sensors.fixed", {"NoSuchRadar": 1.0}, "sensors.fixed: unknown sensor"),
        ("chain.samples", {10: 0}, "positive weight"),
        ("threat.colour", "red", "threat.colour: Extra inputs are not permitted"),
    ],
)
def test_mistakes_name_the_field(path, value, expect):
    with pytest.raises(SpecError) as err:
        spec_from_dict(_with(path, value), "x.yaml")
    msg = str(err.value)
    assert expect in msg and "\n" not in msg and msg.startswith("x.yaml: ")


def test_file_errors(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: [unclosed\n")
    with pytest.raises(SpecError, match="bad.yaml: line"):
        load_spec(bad)
    bad.write_text("- a list\n")
    with pytest.raises(SpecError, match="is a mapping"):
        load_spec(bad)
    with pytest.raises(SpecError, match="unknown campaign spec 'nope'; shipped: "):
        load_spec("nope")


def test_draws():
    rng = np.random.default_rng(0)
    ints = [draw((1, 3), rng, integer=True) for _ in range(3000)]
    assert set(ints) == {1, 2, 3}
    assert abs(np.mean(ints) - 2.0) < 0.05
    pick = [draw({1.0: 1.0, 5.0: 3.0}, rng, integer=True) for _ in range(4000)]
    assert set(pick) == {1, 5} and abs(np.mean(np.array(pick) == 5) - 0.75) < 0.03
    u = [draw((2.0, 4.0), rng) for _ in range(2000)]
    assert 2.0 <= min(u) and max(u) <= 4.0 and abs(np.mean(u) - 3.0) < 0.05
    assert draw(7.0, rng) == 7.0


@pytest.mark.parametrize(
    "args, expect",
    [
        (["nope"], "unknown campaign spec"),
        (["regional-2019-2025", "--n", "0"], "--n must be at least 1"),
        (["regional-2019-2025", "--seed", "-1"], "--seed at least 0"),
        (["regional-2019-2025", "--workers", "2", "--scheduler", "tcp://127.0.0.1:1"], "not both"),
        (["regional-2019-2025", "--resume"], "--resume needs the --out"),
        (["regional-2019-2025", "--scheduler", "127.0.0.1:8786"], "an address like tcp://"),
        (["regional-2019-2025", "--replay", "-3"], "--replay must be"),
    ],
)
def test_cli_bad_input_is_one_line(args, expect):
    r = CliRunner().invoke(app, ["campaign", *args])
    assert r.exit_code == 2, r.output
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and expect in lines[0] and "Traceback" not in r.output


def test_cli_bad_spec_file(tmp_path):
    p = tmp_path / "s.yaml"
    p.write_text(yaml.safe_dump(_with("threat.salvo_size", [0, 4])))
    r = CliRunner().invoke(app, ["campaign", str(p)])
    assert r.exit_code == 2
    assert r.stderr.strip().startswith(f"launchwatch: error: {p}: threat.salvo_size")


def test_a_folder_named_like_a_shipped_spec_does_not_hide_it(tmp_path, monkeypatch):
    # `launchwatch campaign single-missile --out single-missile`, then `... --resume`
    (tmp_path / "single-missile").mkdir()
    monkeypatch.chdir(tmp_path)
    spec, _ = load_spec("single-missile")
    assert spec.name == "single-missile"
    (tmp_path / "mine.yaml").mkdir()
    with pytest.raises(SpecError, match="mine.yaml: cannot read"):
        load_spec("mine.yaml")
