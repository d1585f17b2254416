"""Three partner nodes on the in-process bus: fused tracks equal the single-machine run,
releasability holds end to end, a killed node restarts from its checkpoint and catches up."""

import json

import numpy as np
import pytest
import yaml

from launchwatch.share import messages as m
from launchwatch.share.bus import InProcBus, inbox
from launchwatch.share.node import Node, run_lockstep
from launchwatch.share.nodeconfig import load_config
from launchwatch.share.runner import run_node
from launchwatch.share.send import Outbox

from .conftest import SPLIT, write_configs


def _nodes(folder, keydir, feed, bus, **kw):
    cfgs = write_configs(folder, keydir, **kw)
    return [Node(load_config(p), bus, feed) for p in cfgs.values()]


def _same_tracks(h, ref):
    """Largest position difference (m) of two histories with the same rows, or None."""
    if h.size != ref.size or not (h["track_id"] == ref["track_id"]).all():
        return None
    return float(np.abs(h["state"][:, :3] - ref["state"][:, :3]).max())


@pytest.fixture(scope="module")
def open_run(tmp_path_factory, keydir, feed):
    bus = InProcBus()
    nodes = _nodes(tmp_path_factory.mktemp("open"), keydir, feed, bus)
    run_lockstep(nodes)
    return nodes, bus


def test_sensors_are_split_without_overlap(open_run, feed):
    nodes, _ = open_run
    own = [n.own.size for n in nodes]
    assert all(k > 0 for k in own) and sum(own) == feed.detections.size


def test_fused_tracks_at_every_node_match_single_machine(open_run, single_machine):
    nodes, _ = open_run
    ref = single_machine.tracker.history
    ref_tracks = single_machine.summary()["tracks"]
    assert ref_tracks >= 1
    for node in nodes:
        s = node.summary()
        assert s["tracks"] == ref_tracks, node.node_id
        diff = _same_tracks(node.tracker.history, ref)
        assert diff is not None and diff < 1e-6, (node.node_id, diff)
        assert s["gate"]["received"] == single_machine.detections.size
        led = node.receiver.ledger
        assert led.balanced() and sum(led.rejected.values()) == 0
        assert not node.missed and node.late_rows == 0


def test_every_node_receives_the_others_assessments(open_run):
    """Every node assesses its fused tracks every 10 s and sends the summary; every node
    receives the other two nodes' assessments: same verdict (outside Japan's EEZ), the same
    impact point (the fused tracks, hence the predictions, are identical)."""
    from launchwatch.earth import geodesy

    nodes, _ = open_run
    by_id = {n.node_id: n for n in nodes}
    for node in nodes:
        assert node.assessments_made >= 10, node.node_id
        assert node.own_assessments
        for sender in node.partner_nodes:
            theirs = by_id[sender]
            got = node.partner_assessments[sender]
            assert (
                node.accepted[sender]["assessment"]
                == theirs.outbox.sent[node.partner]["assessment"]
                > 0
            )
            assert set(got) == set(theirs.own_assessments)  # every track they assessed
            for tid, rec in got.items():
                mine = node.own_assessments[tid]
                assert rec["t_s"] == mine["t_s"]
                assert rec["verdict"]["country"] != "JPN" and rec["p_japan_eez"] < 0.5
                assert rec["verdict"] == mine["verdict"]
                _, _, d_m = geodesy.inverse(
                    rec["impact_lat"], rec["impact_lon"], mine["impact_lat"], mine["impact_lon"]
                )
                assert float(d_m) < 3e3, (node.node_id, sender, tid, float(d_m))
        s = json.loads(json.dumps(node.summary(), allow_nan=False))
        assert s["assess"]["made"] == node.assessments_made
        assert set(s["partner_assessments"]) == set(node.partner_nodes)


def test_only_japan_warns_and_not_for_the_reference_launch(open_run):
    nodes, _ = open_run
    for node in nodes:
        if node.partner == "JPN":
            pol = node.warning_policy
            assert pol is not None and pol.last_t is not None  # it saw the assessments
            assert pol.events == [] and node.warnings_issued == []
        else:
            assert node.warning_policy is None
        assert all("warning" not in per for per in node.outbox.sent.values())
        assert node.partner_warnings == []


