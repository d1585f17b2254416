"""Shared set-up of the share tests: keys, node configurations, the reference scenario's feed
and its single-machine result (computed once per session)."""

from pathlib import Path

import pytest
import yaml

from launchwatch.pipeline.feed import simulate_feed
from launchwatch.pipeline.simulate import run_simulation
from launchwatch.sense.scenario import load_scenario
from launchwatch.share.signing import make_keys

SCENARIO = "reference-2025-11-07"
#: The reference scenario's sensors split among the three partners (TPY-2 radars in Japan,
#: THAAD and SBIRS are US-operated; Green Pines Korean; the Sea of Japan Aegis Japanese).
SPLIT = {
    "KOR-JCS": ("KOR", ["GreenPine-Jincheon", "GreenPine-Gyeongsang"]),
    "USA-INDOPACOM": ("USA", ["TPY2-Shariki", "TPY2-Kyogamisaki", "THAAD-Seongju", "SBIRS-GEO-1"]),
    "JPN-MOD": ("JPN", ["Aegis-SeaOfJapan"]),
}


@pytest.fixture(scope="session")
def keydir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("keys")
    make_keys(folder, list(SPLIT) + ["ROGUE"])
    return folder


def write_configs(
    folder: Path,
    keydir: Path,
    *,
    policies: dict | None = None,
    bus: dict | None = None,
    state=(),
    **extra,
) -> dict[str, Path]:
    """One YAML configuration per node of SPLIT in ``folder``; ``policies``: node id -> policy
    mapping (default: everything to everyone); ``state``: the nodes that get a state dir."""
    out = {}
    for node, (partner, sensors) in SPLIT.items():
        cfg = {
            "node_id": node,
            "partner": partner,
            "private_key": str(keydir / f"{node}.key"),
            "partners": {
                n: {"partner": p, "public_key": str(keydir / f"{n}.pub")}
                for n, (p, _) in SPLIT.items()
                if n != node
            },
            "scenario": SCENARIO,
            "sensors": sensors,
            "wait_s": 0.0,
            "warn": partner == "JPN",
        }  # Japan's node runs the J-Alert-like policy
        cfg.update(extra)
        if policies and node in policies:
            pol = folder / f"policy-{node}.yaml"
            pol.write_text(yaml.safe_dump(policies[node]))
            cfg["policy"] = str(pol)
        if bus:
            cfg["bus"] = bus
        if node in state:
            cfg["state_dir"] = str(folder / "state" / node)
        path = folder / f"{node}.yaml"
        path.write_text(yaml.safe_dump(cfg))
        out[node] = path
    return out


@pytest.fixture(scope="session")
def feed():
    return simulate_feed(load_scenario(SCENARIO))


@pytest.fixture(scope="session")
def single_machine():
    return run_simulation(load_scenario(SCENARIO))
