"""Force policy profiles load with citations; a bad profile is refused naming the file and key."""

import pytest

from frt.policy.profile import ProfileError, available_profiles, load_profile, load_profile_file


def test_both_forces_profiles_load_and_every_entry_cites_a_paragraph():
    assert {"mps", "cumbria"} <= set(available_profiles())
    for name in ("mps", "cumbria"):
        for key, _value, cite in load_profile(name).entries():
            assert cite[:3] in {"000", "001", "002", "003", "004"}, key


@pytest.mark.req("GOV-07")
def test_the_profiles_hold_the_numbers_where_the_forces_differ():
    mps, cumbria = load_profile("mps"), load_profile("cumbria")
    assert (mps.authority.max_period_days.value, cumbria.authority.max_period_days.value) == (31, 7)
    assert (mps.retention.alert_hours.value, cumbria.retention.alert_hours.value) == (744, 24)
    assert mps.threshold.max_false_alert_rate.value == 0.001
    assert cumbria.threshold.minimum.value == 0.64


def test_an_unknown_profile_is_a_clear_error_listing_the_known_ones():
    with pytest.raises(
        ProfileError, match=r"unknown policy profile 'gwent'.*available: cumbria, mps"
    ):
        load_profile("gwent")


def test_a_profile_with_a_bad_value_names_the_file_and_key(tmp_path):
    path = tmp_path / "bad.yaml"
    text = load_profile("mps").model_dump_json()
    import json

    import yaml

    data = json.loads(text)
    data["authority"]["max_period_days"]["value"] = "a month"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(ProfileError) as err:
        load_profile_file(path)
    assert str(path) in str(err.value) and "authority.max_period_days.value" in str(err.value)


def test_a_profile_that_is_not_yaml_names_the_file(tmp_path):
    path = tmp_path / "corrupt.yaml"
    path.write_text("authority: {max_period_days: [unclosed\n")
    with pytest.raises(ProfileError, match="corrupt.yaml is not valid YAML"):
        load_profile_file(path)


def test_an_entry_without_citation_is_refused(tmp_path):
    import json

    import yaml

    data = json.loads(load_profile("cumbria").model_dump_json())
    del data["watchlist"]["import_window_hours"]["cite"]
    path = tmp_path / "nocite.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(ProfileError, match="watchlist.import_window_hours.cite"):
        load_profile_file(path)
