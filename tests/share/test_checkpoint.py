"""Node checkpoints: plain data through public state()/restore(), versioned MessagePack written
atomically with mode 0600, validated on load (a bad file is one clear error, exit 2)."""

import json
import stat

import msgspec
import numpy as np
import pytest

from launchwatch.sense.records import DETECTION_DTYPE
from launchwatch.share.checkpoint import CheckpointError, read_checkpoint, write_checkpoint
from launchwatch.share.receive import Receiver
from launchwatch.share.signing import Keyring

from .conftest import SPLIT, write_configs

POLICY_STATE = {
    "last_t": 125.0,
    "epoch": "2025-11-07T03:35:00+00:00",
    "cue_t": 120.0,
    "threads": [
        {
            "track_id": 3,
            "country": "JPN",
            "seq": 1,
            "last_seen_s": 124.0,
            "lost": False,
            "hold_until_s": 900.5,
            "done": False,
            "impact_t_s": 610.0,
            "impact_sigma_s": 12.5,
            "follows": -1,
            "first_seen_s": 96.0,
            "first_ground": [39.3, 126.0],
            "last_ground": [40.1, 131.5],
            "refs": ["s@x,id-1,2025-11-07T12:36:00+09:00"],
            "ever": ["JP-01"],
            "passed": [],
            "pending": {"JP-02": 1},
            "impact": [40.5, 135.25, "eez", "JPN"],
            "open": {
                "JP-01": {
                    "first_t_s": 100.0,
                    "code": 132,
                    "p_over": 0.4,
                    "t_exit_s": 320.0,
                    "below": 0,
                    "likely": True,
                    "t_entry_s": None,
                }
            },
            "ellipse": [
                40.5,
                135.25,
                30000.0,
                12000.0,
                45.0,
                [[135.0, 40.0], [135.5, 40.0], [135.5, 41.0]],
            ],
        }
    ],
    "joined": [[2, "JPN", 1, "JPN"]],  # track 2 continues track 1 (a track break)
    "events": [
        {
            "t_s": 100.0,
            "kind": "issue",
            "code": 132,
            "areas": ["JP-01"],
            "track_ids": [3],
            "identifier": "id-1",
            "sent": "2025-11-07T12:36:00+09:00",
            "msg_type": "Alert",
            "references": [],
            "open_areas": ["JP-01"],
            "country": "JPN",
            "p_over": {"JP-01": 0.4},
            "cap_xml": "<alert/>",
            "camf_hex": "",
        }
    ],
}


def test_warning_policy_state_round_trips_as_plain_data():
    from launchwatch.warn.policy import WarningEvent, WarningPolicy

    pol = WarningPolicy(("JPN",))
    assert pol.last_t is None and pol.state()["threads"] == []
    pol.restore(json.loads(json.dumps(POLICY_STATE)))
    assert pol.last_t == 125.0
    assert isinstance(pol.events[0], WarningEvent) and pol.events[0].areas == ("JP-01",)
    assert json.loads(json.dumps(pol.state())) == POLICY_STATE
    with pytest.raises(ValueError, match="warning policy state"):
        pol.restore({**POLICY_STATE, "threads": [{"track_id": 1}]})
    assert pol.state() == POLICY_STATE  # a failed restore changes nothing


def test_receiver_state_round_trips_and_keeps_refusing_replays():
    r = Receiver("KOR", Keyring({}))
    r.ledger.received, r.ledger.accepted = 3, 2
    r.ledger.rejected["stale"] = 1
    r.ledger.accepted_by_sender["USA-INDOPACOM"] = 2
    r._remember("USA-INDOPACOM", 7)
    r._remember("USA-INDOPACOM", 9)
    state = json.loads(json.dumps(r.state()))
    r2 = Receiver("KOR", Keyring({}))
    r2.restore(state)
    assert r2.state() == r.state()
    assert r2._replayed("USA-INDOPACOM", 9) and not r2._replayed("USA-INDOPACOM", 8)
    with pytest.raises(ValueError, match="does not balance"):
        r2.restore({**state, "ledger": {**state["ledger"], "received": 99}})


