"""The report reader on texts written for these tests in the styles of the real corpus (wire
stories, ministry releases, re-posted pages), each with the traps found there: datelines
without a year, weekdays, captions and related links with other dates, scraper stamps,
figures of two authorities, "respectively", spans, spelled-out numbers, miles alone, EEZ
wording, and texts that report no launch. None of them is a publisher's text."""

import datetime as dt
import json

import pytest
from typer.testing import CliRunner

from launchwatch.cli import app
from launchwatch.record.extract import NoLaunchError, extract, words_to_number

WIRE_NO_YEAR = """\
N. Korea fires two ballistic missiles toward East Sea
SEOUL, March 10 (Yonhap) -- North Korea fired two short-range ballistic missiles into the \
East Sea on Monday, South Korea's military said.
The Joint Chiefs of Staff said the missiles were launched from the Sariwon area at around \
7:44 a.m. and 7:52 a.m. and flew about 350 km and 360 km, respectively.
Last month, the North fired a Hwasong-18 that flew 1,000 km.
"""


def test_dateline_without_year_takes_the_year_from_the_weekday():
    # March 10 was a Monday in 2025 (and in no other year from 2016 on)
    e = extract(WIRE_NO_YEAR)
    assert e.launch_date == dt.date(2025, 3, 10) and e.year_inferred
    assert e.launch_time_local == "07:44" and e.launch_times == ["07:44", "07:52"]
    assert e.n_missiles == 2 and e.range_km == 350
    assert e.missile_name is None  # the Hwasong-18 is last month's launch
    assert e.authority == "ROK JCS" and e.outlet == "Yonhap"
    assert e.site_text.startswith("Sariwon")


def test_weekday_only_and_no_year_gives_no_date():
    text = (
        "North Korea fired a ballistic missile on Sunday, South Korea's military said. "
        "It flew about 450 km."
    )
    e = extract(text)
    assert e.launch_date is None and "date" in e.missing
    assert extract(text, published=dt.date(2024, 6, 5)).launch_date == dt.date(2024, 6, 2)


def test_caption_related_links_and_scraper_stamp_are_not_dates():
    text = """\
DATE: 2024-10-10 21:46:42
North Korea tests new missile
A missile is launched during a test on January 6, 2025, in this photo released by KCNA.
Published On 14 Jan 2025
North Korea has launched several short-range ballistic missiles towards the sea off its \
east coast, South Korea's military said on Tuesday.
The missiles were detected at about 9:30 a.m. (00:30 GMT) and travelled up to 250km \
(155 miles) before landing in the sea.
Related Articles
November 23, 2025
North Korea fired a cruise missile on November 20, 2025.
"""
    e = extract(text)
    assert e.published == dt.date(2025, 1, 14)
    assert e.launch_date == dt.date(2025, 1, 14)  # "Tuesday" in the week of the posting date
    assert e.launch_time_local == "09:30" and e.utc_offset == "+09:00"
    assert e.range_km == 250 and e.n_missiles is None  # "several": no count is guessed


def test_a_day_earlier_and_report_day():
    text = (
        "SEOUL, Jan. 6 (Yonhap) -- North Korea said Thursday that it test-fired a "
        "hypersonic missile a day earlier. The missile hit a set target 700 km away, "
        "the Korean Central News Agency said."
    )
    e = extract(text)
    assert e.launch_date == dt.date(2022, 1, 5)  # Jan. 6 was a Thursday in 2022
    assert e.range_km == 700 and e.authority == "KCNA"


def test_two_authorities_keep_their_own_figures():
    text = (
        "TOKYO, May 30, 2024 (Kyodo) -- North Korea fired more than 10 short-range "
        "ballistic missiles on Thursday, South Korea's military said. Japan's Defense "
        "Ministry said at least one of them flew some 350 kilometers at a maximum "
        "altitude of about 100 km and fell outside Japan's economic exclusive zone."
    )
    e = extract(text)
    assert e.n_missiles == 10 and e.authority == "ROK JCS"  # the count comes first
    assert (e.range_km, e.apogee_km) == (350, 100)
    assert e.figure_authority == {"range_km": "Japan MoD", "apogee_km": "Japan MoD"}
    assert e.eez_claim == "outside" and e.eez_country == "Japan"
    claims = {(c["field"], c["authority"]) for c in e.other_claims}
    assert ("range_km", "Japan MoD") in claims and ("apogee_km", "Japan MoD") in claims


