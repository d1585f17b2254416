"""README.md cannot lie: every command in its ``sh`` code blocks is run as written.

Commands are read from the fenced ``sh`` blocks (backslash continuations joined, ``# ...``
comments dropped, ``[--opt]`` optional parts left out).  ``.venv/bin/launchwatch`` runs as the
``launchwatch`` app in this process (typer's runner), ``.venv/bin/python`` as this interpreter.
Quick commands run in full; long ones (whole scenario runs, benchmarks, the server, partner
nodes) run with ``--help`` appended -- which still rejects an unknown command or option -- and
their inputs are checked: the scenario loads, the files exist, the node configurations load
with the keys the README's key command makes.  ``make`` targets are checked with ``make -n``.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
#: First words of the commands run only with --help (their inputs are checked apart).
LONG = ("simulate", "bench", "serve", "node", "demo", "campaign")
#: The sample statement of the ingest example (written by the record helpers).
STATEMENT = REPO / "examples" / "statement.txt"


def readme_commands(text: str) -> list[str]:
    """The shell commands of the ``sh`` code blocks of ``text`` (see module docstring)."""
    out = []
    for block in re.findall(r"^```sh\n(.*?)^```", text, flags=re.S | re.M):
        joined = re.sub(r"\s*\\\n\s*", " ", block)
        for line in joined.splitlines():
            line = _strip_comment(line).strip()
            if line:
                out.append(re.sub(r"\s*\[--[^\]]*\]", "", line))
    return out


def _strip_comment(line: str) -> str:
    """The line without a trailing ``# comment`` outside quotes."""
    quote = None
    for i, ch in enumerate(line):
        if ch in "'\"":
            quote = None if quote == ch else (quote or ch)
        elif ch == "#" and quote is None and (i == 0 or line[i - 1].isspace()):
            return line[:i]
    return line


COMMANDS = readme_commands(README.read_text())


def _env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["LAUNCHWATCH_DB_URL"] = f"sqlite:///{tmp_path / 'record.db'}"
    env["PYTHONPATH"] = os.pathsep.join([str(REPO / "src"), env.get("PYTHONPATH", "")])
    return env


def _argv(words: list[str]) -> list[str]:
    if words[0] == ".venv/bin/launchwatch":
        return [sys.executable, "-m", "launchwatch.cli", *words[1:]]
    if words[0] == ".venv/bin/python":
        return [sys.executable, *words[1:]]
    return words


def _run(argv, cwd, env, timeout=300) -> subprocess.CompletedProcess:
    return subprocess.run(
        argv,
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


def _check_inputs(words: list[str], tmp_path: Path, env) -> None:
    """What a long command would read exists and loads."""
    args = words[1:]
    if args[0] == "simulate":
        from launchwatch.sense.scenario import load_scenario

        assert load_scenario(args[1]).name
    if args[0] == "campaign":
        from launchwatch.campaign.spec import load_spec

        assert load_spec(args[1])[0].name
    if args[0] == "bench" and args[1] == "tracking":
        pytest.importorskip("stonesoup", reason="the bench extra (make test installs it)")
    if args[0] == "node":
        configs = [args[i + 1] for i, a in enumerate(args) if a == "--config"]
        _check_node_configs(configs, tmp_path, env)


def _check_node_configs(configs: list[str], tmp_path: Path, env) -> None:
    """The node configurations exist and load once the README's key command has run (in a
    copy of their folder, so the test writes nothing into the repository)."""
    from launchwatch.share.nodeconfig import load_config

    key_cmds = [c for c in COMMANDS if "make_keys" in c]
    assert key_cmds, "README shows no key creation command"
    for cfg in configs:
        assert (REPO / cfg).is_file(), cfg
    copy = tmp_path / "repo"
    data = Path(configs[0]).parent
    shutil.copytree(REPO / data, copy / data)
    for cmd in key_cmds:
        res = _run(_argv(shlex.split(cmd)), copy, env)
        assert res.returncode == 0, (cmd, res.stderr[-2000:])
    for cfg in configs:
        assert load_config(copy / cfg).spec.node_id


def test_the_readme_shows_commands():
    assert len(COMMANDS) >= 15
    assert any(c.startswith("make test") for c in COMMANDS)


def test_command_parser_joins_and_strips():
    text = (
        '```sh\nmake demo   # x\n.venv/bin/launchwatch a --b \\\n    "c # d" [--json]  # e\n'
        "```\n```python\nignored\n```\n"
    )
    assert readme_commands(text) == ["make demo", '.venv/bin/launchwatch a --b "c # d"']


@pytest.mark.parametrize("command", COMMANDS)
def test_readme_command_works_as_written(command, tmp_path, monkeypatch):
    words = shlex.split(command)
    env = _env(tmp_path)
    if words[0] == "make":
        if shutil.which("make") is None:
            pytest.skip("make is not installed")
        res = _run(["make", "-n", *words[1:]], REPO, env, timeout=60)
        assert res.returncode == 0, res.stderr
        return
    if words[0] == ".venv/bin/python":  # the key command writes its keys under the cwd
        res = _run(_argv(words), tmp_path, env)
        assert res.returncode == 0, (command, res.stderr[-2000:])
        return
    assert words[0] == ".venv/bin/launchwatch", command
    if "examples/statement.txt" in words and not STATEMENT.is_file():
        pytest.skip("examples/statement.txt is not in this checkout yet")
    from typer.testing import CliRunner

    from launchwatch.cli import app

    args = words[1:]
    if args[0] in LONG and not (args[0] == "campaign" and "--replay" in args):  # replay: quick
        _check_inputs(words, tmp_path, env)
        args = [*args, "--help"]
    elif "--out" in args:
        args[args.index("--out") + 1] = str(tmp_path / "out")
    monkeypatch.setenv("LAUNCHWATCH_DB_URL", env["LAUNCHWATCH_DB_URL"])
    monkeypatch.chdir(REPO)
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, (command, res.output[-2000:], res.exception)