def test_warnings_are_sent_received_and_follow_the_policy(tmp_path, keydir, feed):
    """A warning event of Japan's policy reaches the partners its rule names, verified and
    stored; a restricted one never reaches the excluded partner."""
    from launchwatch.warn.policy import WarningEvent

    policies = {
        "JPN-MOD": {
            "partners": ["KOR", "USA", "JPN"],
            "rules": [
                {"kind": "warning", "tracks": [9], "to": ["JPN", "USA"]},
                {"kind": "*", "to": ["KOR", "USA", "JPN"]},
            ],
        }
    }
    bus = InProcBus()
    nodes = {n.node_id: n for n in _nodes(tmp_path, keydir, feed, bus, policies=policies)}
    kor, usa, jpn = nodes["KOR-JCS"], nodes["USA-INDOPACOM"], nodes["JPN-MOD"]
    cap = (
        '<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><info>'
        "<headline>Missile launched: it may fly over your area</headline></info></alert>"
    )
    events = [
        WarningEvent(
            t_s=60.0,
            kind="issue",
            code=128,
            areas=("JP-01",),
            track_ids=(tid,),
            identifier=f"w-T{tid}-001",
            sent="2025-11-07T12:36:00+09:00",
            msg_type="Alert",
            references=(),
            open_areas=("JP-01",),
            cap_xml=cap,
        )
        for tid in (1, 9)
    ]
    assert jpn._send_warnings(events) == 3  # track 1 to both partners, track 9 to USA
    kor.receive()
    usa.receive()
    assert [w["identifier"] for w in usa.partner_warnings] == ["w-T1-001", "w-T9-001"]
    assert [w["identifier"] for w in kor.partner_warnings] == ["w-T1-001"]
    w = kor.partner_warnings[0]
    assert w["sender"] == "JPN-MOD" and w["areas"] == ["JP-01"] and w["track_id"] == [1]
    assert w["headline"] == "launched: Missile launched: it may fly over your area"
    assert usa.accepted["JPN-MOD"]["warning"] == 2 and kor.accepted["JPN-MOD"]["warning"] == 1
    assert usa.summary()["partner_warnings"] == usa.partner_warnings
    assert [e["identifier"] for e in jpn.summary()["warnings_issued"]] == ["w-T1-001", "w-T9-001"]


def test_a_node_alone_sees_less(feed, single_machine):
    """The point of sharing: Japan's node on its own sensors tracks later than fused."""
    from launchwatch.sense.stream import StreamGate
    from launchwatch.track.tracker import Tracker

    own = feed.detections[np.isin(feed.detections["sensor"], SPLIT["JPN-MOD"][1])]
    gate = StreamGate(feed.sensor_kinds, window_s=2.0)
    tr = Tracker()
    tr.step(np.concatenate([gate.push(own), gate.flush()]))
    tr.flush()
    h, ref = tr.history, single_machine.tracker.history
    first_alone = h["t_s"][h["confirmed"]].min()
    first_fused = ref["t_s"][ref["confirmed"]].min()
    assert first_fused < first_alone - 30.0


def test_label_restricted_track_and_detections_never_reach_the_excluded_partner(
    tmp_path, keydir, feed, single_machine
):
    ref = single_machine.tracker.history
    confirmed = np.unique(ref["track_id"][ref["confirmed"]])
    assert confirmed.size >= 1  # one since the glide model (no break); tentative ones too
    secret = int(confirmed[-1])
    policies = {
        "USA-INDOPACOM": {
            "partners": ["KOR", "USA", "JPN"],
            "rules": [
                {"kind": "tracks", "tracks": [secret], "to": ["USA", "KOR"]},
                {"kind": "assessment", "tracks": [secret], "to": ["USA", "KOR"]},
                {"kind": "*", "to": ["KOR", "USA", "JPN"]},
            ],
        },
        "JPN-MOD": yaml.safe_load(
            (
                __import__("importlib").resources.files("launchwatch.share")
                / "data"
                / "policy-JPN-MOD.yaml"
            ).read_text()
        ),
    }
    bus = InProcBus()
    nodes = {n.node_id: n for n in _nodes(tmp_path, keydir, feed, bus, policies=policies)}
    run_lockstep(list(nodes.values()))
    usa, kor, jpn = nodes["USA-INDOPACOM"], nodes["KOR-JCS"], nodes["JPN-MOD"]
    # Japan received USA's tracks, but never the restricted one; Korea got both
    assert set(kor.partner_tracks["USA-INDOPACOM"]["track_id"]) >= {secret}
    usa_to_jpn = jpn.partner_tracks.get("USA-INDOPACOM")
    assert usa_to_jpn is None or secret not in set(usa_to_jpn["track_id"])
    # nor is it anywhere on Japan's inbox (decode every frame there; Korea's tracks are there)
    n_tracks = 0
    for data in bus._logs[inbox("JPN")]:
        env = m.decode_envelope(m.decode_frame(data).envelope)
        assert "JPN" in env.labels
        if env.kind == "tracks" and env.sender == usa.node_id:
            assert secret not in m.body_tracks(m.decode_body(env))["track_id"]
        n_tracks += env.kind == "tracks"
    assert n_tracks > 0
    # the same for its impact assessments: Korea has the secret track's, Japan only the others'
    assert secret in kor.partner_assessments["USA-INDOPACOM"]
    got_jpn = set(jpn.partner_assessments.get("USA-INDOPACOM", {}))
    assert secret not in got_jpn
    n_assess = 0
    for data in bus._logs[inbox("JPN")]:
        env = m.decode_envelope(m.decode_frame(data).envelope)
        if env.kind == "assessment":
            n_assess += 1
            if env.sender == usa.node_id:  # track ids are per sender
                assert secret not in m.check_assessment(m.decode_body(env))["track_id"]
    assert (
        n_assess > 0
        and n_assess
        == jpn.accepted["USA-INDOPACOM"]["assessment"] + jpn.accepted["KOR-JCS"]["assessment"]
    )
    # Japan's ship radar went to the USA only
    aegis = "Aegis-SeaOfJapan"
    n_aegis = int(np.sum(feed.detections["sensor"] == aegis))
    assert usa.gate.ledger.received == feed.detections.size
    assert kor.gate.ledger.received == feed.detections.size - n_aegis
    diff = _same_tracks(usa.tracker.history, ref)  # USA may see everything: tracks as fused
    assert diff is not None and diff < 1e-6, diff
    # a faulty US sender that ignores the policy: Japan's receiver refuses it
    faulty = Outbox(usa.node_id, "USA", usa.setup.key, usa.setup.policy, bus, seq=usa.outbox.seq)
    rows = m.latest_per_track(usa.tracker.history)
    faulty.seq += 1
    env = m.make_envelope(
        sender=usa.node_id,
        seq=faulty.seq,
        labels=["USA", "KOR"],
        body=m.tracks_body(rows, epoch=usa.epoch),
        sent_s=faulty.clock(),
    )
    from launchwatch.share.signing import sign_envelope

    bus.publish(inbox("JPN"), sign_envelope(usa.setup.key, env))
    before = jpn.receiver.ledger.rejected["not_releasable"]
    jpn.receive()
    assert jpn.receiver.ledger.rejected["not_releasable"] == before + 1
    usa_to_jpn = jpn.partner_tracks.get("USA-INDOPACOM")
    assert usa_to_jpn is None or secret not in set(usa_to_jpn["track_id"])
    assert jpn.receiver.ledger.balanced()