@pytest.mark.parametrize(
    "text, field, value",
    [
        (
            "June 5, 2022. North Korea fired eight ballistic missiles; they flew from about 110 km "
            "to 670 km at altitudes of 25 kilometers to 90 kilometers.",
            "spans",
            {"range_km": (110, 670), "apogee_km": (25, 90)},
        ),
        (
            "Aug 29, 2017. North Korea fired a missile that flew almost 1,700 miles.",
            "range_km",
            2735.9,
        ),
        (
            "Jan 17, 2022. North Korea fired two missiles that flew 236 miles at an altitude of 26 "
            "miles.",
            "apogee_km",
            41.8,
        ),
        (
            "Sept 15, 2017. North Korea launched a missile; the flight distance and maximum altitude "
            "were about 3,700 km and 800 km, respectively.",
            "apogee_km",
            800,
        ),
        (
            "Oct 31, 2024. North Korea launched an ICBM that flew for four-thousand-15 seconds.",
            "flight_time_s",
            4015,
        ),
        (
            "Oct 2, 2019. North Korea fired a missile that flew about 450 km; on a standard "
            "trajectory it could have flown about 2,500 km.",
            "range_km",
            450,
        ),
        (
            "Nov 2, 2022. North Korea fired a missile that fell 167 kilometers northwest of "
            "Ulleungdo after flying about 190 km.",
            "range_km",
            190,
        ),
    ],
)
def test_quantities_attach_to_the_right_field(text, field, value):
    assert getattr(extract(text), field) == value


@pytest.mark.parametrize(
    "s, v",
    [
        ("four-thousand-15", 4015),
        ("five hundred and fifty", 550),
        ("six", 6),
        ("one thousand", 1000),
        ("12", None),
    ],
)
def test_words_to_number(s, v):
    assert words_to_number(s) == v


@pytest.mark.parametrize(
    "text, claim",
    [
        (
            "Feb 12, 2017. North Korea launched a missile. It is believed that it did not land "
            "within Japan's exclusive economic zone (EEZ).",
            "outside",
        ),
        (
            "March 6, 2017. North Korea fired four missiles, three of them landing in waters that "
            "Japan claims as its exclusive economic zone.",
            "inside",
        ),
        (
            "Dec 18, 2022. North Korea fired two missiles that landed outside the country's "
            "exclusive economic zone, Japan said.",
            "outside",
        ),
    ],
)
def test_eez_wording(text, claim):
    assert extract(text).eez_claim == claim


@pytest.mark.parametrize(
    "text",
    [
        "North Korea on Saturday unveiled a new ICBM at a military parade in Pyongyang. In "
        "February, the North test-fired a Pukguksong-2 missile, which flew more than 500 km.",
        "The UN Security Council vote on new sanctions was 13-2. North Korea has conducted 23 "
        "ballistic missile tests this year, including six ICBMs.",
        "Satellite imagery shows North Korea rebuilding its rocket launch site; the activity is "
        "consistent with preparations for a test, analysts said.",
    ],
)
def test_texts_that_report_no_launch_are_refused(text):
    with pytest.raises(NoLaunchError):
        extract(text)


def test_pyongyang_time_and_evidence():
    e = extract(
        "Nov. 3, 2017. North Korea launched a ballistic missile at 3:17 a.m. local "
        "time. It flew 950 km."
    )
    assert (e.launch_time_local, e.utc_offset) == ("03:17", "+08:30")
    ev = e.evidence["range_km"]
    assert ev["stated"] and 0 < ev["confidence"] <= 1
    assert "950 km" in ev["sentence"]
    assert e.launch_date == dt.date(2017, 11, 3) and not e.evidence["date"]["stated"]


def test_record_evaluate_cli(tmp_path):
    key = {
        "001": {
            "launch": True,
            "date": "2025-03-10",
            "date_derivable": True,
            "time": "07:44",
            "n": 2,
            "range_km": [350, 360],
            "site": "Sariwon",
            "authority": "ROK JCS",
        },
        "002": {"launch": False},
    }
    (tmp_path / "key.json").write_text(json.dumps(key))
    texts = tmp_path / "texts"
    texts.mkdir()
    (texts / "001-20250310-wire.txt").write_text(WIRE_NO_YEAR)
    (texts / "002-00000000-parade.txt").write_text(
        "North Korea on Saturday unveiled a new ICBM at a military parade in Pyongyang."
    )
    r = CliRunner().invoke(
        app, ["record", "evaluate", str(tmp_path / "key.json"), str(texts), "--json"]
    )
    assert r.exit_code == 0, r.output
    s = json.loads(r.output)["summary"]
    assert s["right"] == s["scored"] == 6 and s["wrong_dates"] == 0
    assert s["non_launch_refused"] == 1 and s["launch_reports_refused"] == 0
    bad = CliRunner().invoke(app, ["record", "evaluate", str(tmp_path / "nope.json"), str(texts)])
    assert bad.exit_code == 2 and "cannot read key" in bad.output


