"""The reader's hand-off to reconstruction: the words that say where a missile fell
(``Extracted.landing_text``), and a ministry-style bulletin whose site, range and apogee sit in
different clauses.  The texts are written for these tests."""

import pytest

from launchwatch.flight.landing import parse_landing
from launchwatch.record.extract import extract

BULLETIN = """\
Ministry of Defense
November 18, 2022

Launch of a ballistic missile by North Korea

1. At around 10:14 today, North Korea launched one ICBM-class ballistic missile from the \
vicinity of Pyongyang toward the east; according to our analysis it flew about 1,000 km at a \
maximum altitude of about 6,000 km.
2. The missile is estimated to have fallen at around 11:23 about 200 km west of \
Oshima-Oshima, Hokkaido, inside Japan's exclusive economic zone.
"""


def test_site_range_apogee_and_landing_words_of_a_bulletin():
    e = extract(BULLETIN)
    assert e.site == "Pyongyang"
    assert e.range_km == 1000 and e.apogee_km == 6000
    assert e.eez_claim == "inside"
    assert e.landing_text.startswith("fallen at around 11:23 about 200 km west of Oshima-Oshima")
    est = parse_landing(e.landing_text, e.site_lat_deg, e.site_lon_deg)
    assert est is not None and est.reference == "Oshima-Oshima" and est.distance_km == 200


@pytest.mark.parametrize(
    "text, expect",
    [
        (
            "SEOUL, May 8, 2024 -- North Korea fired a ballistic missile from the vicinity of "
            "Pyongyang on Wednesday, which flew about 300 km before landing in the East Sea, the "
            "Joint Chiefs of Staff said.",
            "landing in the East Sea",
        ),
        (
            "TOKYO, May 8, 2024 -- A missile launched from the vicinity of Pyongyang flew about "
            "300 km and fell outside Japan's EEZ in the Sea of Japan, the Defense Ministry said.",
            "fell outside Japan's EEZ in the Sea of Japan",
        ),
        (
            "TOKYO, May 8, 2024 -- North Korea launched a missile from the vicinity of Pyongyang. "
            "It flew about 300 km. It splashed down some 150 km off Aomori, the ministry said.",
            "splashed down some 150 km off Aomori",
        ),
    ],
)
def test_landing_text_is_the_part_that_says_where_it_fell(text, expect):
    e = extract(text)
    assert e.site == "Pyongyang" and e.range_km == 300
    assert e.landing_text.startswith(expect)


def test_no_landing_words_gives_the_landing_area_or_nothing():
    e = extract(
        "SEOUL, May 8, 2024 -- North Korea fired a ballistic missile from the vicinity "
        "of Pyongyang, the Joint Chiefs of Staff said. It flew about 300 km."
    )
    assert e.landing_text is None and e.landing_area is None


def test_reconstruction_reads_the_landing_from_the_landing_words():
    from launchwatch.record.ingest import reconstruct_report

    rec, why = reconstruct_report(extract(BULLETIN), path=False)
    assert why is None
    assert rec["landing"]["reference"] == "Oshima-Oshima"
    assert "fallen at around 11:23" in rec["landing"]["text"]
    # heading towards the described point (west of Oshima-Oshima, east of Pyongyang)
    assert 60.0 < rec["azimuth_deg"] < 100.0
    assert rec["zone_probabilities"]["described"]["p_jpn_eez"] > 0.5
