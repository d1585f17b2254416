"""``launchwatch node --config FILE [...]``: partner nodes."""

from __future__ import annotations

from typing import Annotated

import typer


def node(
    config: Annotated[
        list[str],
        typer.Option(
            "--config",
            help="Node configuration (YAML); repeat to run "
            "several nodes in this process over the in-process bus.",
        ),
    ],
) -> None:
    """Run a partner node: its own sensors, signed releasable sharing, fused tracks."""
    from ..share.runner import run_node, run_nodes

    code = run_node(config[0]) if len(config) == 1 else run_nodes(config)
    raise typer.Exit(code)