def test_ingest_published_simulated_hidden_and_class_carried(db_url, tmp_path):
    """``--published`` anchors a text without a dateline; simulated runs are their own kind,
    hidden from ``record list`` and export unless asked for; evidence is shown."""
    from launchwatch.record.store import NewReport, Store

    f = tmp_path / "s.txt"
    f.write_text(
        "North Korea fired a ballistic missile on Sunday, South Korea's military "
        "said. It flew about 450 km."
    )
    run = CliRunner()
    r = run.invoke(app, ["record", "ingest", str(f), "--db", db_url])
    assert r.exit_code == 2 and "no launch date" in r.output
    r = run.invoke(
        app, ["record", "ingest", str(f), "--db", db_url, "--json", "--published", "2024-06-05"]
    )
    assert r.exit_code == 0, r.output
    d = json.loads(r.output)
    assert d["event"]["launch_date"] == "2024-06-02"
    ev = d["event"]["reports"][0]["evidence"]
    assert ev["range_km"]["stated"] and "450 km" in ev["range_km"]["sentence"]
    bad = run.invoke(app, ["record", "ingest", str(f), "--db", db_url, "--published", "June"])
    assert bad.exit_code == 2 and "--published" in bad.output
    with Store(db_url) as store:
        store.add(
            NewReport(
                text_hash="sim-1",
                launch_date=dt.date(2024, 6, 2),
                authority="launchwatch simulation",
                event_key="sim:1",
                event={"confidence": "simulated"},
            )
        )
    listed = json.loads(run.invoke(app, ["record", "list", "--db", db_url, "--json"]).output)
    assert [e["confidence"] for e in listed] == ["confirmed"]
    both = json.loads(
        run.invoke(app, ["record", "list", "--db", db_url, "--json", "--simulated"]).output
    )
    assert sorted(e["confidence"] for e in both) == ["confirmed", "simulated"]
    csv_default = run.invoke(app, ["record", "export", "-", "--db", db_url]).output
    assert "launchwatch simulation" not in csv_default
    shown = run.invoke(app, ["record", "show", str(listed[0]["id"]), "--db", db_url]).output
    assert "evidence range_km (stated" in shown


# -- traps found on unseen real texts (issue 15 follow-up); texts written for these tests --
def test_day_comma_month_and_hyphenated_dates_are_publication_dates():
    from launchwatch.record.text import find_dates

    d = find_dates("Posted 14, Aug. 2021 and updated 09:10, 3-Feb-2024")
    assert [(x.year, x.month, x.day) for x in d] == [(2021, 8, 14), (2024, 2, 3)]
    e = extract(
        "N. Korea fires missile: source\n\n14, Aug. 2021\n\nTOKYO, Kyodo - North Korea "
        "fired a ballistic missile into the sea on Friday, a Japanese government source "
        "said.\n"
    )
    assert e.launch_date == dt.date(2021, 8, 13)
    e = extract(
        "Updated 08:05, 3-Feb-2024\n\nNorth Korea fired two ballistic missiles on "
        "Saturday, the Republic of Korea's military said.\n"
    )
    assert e.launch_date == dt.date(2024, 2, 3) and e.n_missiles == 2
    assert e.authority == "ROK JCS"


def test_democratic_peoples_republic_is_not_the_south():
    e = extract(
        "Aug 9, 2021. The Democratic People's Republic of Korea's military fired a "
        "missile, the KCNA said."
    )
    assert e.authority != "ROK JCS"


def test_launch_that_came_after_an_older_launch_keeps_its_own_count_and_name():
    text = (
        "Seoul: North Korea fired a ballistic missile from its eastern region, South Korea's "
        "military said on Friday, Sept 9, 2022.\nThe missile was launched from Kangwon "
        "province around 6.20 a.m. (local time).\nThe launch came after North Korea "
        "test-fired three Scud missiles near the border.\n"
    )
    e = extract(text)
    assert e.n_missiles == 1 and e.missile_name is None


def test_the_previous_day_is_a_day_cue_not_background():
    e = extract(
        "SEOUL, April 9, 2023 - North Korea said on Sunday that it launched a Hwasong-15 "
        "ICBM the previous day. The KCNA said the missile flew 1,000 km for "
        "four-thousand-20 seconds up to a maximum altitude of five-thousand-700 "
        "kilometers."
    )
    assert e.launch_date == dt.date(2023, 4, 8)
    assert e.missile_name and "15" in e.missile_name and e.n_missiles == 1
    assert e.apogee_km == 5700 and e.flight_time_s == 4020


