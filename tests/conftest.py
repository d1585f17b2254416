"""Suite-wide: how the tests are shared among pytest-xdist workers, and the shipped scenarios'
chain runs that several test files read.

Scheduling (`make test`: ``-n auto --dist loadgroup --no-loadscope-reorder``): a test runs in
the group its ``xdist_group`` mark names, else in its file's group, so a module's expensive
fixtures are built once per file (as ``--dist loadfile`` did); a ``slow`` test that uses no
fixture of the suite's own wider than the test runs in a group of its own, so a file's long
tests spread over the workers.  Tests that share a cached run with other files
(:func:`cli_chain`) name that run's group, so the run is made once and the rest of their file
may go to another worker.  Groups are handed out in the order of the collection,
which :func:`pytest_collection_modifyitems` sorts longest first (the long work starts first and
the short groups fill the workers' tails, so both end together): a group's length is the sum of
its tests' CPU seconds in ``tests/durations.json`` (a test not listed there counts
``UNLISTED_SLOW_S`` if marked ``slow``, else ``UNLISTED_S``).  The order is the only thing the
file changes: a stale or missing file runs the same tests.  Refresh it with
``pytest -n 2 --dist loadgroup --no-loadscope-reorder --store-durations tests/durations.json``.
Without xdist the marks change nothing and only the order does.

pytest-xdist 3.8 passes a test's group to the scheduler by appending it to the node id, which
pytest 9.2 no longer lets a plugin change (pytest-xdist issue #1386: ``loadgroup`` silently
distributes test by test).  Until a release fixes it, the workers write each test's group to a
file the controller names (``LAUNCHWATCH_XDIST_GROUPS``) and :func:`pytest_xdist_make_scheduler`
reads it.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest


def _shares_fixtures(item: pytest.Item) -> bool:
    """Whether ``item`` uses a fixture of the suite (not of pytest or a plugin) that outlives
    one test: such a test stays with its file."""
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return True
    return any(
        d.scope != "function" and d.baseid for defs in info.name2fixturedefs.values() for d in defs
    )


def _group(item: pytest.Item) -> str:
    mark = item.get_closest_marker("xdist_group")
    if mark is not None:
        return str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
    if item.get_closest_marker("slow") and not _shares_fixtures(item):
        return item.nodeid
    return item.nodeid.split("::", 1)[0]


GROUPS_ENV = "LAUNCHWATCH_XDIST_GROUPS"

#: Each test's CPU seconds (setup, call and teardown, with the child processes it waited for),
#: from the last ``--store-durations`` run: the schedule's order only (module docstring).
DURATIONS = Path(__file__).parent / "durations.json"
#: The length assumed for a test that ``DURATIONS`` does not list (seconds): a ``slow`` one, any
#: other (the median test of the suite takes well under a second).
UNLISTED_SLOW_S = 30.0
UNLISTED_S = 0.2


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--store-durations",
        metavar="PATH",
        default=None,
        help="write each test's CPU seconds to PATH as JSON (for tests/durations.json)",
    )


def _durations() -> dict[str, float]:
    try:
        with open(DURATIONS, encoding="utf-8") as fh:
            return {str(k): float(v) for k, v in json.load(fh).items()}
    except (OSError, ValueError, AttributeError):
        return {}


def _cpu_s() -> float:
    me, kids = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


_CPU_START = pytest.StashKey[float]()
_STORED: dict[str, float] = {}


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> object:
    if item.config.getoption("store_durations"):
        item.stash[_CPU_START] = _cpu_s()
    yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> object:
    # with --store-durations: the test's CPU seconds ride on its teardown report to the
    # controller (user_properties go with a report from an xdist worker)
    if call.when == "teardown" and _CPU_START in item.stash:
        item.user_properties.append(("cpu_s", _cpu_s() - item.stash[_CPU_START]))
    yield


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "teardown":
        for key, value in report.user_properties:
            if key == "cpu_s":
                _STORED[report.nodeid] = round(float(value), 2)


def pytest_sessionfinish(session: pytest.Session) -> None:
    path = session.config.getoption("store_durations")
    if path and not hasattr(session.config, "workerinput") and _STORED:
        with open(path, "w", encoding="utf-8") as fh:
            json.dump(dict(sorted(_STORED.items())), fh, indent=0)
            fh.write("\n")


def pytest_configure(config: pytest.Config) -> None:
    # the controller of an xdist run names the folder before it starts the workers
    if not hasattr(config, "workerinput") and config.getoption("numprocesses", None):
        os.environ[GROUPS_ENV] = tempfile.mkdtemp(prefix="launchwatch-groups-")


def pytest_unconfigure(config: pytest.Config) -> None:
    if not hasattr(config, "workerinput") and os.environ.get(GROUPS_ENV):
        shutil.rmtree(os.environ.pop(GROUPS_ENV), ignore_errors=True)


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook reads the marks
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    groups = [_group(item) for item in items]
    for item, g in zip(items, groups, strict=True):
        if item.get_closest_marker("xdist_group") is None:
            item.add_marker(pytest.mark.xdist_group(g))
    known = _durations()
    length: dict[str, float] = {}
    for item, g in zip(items, groups, strict=True):
        unlisted = UNLISTED_SLOW_S if item.get_closest_marker("slow") else UNLISTED_S
        length[g] = length.get(g, 0.0) + known.get(item.nodeid, unlisted)
    first = {g: k for k, g in reversed(list(enumerate(groups)))}  # a group's first position
    order = sorted(range(len(items)), key=lambda k: (-length[groups[k]], first[groups[k]], k))
    items[:] = [items[k] for k in order]
    groups = [groups[k] for k in order]
    folder = os.environ.get(GROUPS_ENV)
    worker = getattr(config, "workerinput", {}).get("workerid")
    if folder and worker:
        path = os.path.join(folder, f"{worker}.json")
        with open(path + ".tmp", "w", encoding="utf-8") as fh:
            json.dump({item.nodeid: g for item, g in zip(items, groups, strict=True)}, fh)
        os.replace(path + ".tmp", path)


def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object | None:
    """``--dist loadgroup`` with the groups the workers wrote (module docstring)."""
    folder = os.environ.get(GROUPS_ENV)
    if config.getvalue("dist") != "loadgroup" or not folder:
        return None
    from xdist.scheduler import LoadScopeScheduling

    class GroupScheduling(LoadScopeScheduling):
        groups: dict[str, str] | None = None

        def _split_scope(self, nodeid: str) -> str:
            if nodeid.rfind("@") > nodeid.rfind("]"):  # an xdist that still marks the id
                return nodeid.split("@")[-1]
            if self.groups is None:  # every worker collected the same tests: any file will do
                names = sorted(f for f in os.listdir(folder) if f.endswith(".json"))
                with open(os.path.join(folder, names[0]), encoding="utf-8") as fh:
                    self.groups = json.load(fh)
            return self.groups.get(nodeid, nodeid.split("::", 1)[0])

        def remove_node(self, node):
            """xdist 3.8's version puts every unit the dead worker ever had back in the queue,
            finished ones too: a replacement sent a unit with nothing left to run never reports
            back, and the run hangs.  Here only unfinished tests go back (first in the queue),
            without the one that was running when the worker died (reported as a crash, as
            ``--dist load`` does, so a test that kills its worker does not kill the next one)."""
            workload = self.assigned_work.pop(node)
            pending = {
                scope: {nodeid: False for nodeid, done in unit.items() if not done}
                for scope, unit in workload.items()
            }
            pending = {scope: unit for scope, unit in pending.items() if unit}
            if not pending:
                return None
            crashitem = next(iter(next(iter(pending.values()))))
            for unit in pending.values():
                unit.pop(crashitem, None)
            pending = {scope: unit for scope, unit in pending.items() if unit}
            for scope, unit in reversed(pending.items()):
                self.workqueue[scope] = unit
                self.workqueue.move_to_end(scope, last=False)
            for other in self.assigned_work:
                self._reschedule(other)
            return crashitem

        def _reschedule(self, node):
            # a replacement worker is in assigned_work from its start but can take work only
            # once it has sent its collection (xdist 3.8 handed it work before and raised
            # KeyError: registered_collections when a worker died while another was starting)
            if node not in self.registered_collections:
                return
            super()._reschedule(node)

    return GroupScheduling(config, log)


@dataclass(frozen=True)
class CliChain:
    """One ``launchwatch simulate NAME --assess --json --out DIR`` run: its JSON (``summary``),
    its folder (``out``) and, when asked for (``cli_chain(name, chain=True)``), the
    :class:`~launchwatch.pipeline.chain.ChainResult` behind them (``chain``, the value the
    command's ``run_chain`` call returned).  ``sim``, always kept: that run's sense + track
    part, the :class:`~launchwatch.pipeline.simulate.SimulationResult` that ``run_chain`` made
    with ``run_simulation(scenario)`` (small: the paths of the assessments are not in it)."""

    summary: dict
    out: Path
    kept: object = None
    sim: object = None

    @property
    def chain(self):
        if self.kept is None:
            raise AttributeError(
                "this run's ChainResult was not kept: ask cli_chain(name, chain=True)"
            )
        return self.kept


@pytest.fixture(scope="session")
def cli_chain(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., CliChain]:
    """``cli_chain(name)``: the shipped scenario ``name`` through the command line, made once
    per worker (tests that share one should name the ``xdist_group`` ``chain-<name>``).
    Read it, never change it.

    ``chain=True`` also keeps the run's ChainResult (``.chain``).  Only then: one holds every
    assessment's sampled paths (0.4 GB for ``jalert-2017-08-29``, 1 GB for ``salvo``), and a
    worker that kept all its scenarios' results was once killed for memory.  A run made without
    it is made again the first time a test asks for its chain."""
    from typer.testing import CliRunner

    from launchwatch.cli import app
    from launchwatch.pipeline import chain as chain_mod

    runs: dict[str, CliChain] = {}

    def get(name: str, *, chain: bool = False) -> CliChain:
        if name not in runs or (chain and runs[name].kept is None):
            out = tmp_path_factory.mktemp(name)
            made = []
            real = chain_mod.run_chain

            def spy(*args, **kwargs):
                made.append(real(*args, **kwargs))
                return made[-1]

            with pytest.MonkeyPatch.context() as mp:
                mp.setattr(chain_mod, "run_chain", spy)
                res = CliRunner().invoke(
                    app, ["simulate", name, "--assess", "--json", "--out", str(out)]
                )
            assert res.exit_code == 0, res.output
            assert len(made) == 1
            runs[name] = CliChain(
                json.loads(res.stdout), out, made[0] if chain else None, made[0].sim
            )
        return runs[name]

    return get
