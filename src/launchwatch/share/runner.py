"""The command-line side of partner nodes: ``launchwatch node --config FILE [...]``.

:func:`run_node` runs one node (in its own process, over the bus of its configuration);
:func:`run_nodes` runs several nodes of one scenario in this process over one in-process bus.
Both print one JSON summary per node and return the exit code (2 with a one-line message on
stderr for a bad configuration, checkpoint or broker).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ..pipeline.feed import simulate_feed
from .bus import Bus, BusError, InProcBus, NatsBus
from .checkpoint import CheckpointError
from .node import Node, run_lockstep
from .nodeconfig import BusSpec, NodeConfigError, load_config


def make_bus(spec: BusSpec) -> Bus:
    """The bus of a node configuration (``BusError`` if a broker cannot be reached)."""
    if spec.kind == "nats":
        return NatsBus(spec.url, stream=spec.stream, ack_wait_s=spec.ack_wait_s)
    return InProcBus()


def run_node(config_path: str | Path) -> int:
    """``launchwatch node --config FILE``: run one partner node to the end of its scenario;
    writes ``history.npy``, ``timing.npz`` and ``summary.json`` into its state dir and prints
    the summary (JSON).  Returns the exit code (2 with a one-line message on a bad
    configuration or checkpoint or an unreachable broker).  With ``bus: {kind: inproc}``
    partners in other processes cannot reach it: it runs alone (use :func:`run_nodes` for one
    process)."""
    try:
        setup = load_config(config_path)
        bus = make_bus(setup.spec.bus)
    except (NodeConfigError, BusError) as exc:
        print(f"launchwatch: error: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2
    try:
        node = Node(setup, bus, simulate_feed(setup.scenario))
        if isinstance(bus, InProcBus) and setup.spec.partners:
            print(
                "note: in-process bus: partners in other processes cannot reach this node; "
                "it runs on its own sensors",
                file=sys.stderr,
            )
            node.partner_nodes = ()
        node.run()
        if setup.state_dir is not None:
            node.write_outputs(setup.state_dir)
        print(json.dumps(node.summary()))
    except (BusError, CheckpointError) as exc:
        print(f"launchwatch: error: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2
    finally:
        bus.close()
    return 0


def run_nodes(config_paths) -> int:
    """Several nodes of one scenario in this process over one in-process bus, in lock-step
    (the single-machine deployment; their ``bus`` settings are ignored).  Writes each node's
    outputs and prints one JSON summary per node; returns the exit code like :func:`run_node`.
    """
    try:
        setups = [load_config(p) for p in config_paths]
        scenarios = {s.scenario.name for s in setups}
        if len(scenarios) != 1:
            raise NodeConfigError(f"nodes of different scenarios: {sorted(scenarios)}")
    except NodeConfigError as exc:
        print(f"launchwatch: error: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2
    bus = InProcBus()
    feed = simulate_feed(setups[0].scenario)
    try:
        nodes = [Node(s, bus, feed) for s in setups]
    except CheckpointError as exc:
        print(f"launchwatch: error: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2
    run_lockstep(nodes)
    for node in nodes:
        if node.setup.state_dir is not None:
            node.write_outputs(node.setup.state_dir)
        print(json.dumps(node.summary()))
    return 0