def test_nth_launch_this_year_is_this_launch():
    e = extract(
        "Feb 2, 2022. \u201cThe test of the new missile confirmed its accuracy,\u201d "
        "the KCNA said.\nIn its fifth show of force this year, the North launched the "
        "Hwasong 14-type missile.\nThe missile flew around 700 kilometers at a top "
        "altitude of 1,500 km, the Joint Chiefs of Staff said."
    )
    assert e.range_km == 700 and e.apogee_km == 1500


def test_was_able_to_fly_is_a_flight_not_a_capability():
    e = extract(
        "July 12, 2023. North Korea test-fired a Hwasong-18 ICBM.\nThe KCNA reported "
        "the missile was able to fly 1,001 km for 70 minutes."
    )
    assert e.flight_time_s == 4200 and e.range_km == 1001
    assert (
        extract(
            "July 12, 2023. North Korea test-fired a missile that flew 900 km; it is "
            "able to fly 1,500 km."
        ).range_km
        == 900
    )


def test_before_reaching_the_eez_is_outside():
    e = extract(
        "May 3, 2019. North Korea launched two missiles that fell into the sea before "
        "reaching Japan's exclusive economic zone, a Japanese source said."
    )
    assert e.eez_claim == "outside"


@pytest.mark.slow
def test_derived_class_is_carried_to_the_event(db_url, tmp_path):
    """A report that names no class (``long-range`` is not one) but whose figures reconstruct
    as an ICBM: the derived class is carried to the event, so ``record list --class ICBM``
    finds it, while the report itself keeps no stated class."""
    f = tmp_path / "icbm.txt"
    f.write_text(
        "SEOUL, March 4, 2024 (Yonhap) -- North Korea fired a long-range ballistic "
        "missile into the East Sea from the Sunan area at 9:10 a.m. on Monday, the "
        "Joint Chiefs of Staff said. The missile flew about 1,000 km at a maximum "
        "altitude of about 6,000 km."
    )
    assert extract(f.read_text()).missile_class is None
    run = CliRunner()
    r = run.invoke(app, ["record", "ingest", str(f), "--db", db_url, "--json"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.output)
    assert d["event"]["missile_class"] == "ICBM"
    assert "missile_class" in d["event"]["reports"][0]["missing"]  # not stated, derived
    icbm = json.loads(
        run.invoke(app, ["record", "list", "--db", db_url, "--json", "--class", "ICBM"]).output
    )
    assert [e["missile_class"] for e in icbm] == ["ICBM"] and icbm[0]["site_name"] == "Sunan"
    srbm = json.loads(
        run.invoke(app, ["record", "list", "--db", db_url, "--json", "--class", "SRBM"]).output
    )
    assert srbm == []


@pytest.mark.parametrize(
    "text, times, ranges",
    [
        (WIRE_NO_YEAR, ["07:44", "07:52"], [350, 360]),
        (
            "May 9, 2019. North Korea fired two short-range missiles which flew about 270 and 420 "
            "kilometers, respectively.",
            [None, None],
            [270, 420],
        ),
        (
            "July 25, 2019. Of the two missiles fired from near Wonsan, one flew about 430 kilometers "
            "and the other went farther, the JCS said.",
            [None, None],
            [430, None],
        ),
        (
            "Aug 6, 2019. North Korea fired two missiles at 5:24 a.m. and 5:36 a.m. that flew about "
            "450 km.",
            ["05:24", "05:36"],
            [None, None],
        ),
    ],
)
def test_each_missile_keeps_its_own_time_and_figures(text, times, ranges):
    e = extract(text)
    assert e.n_missiles == 2
    assert [m["launch_time_local"] for m in e.missiles] == times
    assert [m["range_km"] for m in e.missiles] == ranges
    assert e.range_km == (ranges[0] or 450) and not e.spans  # "270 and 420 ...": no span


def test_one_missile_has_no_per_missile_list():
    assert extract("May 9, 2019. North Korea fired a missile that flew 300 km.").missiles == []


def test_per_missile_figures_are_stored_with_the_report(db_url, tmp_path):
    f = tmp_path / "two.txt"
    f.write_text(WIRE_NO_YEAR.replace(" into the East Sea", "").replace(" toward East Sea", ""))
    r = CliRunner().invoke(app, ["record", "ingest", str(f), "--db", db_url, "--json"])
    assert r.exit_code == 0, r.output
    rep = json.loads(r.output)["event"]["reports"][0]
    assert [m["range_km"] for m in rep["missiles"]] == [350, 360]
    assert [m["launch_time_local"] for m in rep["missiles"]] == ["07:44", "07:52"]