@pytest.mark.slow
def test_killed_node_restarts_from_checkpoint_and_catches_up(
    tmp_path, keydir, feed, single_machine
):
    bus = InProcBus()
    cfgs = write_configs(tmp_path, keydir, state=("KOR-JCS",))
    nodes = [Node(load_config(p), bus, feed) for p in cfgs.values()]
    kor = nodes[0]
    assert kor.node_id == "KOR-JCS"
    kill_at, back_at = 150, 260  # chunks: KOR dies during 150; partners' sensors run on
    for k in range(0, kill_at + 1):
        for node in nodes:
            node.publish_chunk(k)
        for node in nodes:
            node.wait_for(k, 0.0)
            node.fuse_chunk(k)
            if node is kor and k == kill_at:
                node.receive()  # fetched more, then killed before the commit
                continue
            node.commit()
    kor.sub.close()
    del nodes[0]
    for k in range(kill_at + 1, back_at):  # partners publish, but wait for KOR's chunks
        for node in nodes:
            node.publish_chunk(k)
            assert not node.wait_for(k, 0.0)
    # restart: state from the checkpoint of chunk kill_at - 1, the rest from the bus
    kor2 = Node(load_config(cfgs["KOR-JCS"]), bus, feed)
    assert kor2.next_chunk == kill_at and kor2.next_publish == kill_at
    for k in range(kill_at, back_at):  # catch up alone: partners' chunks are on the bus
        kor2.step(k, wait_s=0.0)
    assert not kor2.missed
    run_lockstep([kor2, *nodes])
    ref = single_machine.tracker.history
    for node in [kor2, *nodes]:
        diff = _same_tracks(node.tracker.history, ref)
        assert diff is not None and diff < 1e-6, node.node_id
        assert not node.missed and node.late_rows == 0
        assert node.receiver.ledger.balanced()
    # what KOR had fetched but not committed came again and was taken once (detections, track
    # reports, assessments); KOR remade the assessments it had made after its checkpoint
    assert kor2.accepted["USA-INDOPACOM"] == nodes[0].outbox.sent["KOR"]
    assert kor2.accepted["USA-INDOPACOM"]["assessment"] > 0
    assert kor2.assessments_made == nodes[0].assessments_made
    assert kor2.partner_assessments["USA-INDOPACOM"] == kor2.own_assessments


