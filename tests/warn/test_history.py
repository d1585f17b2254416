"""J-Alert's record beside a run, both scored on the run's truth."""

import pytest

from launchwatch.sense.scenario import shipped_scenarios
from launchwatch.warn.history import JALERT, SCENARIOS, compare, table_rows


def test_every_record_has_its_scenario():
    assert set(SCENARIOS) <= set(shipped_scenarios())
    for rec in JALERT.values():
        assert rec["warnings"] and rec["launch"]


def test_compare_2017_08_29():
    summary = {
        "overflight_windows": {"JP-01": [439.2, 524.4]},
        "impacted_areas": [],
        "warnings": ["JP-01"],
        "first_warning_s": 84.0,
        "false_alarms": [],
        "misses": [],
        "passed_over_latency_s": {"JP-01": 3.6},
        "wrong_messages": [],
        "warning_events": [{"t_s": 84.0, "kind": "issue", "j_alert_code": 128}],
    }
    c = compare("jalert-2017-08-29", summary)
    ja = c["jalert"]
    assert ja["first_warning_s"] == 240.0  # 05:58 -> 06:02
    assert len(ja["areas"]) == 12 and len(ja["false_alarms"]) == 11 and ja["misses"] == []
    assert ja["passed_over_latency_s"] == {"JP-01": pytest.approx(16 * 60 - 524.4)}
    assert len(ja["wrong_messages"]) == 11  # "passed over" areas it never crossed
    rows = table_rows([c])
    assert rows[1][1] == "J-Alert" and rows[2][1] == "launchwatch" and rows[2][2] == "84"
    with pytest.raises(ValueError, match="no J-Alert record"):
        compare("overflight", summary)
