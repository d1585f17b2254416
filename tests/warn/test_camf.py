"""The CAMF / QZSS DCX encoder against azarashi's decoder (an independent implementation)."""

from datetime import UTC, datetime, timedelta, timezone

import azarashi
import pytest

from launchwatch.warn import camf, jalert

JST = timezone(timedelta(hours=9))
RX = datetime(2017, 8, 28, 22, 0, tzinfo=UTC)  # receiver clock: same week (Monday) as the onset


def decode(alert):
    return azarashi.decode(camf.frame_hex(alert), "hex", timestamp=RX)


@pytest.mark.parametrize("code", [c for c in jalert.MISSILE_CODES])
def test_codes_texts_and_prefectures(code):
    a = camf.CamfAlert(
        code=code,
        message_type=1,
        onset=datetime(2017, 8, 29, 6, 2, tzinfo=JST),
        prefectures=("JP-01", "JP-02", "JP-13", "JP-47"),
    )
    r = decode(a)
    assert type(r).__name__ == "JAlert"
    assert r.a4_hazard_type == "Missile attack"
    assert r.a3_provider_identifier == "Fire and Disaster Management Agency"
    assert r.a11_japanese_library == jalert.text(code, "en")
    assert r.a11_japanese_library_ja == jalert.text(code, "ja")
    assert r.ex9_target_area_list_ja == ["北海道", "青森県", "東京都", "沖縄県"]
    assert r.a6a7_hazard_onset_datetime == datetime(2017, 8, 28, 21, 2, tzinfo=UTC)
    assert len(camf.frame_hex(a)) == 63 and camf.CAMF_BITS == 122


def test_hazard_ellipse_round_trip_outward():
    """Provider 4 (local government): azarashi decodes the ellipse fields A12-A16. The centre
    is within one code step, the broadcast semi-axes hold the predicted ones (rounded up by at
    most one step of the logarithmic scale), the azimuth within half a step (1.4 deg)."""
    for lat, lon, a_m, b_m, az in (
        (41.9, 143.2, 30e3, 10e3, 60.0),
        (38.2, 134.7, 250e3, 35e3, -20.0),
        (-10.5, -170.0, 900.0, 300.0, 89.0),
    ):
        al = camf.CamfAlert(
            code=132,
            message_type=1,
            onset=datetime(2017, 8, 29, tzinfo=JST),
            ellipse=(lat, lon, a_m, b_m, az),
            provider=4,
        )
        r = decode(al)
        assert abs(r.a12_ellipse_centre_latitude - lat) <= 180 / 0xFFFF
        assert abs(r.a13_ellipse_centre_longitude - lon) <= 360 / 0x1FFFF
        step = (2.5e6 / 216.2) ** (1 / 31)
        assert a_m / 1e3 <= r.a14_ellipse_semi_major_axis * (1 + 1e-6) <= a_m / 1e3 * step * 1.001
        assert b_m / 1e3 <= r.a15_ellipse_semi_minor_axis * (1 + 1e-6) <= b_m / 1e3 * step * 1.001
        d = (r.a16_ellipse_azimuth - az + 90) % 180 - 90
        assert abs(d) <= 180 / 64 / 2 + 1e-9


def test_bad_input():
    t = datetime(2017, 8, 29, tzinfo=JST)
    with pytest.raises(ValueError, match="J-Alert"):
        camf.camf_bits(camf.CamfAlert(code=5, message_type=1, onset=t))
    with pytest.raises(ValueError, match="prefecture"):
        camf.frame_hex(camf.CamfAlert(code=128, message_type=1, onset=t, prefectures=("KR-11",)))
    with pytest.raises(ValueError, match="aware"):
        camf.camf_bits(camf.CamfAlert(code=128, message_type=1, onset=datetime(2017, 1, 1)))
