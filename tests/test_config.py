"""The profiles table is complete and consistent: every lesson, every profile, valid names."""

import pytest

from helpers import config, course
from helpers.errors import CourseError


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
            assert name in config.MODELS and name in config.TINY_MODELS and name in config.MODEL_FAMILY
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


def test_lesson_lookup_accepts_numbers_and_rejects_unknown():
    assert course.check_lesson(4) == "04"
    with pytest.raises(CourseError) as error:
        course.check_lesson("09")
    assert "'00'" in str(error.value) and "'05'" in str(error.value)


@pytest.mark.parametrize("lookup", [lambda: course.lesson_settings("01", "huge"),
                                    lambda: course.model_id("llama", "quick"),
                                    lambda: course.dataset_id("squad", "tiny")])
def test_unknown_names_list_the_valid_ones(lookup):
    with pytest.raises(CourseError) as error:
        lookup()
    assert "use one of" in str(error.value)


def test_model_ids_per_profile(tiny_fixtures):
    assert course.model_id("flan-t5", "full") == "google/flan-t5-base"
    tiny_path = course.model_id("flan-t5", "tiny")
    assert tiny_path.startswith(str(tiny_fixtures)) and tiny_path.endswith("flan-t5")
    assert course.dataset_id("imdb", "quick") == "stanfordnlp/imdb"