def test_run_node_bad_config_exits_2(tmp_path, keydir, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("node_id: X\n")
    assert run_node(bad) == 2
    err = capsys.readouterr().err
    assert err.startswith("launchwatch: error: ") and err.count("\n") == 1
    cfg = yaml.safe_load(write_configs(tmp_path, keydir)["KOR-JCS"].read_text())
    cfg["sensors"] = ["No-Such-Radar"]
    bad.write_text(yaml.safe_dump(cfg))
    assert run_node(bad) == 2
    assert "No-Such-Radar" in capsys.readouterr().err
    cfg["sensors"], cfg["private_key"] = [], str(tmp_path / "missing.key")
    bad.write_text(yaml.safe_dump(cfg))
    assert run_node(bad) == 2
    cfg["private_key"] = str(keydir / "KOR-JCS.key")
    cfg["bus"] = {"kind": "nats", "url": "nats://127.0.0.1:1"}
    bad.write_text(yaml.safe_dump(cfg))
    assert run_node(bad) == 2
    assert "cannot connect" in capsys.readouterr().err


def test_run_nodes_in_one_process_on_a_short_scenario(tmp_path, keydir, capsys):
    """``run_nodes``: the single-machine deployment, on the first two minutes of the
    reference scenario (its own scenario file), against ``run_simulation`` of the same."""
    import json
    from importlib import resources

    from launchwatch.pipeline.simulate import run_simulation
    from launchwatch.sense.scenario import load_scenario
    from launchwatch.share.runner import run_nodes

    text = (
        resources.files("launchwatch.sense.scenarios") / "reference-2025-11-07.yaml"
    ).read_text()
    short = tmp_path / "short.yaml"
    short.write_text(text.replace("time_step_s: 0.1", "time_step_s: 0.1\nduration_s: 120"))
    cfgs = write_configs(tmp_path, keydir, state=tuple(SPLIT), scenario=str(short))
    assert run_nodes(list(cfgs.values())) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [s["node_id"] for s in lines] == list(SPLIT)
    ref_run = run_simulation(load_scenario(short))
    ref = ref_run.tracker.history
    assert ref.size > 10
    for node in SPLIT:
        h = np.load(tmp_path / "state" / node / "history.npy")
        assert _same_tracks(h, ref) == 0.0
    assert run_nodes([cfgs["KOR-JCS"], tmp_path / "nope.yaml"]) == 2
    # one node alone on the in-process bus: runs on its own sensors, says so, never hangs
    (tmp_path / "alone").mkdir()
    alone = write_configs(tmp_path / "alone", keydir, scenario=str(short), wait_s=30.0)
    assert run_node(alone["JPN-MOD"]) == 0
    out = capsys.readouterr()
    assert "note: in-process bus" in out.err
    assert json.loads(out.out)["gate"]["received"] == int(
        np.sum(ref_run.detections["sensor"] == "Aegis-SeaOfJapan")
    )


def test_japan_node_warns_from_the_launch_corridor(tmp_path, keydir):
    """Japan's node runs the chain's warning policy, launch corridor included
    (pipeline.chain.chain_policy): on the overflight IRBM, with every sensor its own, it warns
    Hokkaido while the missile still burns (a ballistic-only policy cannot before ~82 s, when
    the ballistic prediction first reaches Hokkaido), from what it has fused so far."""
    from launchwatch.pipeline.feed import simulate_feed
    from launchwatch.sense.scenario import load_scenario
    from launchwatch.warn.corridor import Corridor

    scenario = load_scenario("overflight")
    feed = simulate_feed(scenario)
    cfg = {
        "node_id": "JPN-MOD",
        "partner": "JPN",
        "private_key": str(keydir / "JPN-MOD.key"),
        "partners": {
            n: {"partner": p, "public_key": str(keydir / f"{n}.pub")}
            for n, p in (("KOR-JCS", "KOR"), ("USA-INDOPACOM", "USA"))
        },
        "scenario": "overflight",
        "sensors": sorted(feed.sensor_kinds),
        "wait_s": 0.0,
        "warn": True,
        "assess_every_s": 2.0,
        "assess_samples": 200,
    }
    path = tmp_path / "JPN-MOD.yaml"
    path.write_text(yaml.safe_dump(cfg))
    node = Node(load_config(path), InProcBus(), feed)
    assert isinstance(node.warning_policy.early, Corridor)
    for k in range(76):
        node.publish_chunk(k)
        node.wait_for(k, 0.0)
        node.fuse_chunk(k)
    issued = [w for w in node.warnings_issued if w["kind"] == "issue"]
    assert issued and "JP-01" in issued[0]["areas"], node.warnings_issued
    # data time (sent when the gate released it, ~+4 s later): as the chain's own run (68 s,
    # tests/warn/test_chain.py), before a ballistic-only policy could (~82 s)
    assert issued[0]["t_s"] <= 70.0
    assert node.warning_policy.early.last  # the corridor judged the node's track
    assert not any(c.startswith("JP-") and c != "JP-01" for w in issued for c in w["areas"])
