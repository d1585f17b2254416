"""launchwatch command line: a thin layer over the package (typer + rich), one module per
command group (:mod:`.reconstruct`, :mod:`.chain`, :mod:`.zone`, :mod:`.bench`, :mod:`.node`,
:mod:`.record`, :mod:`.service`, :mod:`.warn`, :mod:`.campaign`).

Every command turns bad input into one line on stderr and exit code 2, never a traceback
(:func:`.common.fail`).
"""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING

import typer

from . import bench, campaign, chain, node, reconstruct, service, zone
from .common import fail
from .keys import keys_app
from .record import record_app
from .warn import warn_app

if TYPE_CHECKING:  # typer's own click, whose errors its hook below formats
    from typer._click.exceptions import ClickException

__all__ = ["app", "fail", "main"]

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="launchwatch: open ballistic-missile launch monitoring and early warning.",
)
bench_app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Benchmarks that print figures and ratios against named peers.",
)
app.add_typer(bench_app, name="bench")
app.command()(reconstruct.reconstruct)
app.command()(chain.demo)
# "zone 10 -150": a negative coordinate is a value, not an option
app.command(context_settings={"ignore_unknown_options": True})(zone.zone)
app.command()(chain.simulate)
bench_app.command("flight")(bench.bench_flight)
bench_app.command("tracking")(bench.bench_tracking_cmd)
bench_app.command("zones")(bench.bench_zones_cmd)
bench_app.command("assess")(bench.bench_assess_cmd)
app.command()(node.node)
bench_app.command("share")(bench.bench_share_cmd)
app.add_typer(record_app, name="record")
app.command(name="serve")(service.serve)
app.add_typer(warn_app, name="warn")
app.command(name="campaign")(campaign.campaign)
bench_app.command("campaign")(campaign.bench_campaign)
app.add_typer(keys_app, name="keys")


def unwrap_help(doc: str | None) -> str | None:
    """A command's docstring as help text: the lines of each paragraph joined into one (typer
    keeps the docstring's line breaks, which then cut sentences in the middle of the
    terminal's lines: "flight time (with a" / "heading, ..."); paragraphs stay apart."""
    if not doc:
        return doc
    paragraphs = inspect.cleandoc(doc).split("\n\n")
    return "\n\n".join(" ".join(p.split()) for p in paragraphs)


def _unwrap_all(group: typer.Typer) -> None:
    for info in group.registered_commands:
        if info.help is None and info.callback is not None:
            info.help = unwrap_help(inspect.getdoc(info.callback))
    for sub in group.registered_groups:
        if sub.typer_instance is not None:
            _unwrap_all(sub.typer_instance)


_unwrap_all(app)


def _usage_error_in_one_line(self: ClickException) -> None:
    """Option-parser errors (unknown option, a word where a number goes) as one line, like
    every other error of the command line, instead of rich's framed box. (``self``: the
    error, named as in the hook it replaces, ``rich_utils.rich_format_error``.)"""
    ctx = getattr(self, "ctx", None)
    cmd = ctx.command_path if ctx is not None else "launchwatch"
    msg = " ".join(self.format_message().split())
    typer.echo(f"launchwatch: error: {msg} (see {cmd} --help)", err=True)


# typer formats click's usage errors through this hook at the time of the error
from typer import rich_utils  # noqa: E402

rich_utils.rich_format_error = _usage_error_in_one_line


def main() -> None:  # pragma: no cover - console entry point
    app()
