"""A report's words that name a glide vehicle ("hypersonic") send a low, long shot to the
catalog's glide-IRBM class at any range; without them a shot under 1,000 km stays with the
KN-23 class (record/ingest.py ``names_glide_vehicle``, flight/reconstruct.py ``glide``).  The
statements are our own wording, in the form the ministries use; figures are shapes only."""

import pytest

from launchwatch.record.extract import extract
from launchwatch.record.ingest import names_glide_vehicle, reconstruct_report

TEMPLATE = (
    "Ministry of Defense\nJanuary 14, 2024\n\n"
    "1. At around 14:55 today, North Korea launched one {kind} from the vicinity of Pyongyang "
    "toward the East Sea.\n"
    "2. The missile flew about 800 km at a maximum altitude of about 50 km and is estimated to "
    "have fallen outside Japan's exclusive economic zone in the Sea of Japan.\n"
)


@pytest.mark.parametrize(
    ("kind", "glide", "cls"),
    [
        ("hypersonic intermediate-range ballistic missile", True, "Hwasong-16B"),
        ("short-range ballistic missile", False, "KN-23"),
    ],
)
def test_glide_words_pick_the_glide_class(kind, glide, cls):
    ex = extract(TEMPLATE.format(kind=kind))
    assert ex.range_km == 800 and ex.apogee_km == 50
    assert names_glide_vehicle(ex) is glide
    rec, why = reconstruct_report(ex, path=False)
    assert why is None and rec is not None
    assert rec["requested"]["quasi_ballistic_class"] == cls
    assert "quasi_ballistic_class_refused" not in rec["requested"]
    assert abs(rec["range_km"] - 800.0) < 1.0 and abs(rec["apogee_km"] - 50.0) < 0.5
