"""``launchwatch record ...``: exit codes, JSON output, one-line errors (no tracebacks).
Texts without a site or heading are used so that no reconstruction runs (fast)."""

import json

import pytest
from typer.testing import CliRunner

from launchwatch.cli import app

from .conftest import STATEMENTS

runner = CliRunner()


def run(*args, **kw):
    return runner.invoke(app, ["record", *args], **kw)


def _error_line(res):
    assert res.exit_code == 2, res.output
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("launchwatch: error: ")
    assert "Traceback" not in res.output
    return lines[0]


@pytest.fixture
def filled(db_url):
    res = run("ingest", str(STATEMENTS / "ap_2025-11-07.txt"), "--json", "--db", db_url)
    assert res.exit_code == 0, res.output
    return db_url, json.loads(res.stdout)


def test_ingest_json(filled):
    _, d = filled
    assert d["duplicate"] is False and d["event_id"] == 1
    assert d["authority"] == "ROK JCS" and d["outlet"] == "AP"
    assert d["reported"]["range_km"] == 700 and d["reported"]["launch_date"] == "2025-11-07"
    assert d["derived"] is None  # no site named: nothing to reconstruct from
    assert "site" in d["missing"] and "launch_time" in d["missing"]
    assert "no reconstruction: launch site unknown" in d["event"]["reports"][0]["notes"]


def test_ingest_twice_from_stdin_is_a_duplicate(filled):
    db_url, first = filled
    text = (STATEMENTS / "ap_2025-11-07.txt").read_text()
    res = run("ingest", "-", "--json", "--db", db_url, input=text)
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    assert d["duplicate"] is True and d["event_id"] == first["event_id"]
    res = run("list", "--json", "--db", db_url)
    assert len(json.loads(res.stdout)) == 1


def test_no_launch_exit_2_nothing_stored(db_url):
    res = run("ingest", str(STATEMENTS / "no_launch.txt"), "--db", db_url)
    assert "no missile launch" in _error_line(res)
    assert json.loads(run("list", "--json", "--db", db_url).stdout) == []


def test_list_show_filters(filled):
    db_url, d = filled
    rows = json.loads(run("list", "--json", "--db", db_url, "--class", "srbm").stdout)
    assert [r["id"] for r in rows] == [d["event_id"]]
    assert json.loads(run("list", "--json", "--db", db_url, "--since", "2025-11-08").stdout) == []
    assert json.loads(run("list", "--json", "--db", db_url, "--site", "Taekwan").stdout) == []
    res = run("show", str(d["event_id"]), "--json", "--db", db_url)
    assert res.exit_code == 0 and json.loads(res.stdout)["reports"][0]["outlet"] == "AP"
    assert run("show", str(d["event_id"]), "--db", db_url).exit_code == 0
    assert run("list", "--db", db_url).exit_code == 0


@pytest.mark.parametrize(
    "args, message",
    [
        (("list", "--since", "yesterday"), "--since"),
        (("list", "--class", "XXL"), "--class"),
        (("show", "99"), "no event 99"),
        (("ingest", "/no/such/file.txt"), "cannot read"),
        (("export", "out.txt", "--format", "kml"), "--format"),
        (("import", "/no/such/file.csv"), "cannot read"),
    ],
)
def test_bad_input_one_line_exit_2(db_url, args, message):
    assert message in _error_line(run(*args, "--db", db_url))


def test_bad_db_url():
    assert "database URL" in _error_line(run("list", "--db", "nonsense://"))


def test_empty_and_bad_import_files(tmp_path, db_url):
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n")
    assert "empty" in _error_line(run("ingest", str(empty), "--db", db_url))
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n")
    assert "header" in _error_line(run("import", str(bad), "--db", db_url))
    bad.write_text("text_hash,launch_date\nabc,2025-13-45\n")
    assert "launch_date" in _error_line(run("import", str(bad), "--db", db_url))


def test_export_import_cli(filled, tmp_path):
    db_url, _ = filled
    for fmt in ("csv", "geojson", "czml"):
        out = tmp_path / f"out.{fmt}"
        res = run("export", str(out), "--format", fmt, "--db", db_url)
        assert res.exit_code == 0, res.output
    packets = json.loads((tmp_path / "out.czml").read_text())
    assert packets[0]["id"] == "document" and len(packets) == 1  # nothing reconstructed
    other = f"sqlite:///{tmp_path / 'other.sqlite3'}"
    res = run("import", str(tmp_path / "out.geojson"), "--db", other)
    assert res.exit_code == 0 and "imported 1 report" in res.stdout
    res = run("import", str(tmp_path / "out.csv"), "--db", other)
    assert "imported 0 report(s), 1 already recorded" in res.stdout


def test_batch_ingest_and_list_with_header(db_url):
    """Several files in one call (issue 17): one line per file, JSON list in order; the list is
    a table with a header row, each event one whole line when piped."""
    files = [str(STATEMENTS / n) for n in ("ap_2025-11-07.txt", "japan_mod_2025-11-07.txt")]
    res = run("ingest", *files, "--json", "--no-zone", "--db", db_url)
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    assert [x["outlet"] for x in d] == ["AP", "Japan MoD"] or len(d) == 2
    assert d[0]["event_id"] == d[1]["event_id"]  # two reports of one launch
    res = run("list", "--db", db_url)
    lines = res.stdout.splitlines()
    assert lines[0].split()[:5] == ["id", "date", "time", "site", "class"]
    assert len(lines) == 2 and lines[1].split()[1] == "2025-11-07"
    res = run("ingest", files[0], str(STATEMENTS / "missing.txt"), "--db", db_url)
    assert "cannot read" in _error_line(res)
