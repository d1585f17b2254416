"""Output conventions of the command line (issue 17): help that lists choices and shows flags as
flags, tables with headers, whole lines when piped, the zone batch mode, run files with named
columns in units (CSV and Parquet)."""

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from launchwatch.cli import app, choices

runner = CliRunner()


def test_help_lists_choices_and_flags_have_no_type():
    sim = runner.invoke(app, ["simulate", "--help"], terminal_width=200)
    assert sim.exit_code == 0
    for name in ("reference-2025-11-07", "salvo", "jalert-2017-08-29", "TPY2-Shariki"):
        assert name in sim.stdout
    assert "<bool>" not in sim.stdout
    rec = runner.invoke(app, ["reconstruct", "--help"], terminal_width=200)
    for name in ("Taekwan", "Mupyong-ri", "Hwasong-17", "East Sea"):
        assert name in rec.stdout
    assert "<bool>" not in rec.stdout and "<float>" in rec.stdout


def test_help_sentences_are_not_cut_by_the_docstrings_line_breaks():
    """Every command's help has its docstring's paragraphs as whole lines (typer kept the line
    breaks: "flight time (with a" then "heading, ..." on the next terminal line)."""
    import typer.main

    def walk(cmd, path):
        for name, sub in getattr(cmd, "commands", {}).items():
            for para in (sub.help or "").split("\n\n"):
                assert "\n" not in para, (path + [name], para)
            assert "``" not in (sub.help or ""), path + [name]  # no reST markup shown raw
            walk(sub, path + [name])

    walk(typer.main.get_command(app), [])
    import re

    def words(args):  # the rendered help's words, box lines and wrapping removed
        return re.sub(r"[\s│]+", " ", runner.invoke(app, args).stdout)

    assert "flight time (with a heading, a sea area or a landing description)" in words(["--help"])
    assert "On an address other than loopback the service refuses" in words(["serve", "--help"])


def test_choices_match_the_catalogs():
    """The fast line-pattern readers give exactly the catalogs' names (no drift)."""
    from launchwatch.flight.catalog import load_sites, load_vehicles
    from launchwatch.sense.scenario import shipped_scenarios

    assert list(choices.scenarios()) == shipped_scenarios()
    assert set(choices.sites()) == {s.name for s in load_sites().values()}
    assert set(choices.vehicles()) == {v.name for v in load_vehicles().values()}


def test_piped_output_is_not_wrapped_or_highlighted():
    res = runner.invoke(
        app,
        [
            "reconstruct",
            "--site",
            "Taekwan",
            "--range-km",
            "450",
            "--apogee-km",
            "50",
            "--toward",
            "East Sea",
            "--vehicle",
            "KN-23",
        ],
    )
    assert res.exit_code == 0, res.output
    assert "\x1b[" not in res.stdout  # no colour codes for "KN-23" or any digit
    lines = res.stdout.splitlines()
    assert any(len(ln) > 80 for ln in lines)  # soft wrap: a long line stays one line


ZONE_CSV = "name,lat,lon\nsea of japan,41.5,137.2\npyongyang,39.03,125.75\npacific,30,160\n"


def test_zone_batch_csv_and_json():
    res = runner.invoke(app, ["zone", "--file", "-"], input=ZONE_CSV)
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    assert [r["name"] for r in rows] == ["sea of japan", "pyongyang", "pacific"]
    assert [r["kind"] for r in rows] == ["eez", "land", "high_seas"]
    assert rows[0]["country"] == "JPN" and rows[1]["country"] == "PRK" and rows[2]["country"] == ""
    # the batch answer is the single-point answer
    one = json.loads(runner.invoke(app, ["zone", "41.5", "137.2", "--json"]).stdout)
    assert float(rows[0]["distance_to_coast_km"]) == pytest.approx(
        one["distance_to_coast_km"], abs=1e-3
    )
    res = runner.invoke(app, ["zone", "-f", "-", "--json"], input="41.5,137.2\n35.68,139.69\n")
    d = json.loads(res.stdout)
    assert [x["kind"] for x in d] == ["eez", "land"] and d[1]["country"] == "JPN"


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("a,b\n1,2\n", "no latitude/longitude columns"),
        ("lat,lon\n95,10\n", "out of range"),
        ("lat,lon\n10,east\n", "not numbers"),
        ("", "no points"),
    ],
)
def test_zone_batch_bad_input_one_line(text, needle):
    res = runner.invoke(app, ["zone", "-f", "-"], input=text)
    assert res.exit_code == 2
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and needle in lines[0] and "Traceback" not in res.output


def test_zone_needs_a_point_or_a_file():
    res = runner.invoke(app, ["zone"])
    assert res.exit_code == 2 and "LAT and LON" in res.stderr


def test_zone_takes_negative_coordinates():
    """West and south are negative numbers, not options ("zone 10 -150" was "No such
    option: -1"); an unknown option is still one line and exit code 2."""
    res = runner.invoke(app, ["zone", "10", "-150", "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["kind"] == "high_seas"
    res = runner.invoke(app, ["zone", "-33.9", "151.3", "--json"])
    assert res.exit_code == 0 and json.loads(res.stdout)["country"] == "AUS", res.output
    bad = runner.invoke(app, ["zone", "10", "-150", "--jsn"])
    assert bad.exit_code == 2 and "--jsn" in bad.output and "Traceback" not in bad.output
