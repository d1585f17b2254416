"""Who states which figure, and which figures are this flight's: texts written for these tests
(none is a publisher's) with the traps found in real reports - a capability or a class
threshold beside the flight's figures, an analyst's estimate beside the officials', a lead that
names several governments followed by a command's quoted comment, a speaker named only in a
background clause, lower-case titles, and launch verbs the reader missed."""

import pytest

from launchwatch.record.extract import ANALYST, extract

HEAD = (
    "SEOUL, June 3, 2024 (Yonhap) -- North Korea fired a ballistic missile into the East Sea "
    "on Monday, the Joint Chiefs of Staff said. "
)
TAIL = " The missile flew about 300 km, the JCS said."


@pytest.mark.parametrize(
    "trap",
    [
        "The Musudan has an estimated range of 2,500 to 4,000 km.",
        "With a range of 1,200 km, the weapon puts all of Japan within reach.",
        "A missile with a range of 5,500 km or more is classed as an ICBM.",
        "Missiles of this kind are believed to fly as far as 1,000 km.",
        "Such missiles have a range of about 800 km.",
    ],
)
def test_a_capability_or_threshold_before_the_figures_is_not_the_flight(trap):
    e = extract(HEAD + trap + TAIL)
    assert e.range_km == 300 and "range_km" not in e.spans


def test_a_participle_before_the_flight_verb_is_not_a_capability():
    text = HEAD + (
        "The missile, designed to fly on a steep trajectory, flew about 930 km at a peak "
        "altitude of 2,800 km, the JCS said."
    )
    e = extract(text)
    assert e.range_km == 930 and e.apogee_km == 2800


def test_could_have_flown_stays_a_capability():
    text = HEAD + (
        "It reached an altitude of 900 km and flew about 450 km, the JCS said. On a standard "
        "trajectory it could have flown about 2,500 km."
    )
    e = extract(text)
    assert e.range_km == 450 and e.apogee_km == 900


def test_an_analysts_estimate_is_kept_apart_from_the_officials_figures():
    text = HEAD + (
        "An analyst at a Seoul think tank estimated that the missile flew about 800 km. "
        "The JCS said the missile reached an altitude of 90 km and flew about 600 km."
    )
    e = extract(text)
    assert e.authority == "ROK JCS"
    assert e.range_km == 600 and e.figure_authority["range_km"] == "ROK JCS"
    assert {(c["field"], c["value"], c["authority"]) for c in e.other_claims} == {
        ("range_km", 800.0, ANALYST)
    }


def test_analyst_figures_never_decide_the_reports_authority():
    text = (
        "TOKYO, June 3, 2024 (Kyodo) -- North Korea fired a ballistic missile on Monday. "
        "Experts said it probably flew about 800 km. "
        "Japan's Defense Ministry said the missile reached an altitude of about 60 km."
    )
    e = extract(text)
    assert e.authority == "Japan MoD" and e.apogee_km == 60


QUOTED_COMMAND = """\
SEOUL, Nov. 7, 2025 (AP) -- North Korea fired a ballistic missile toward its eastern waters \
on Friday, with South Korea, Japan and the United States each reporting the launch.
"The launch poses no immediate threat to our personnel or territory," the U.S. \
Indo-Pacific Command said in a statement.
The missile flew about 700 km.
Japan's Defense Ministry said it reached an altitude of about 50 km and flew about 450 km.
"""


def test_a_commands_quoted_comment_does_not_take_the_figures_of_a_joint_lead():
    e = extract(QUOTED_COMMAND)
    assert e.authority == "ROK JCS"
    assert e.range_km == 700 and e.figure_authority["range_km"] == "ROK JCS"
    assert e.apogee_km == 50 and e.figure_authority["apogee_km"] == "Japan MoD"
    assert ("range_km", 450.0, "Japan MoD") in {
        (c["field"], c["value"], c["authority"]) for c in e.other_claims
    }


def test_a_joint_lead_does_not_decide_whose_figures_come_first():
    text = (
        "North Korea launched two ballistic missiles on Sunday, South Korea and Japan said. "
        "South Korea's Joint Chiefs of Staff gave no further details. "
        "Japan's Defense Ministry said the missiles reached 500 km in altitude and flew "
        "about 300 km."
    )
    e = extract(text)
    assert e.authority == "Japan MoD" and e.range_km == 300


def test_a_speaker_in_a_background_clause_is_not_the_launchs():
    text = (
        "SEOUL, May 31, 2016 (Yonhap) -- North Korea fired a missile on Tuesday, South Korea's "
        "Joint Chiefs of Staff said. The missile was fired at around 5:20 a.m. from Wonsan, "
        "two days after Japanese government sources said a launch was being prepared. "
        "The Musudan has an estimated range of between 2,500 and 4,000 km, which would put "
        "U.S. military bases on Guam within reach."
    )
    e = extract(text)
    assert e.authority == "ROK JCS"
    assert e.range_km is None and "range_km" not in e.spans


def test_lower_case_titles_and_reporting_verbs_name_their_authority():
    text = (
        "North Korea fired a suspected ICBM on Wednesday. The missile flew for 74 minutes to "
        "an altitude of 6,000 km and a range of 1,000 km, Japan's chief cabinet secretary "
        "said. The coast guard had expected it to fall about 550 km east of the peninsula."
    )
    e = extract(text)
    assert e.authority == "Japan government"
    assert (e.range_km, e.apogee_km, e.flight_time_s) == (1000, 6000, 4440)


