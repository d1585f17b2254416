from launchwatch.earth.notation import latlon_text


def test_hemisphere_letters_not_signs():
    assert latlon_text(40.05, 133.05) == "40.05 N 133.05 E"
    assert latlon_text(-10.0, -150.0, 3) == "10.000 S 150.000 W"
    assert latlon_text(10.0, 190.0) == "10.00 N 170.00 W"  # wrapped
    assert latlon_text(0.0, -180.0) == "0.00 N 180.00 E"