def test_checkpoint_file_is_plain_versioned_and_private(tmp_path):
    path = tmp_path / "ck" / "checkpoint.msgpack"
    rows = np.zeros(3, DETECTION_DTYPE)
    rows["t_s"] = [1.0, 2.0, 3.0]
    state = {"rows": rows, "n": np.int64(4), "nested": {5: [1, "a", None]}}
    write_checkpoint(path, node_id="KOR-JCS", scenario="s", state=state)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not list(path.parent.glob("*.tmp"))
    back = read_checkpoint(path, node_id="KOR-JCS", scenario="s")
    assert back["rows"].dtype == DETECTION_DTYPE and (back["rows"] == rows).all()
    assert back["n"] == 4 and back["nested"] == {5: [1, "a", None]}
    # the wrong node, scenario, version, or garbage: one clear error naming the file
    with pytest.raises(CheckpointError, match="not of USA"):
        read_checkpoint(path, node_id="USA", scenario="s")
    with pytest.raises(CheckpointError, match="not of KOR-JCS on t"):
        read_checkpoint(path, node_id="KOR-JCS", scenario="t")
    raw = msgspec.msgpack.decode(path.read_bytes(), ext_hook=lambda c, d: None)
    path.write_bytes(msgspec.msgpack.encode({**raw, "version": 99}))
    with pytest.raises(CheckpointError, match="version 99"):
        read_checkpoint(path, node_id="KOR-JCS", scenario="s")
    path.write_bytes(b"\x80\x04garbage")  # e.g. an old pickled checkpoint
    with pytest.raises(CheckpointError, match=str(path)):
        read_checkpoint(path, node_id="KOR-JCS", scenario="s")
    assert read_checkpoint(tmp_path / "none", node_id="KOR-JCS", scenario="s") is None
    with pytest.raises(TypeError):  # objects are not plain data
        write_checkpoint(path, node_id="x", scenario="s", state={"a": np.array([object()])})
    with pytest.raises(TypeError):
        write_checkpoint(path, node_id="x", scenario="s", state={"a": Receiver})


def test_node_restores_from_its_checkpoint(tmp_path, keydir, feed):
    """A node rebuilt from its checkpoint has the same state (gate and tracker replayed from
    the fused chunks) and goes on exactly like the original."""
    from launchwatch.share.bus import InProcBus
    from launchwatch.share.node import Node
    from launchwatch.share.nodeconfig import load_config

    cfgs = write_configs(tmp_path, keydir, state=tuple(SPLIT))
    bus = InProcBus()
    nodes = [Node(load_config(p), bus, feed) for p in cfgs.values()]
    for k in range(120):
        for n in nodes:
            n.publish_chunk(k)
        for n in nodes:
            n.wait_for(k, 0.0)
            n.fuse_chunk(k)
    for n in nodes:
        n.commit()
    jpn = nodes[2]
    assert jpn.warning_policy is not None and jpn.tracker.history.size
    twin = Node(load_config(cfgs["JPN-MOD"]), InProcBus(), feed)
    a, b = jpn.state(), twin.state()
    assert b["next_chunk"] == 120 and b["receiver"] == a["receiver"]
    assert b["warning_policy"] == a["warning_policy"] and b["outbox"] == a["outbox"]
    assert (twin.tracker.history == jpn.tracker.history).all()
    assert twin.gate.ledger.as_dict() == jpn.gate.ledger.as_dict()
    assert twin.own_assessments == jpn.own_assessments
    assert twin.partner_assessments == jpn.partner_assessments


def test_bad_checkpoint_is_one_line_and_exit_2(tmp_path, keydir, capsys):
    from importlib import resources

    from launchwatch.share.runner import run_node

    text = (
        resources.files("launchwatch.sense.scenarios") / "reference-2025-11-07.yaml"
    ).read_text()
    short = tmp_path / "short.yaml"
    short.write_text(text.replace("time_step_s: 0.1", "time_step_s: 0.1\nduration_s: 30"))
    cfg = write_configs(tmp_path, keydir, state=("KOR-JCS",), scenario=str(short))["KOR-JCS"]
    ck = tmp_path / "state" / "KOR-JCS" / "checkpoint.msgpack"
    ck.parent.mkdir(parents=True)
    ck.write_bytes(b"not a checkpoint")
    assert run_node(cfg) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith("launchwatch: error: ") and "checkpoint" in err[0]
