"""The profiles table is complete and consistent: every lesson, every profile, valid names."""

import pytest

from helpers import config


def test_every_lesson_has_every_profile():
    assert set(config.PROFILES) == set(config.LESSONS)
    for lesson, profiles in config.PROFILES.items():
        assert set(profiles) == set(config.PROFILE_NAMES), lesson


@pytest.mark.parametrize("lesson", list(config.LESSONS))
def test_profiles_of_a_lesson_have_the_same_keys(lesson):
    keys = {profile: set(settings) for profile, settings in config.PROFILES[lesson].items()}
    assert len({frozenset(k) for k in keys.values()}) == 1, keys
    roles = {profile: set(settings["models"]) for profile, settings in config.PROFILES[lesson].items()}
    assert len({frozenset(r) for r in roles.values()}) == 1, roles


@pytest.mark.parametrize("lesson", list(config.LESSONS))
def test_names_in_the_table_exist(lesson):
    for profile, settings in config.PROFILES[lesson].items():
        for name in settings["models"].values():
            assert set(config.MODELS[name]) == {"hub", "tiny", "family"}
            assert config.MODELS[name]["tiny"] in config.TINY_MODEL_NAMES
        for name in settings["datasets"].values():
            assert name in config.DATASETS
        assert "/" in "".join(config.DATASETS[d] for d in settings["datasets"].values()) or not settings["datasets"]
        assert settings["seconds"]["total"] > 0


def test_time_budgets_per_profile():
    """Design brief §2: tiny ≤ 60 s, quick ≤ 10 min, full ≤ 20 min per notebook."""
    limits = {"tiny": 60, "quick": 600, "full": 1200}
    for lesson, profiles in config.PROFILES.items():
        for profile, settings in profiles.items():
            assert settings["seconds"]["total"] <= limits[profile], (lesson, profile)


def test_dataset_ids_are_namespaced():
    assert all("/" in dataset_id for dataset_id in config.DATASETS.values())


def test_shared_settings_are_written_once():
    """A lesson's "all" block holds what every profile shares; a profile repeats none of it."""
    for lesson, spec in config.LESSON_SETTINGS.items():
        for profile in config.PROFILE_NAMES:
            repeated = [k for k, v in spec[profile].items() if spec["all"].get(k, object()) == v]
            assert not repeated, f"lesson {lesson}, {profile} repeats {repeated} from 'all'"
            assert config.PROFILES[lesson][profile] == {**spec["all"], **spec[profile]}