def test_pyongyangs_own_claim_is_carried_as_its_own():
    text = (
        "North Korea carried out a ballistic missile test on Tuesday, the U.S. Pacific Command "
        "said, and the missile was tracked for 37 minutes. Pyongyang said the missile was a "
        "new ICBM. The regime added that it reached an altitude of about 2,800 km."
    )
    e = extract(text)
    assert e.authority == "US INDOPACOM" and e.flight_time_s == 37 * 60
    assert ("apogee_km", 2800.0, "KCNA") in {
        (c["field"], c["value"], c["authority"]) for c in e.other_claims
    }


@pytest.mark.parametrize(
    "lead",
    [
        "MOSCOW, November 29. North Korea has successfully tested the Hwasong-15 "
        "intercontinental ballistic missile, the country's television said.",
        "North Korean television has announced the first successful launch of the Hwasong-14 "
        "intercontinental ballistic missile.",
    ],
)
def test_named_missile_launches_are_launch_reports(lead):
    e = extract(lead + " The missile flew 950 km and reached an altitude of 4,475 km.")
    assert e.range_km == 950 and e.apogee_km == 4475


def test_an_analysts_estimate_is_no_authoritys_report():
    from launchwatch.record.ingest import secondary

    text = HEAD + (
        "An analyst at a Seoul think tank estimated that the missile flew about 800 km. "
        "Japan's Defense Ministry said it flew about 450 km."
        " The JCS said the missile flew about 600 km."
    )
    e = extract(text)
    assert e.authority == "Japan MoD"  # whose figures come first (the analyst's do not count)
    assert [o.authority for o in secondary(e)] == ["ROK JCS"]


def test_a_joint_lead_with_a_figure_of_its_own_decides():
    text = (
        "North Korea staged a missile test on Monday, and the missile fell into the sea after a "
        "flight of six minutes, the South Korean, US and Japanese governments said. "
        '"We tracked the missile for six minutes," the U.S. Pacific Command said. '
        "It flew 450 km and reached an altitude of 560 km, according to the government in Tokyo."
    )
    e = extract(text)
    assert e.authority == "ROK JCS" and e.flight_time_s == 360
    assert e.figure_authority["range_km"] == "Japan government"


def test_flown_into_the_air_is_a_height_and_a_distance_between_places_is_no_range():
    text = (
        "North Korea launched an ICBM early on Wednesday that flew 2,800 miles into the air, "
        "the Pentagon said. Had it flown flat, it would reach Washington, which is 6,850 miles "
        "from Pyongyang."
    )
    e = extract(text)
    assert e.apogee_km == pytest.approx(4506.2) and e.range_km is None


def test_tested_a_long_missile_name_is_a_launch():
    e = extract(
        "North Korea said on Wednesday it had successfully tested a new type of "
        "intercontinental ballistic missile. It flew 600 miles during its 53 minute flight."
    )
    assert e.flight_time_s == 53 * 60 and e.range_km == pytest.approx(965.6)


def test_a_ministers_surname_names_the_ministry_after_a_korean_sentence():
    text = (
        "TOKYO (Jiji Press) -- North Korea fired a ballistic missile early Friday, Japanese "
        "Defense Minister Yasukazu Hamada said. South Korea's military said the North fired a "
        "ballistic missile toward the Sea of Japan. Hamada said the missile traveled about "
        "650 km at a maximum altitude of about 50 km."
    )
    e = extract(text)
    assert e.authority == "Japan MoD" and e.figure_authority["range_km"] == "Japan MoD"


def test_time_spent_over_a_territory_is_not_the_flight_time():
    text = (
        "North Korea fired a ballistic missile on Tuesday that passed over Japan, the defense "
        "minister said. The missile, which reached an altitude of 1,000 km, flew over the "
        "country for about 1 minute and traveled about 4,600 km."
    )
    e = extract(text)
    assert e.flight_time_s is None and e.range_km == 4600 and e.apogee_km == 1000


@pytest.mark.parametrize(
    "earlier",
    [
        "The missile, which flew 1,000 km in its last test, is believed to be a Hwasong-18.",
        "The last such launch, on May 17, saw a missile fly 1,000 km.",
        "The North's last ICBM flew for 74 minutes.",
    ],
)
def test_an_earlier_launchs_figures_are_not_this_ones(earlier):
    e = extract(HEAD + earlier + TAIL)
    assert e.range_km == 300 and e.flight_time_s is None
    alone = extract(HEAD + earlier)
    assert alone.range_km is None and alone.flight_time_s is None


def test_the_last_missile_of_a_salvo_is_this_launch():
    e = extract(
        "SEOUL, June 3, 2024 (Yonhap) -- North Korea fired three ballistic missiles on Monday, "
        "the Joint Chiefs of Staff said. The last missile flew about 350 km."
    )
    assert e.range_km == 350


def test_the_tail_of_a_token_is_no_figure():
    # "1e9 km" was read as a range of 9 km
    e = extract(HEAD + "It flew 1e9 km and reached an altitude of 50 km.")
    assert e.range_km is None and e.apogee_km == 50
