"""The profiles table is complete and consistent: every lesson, every profile, valid names."""

from pathlib import Path

import pytest

from helpers import config

ROOT = Path(__file__).resolve().parent.parent


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
            assert name in config.DATASETS  # and its Hub id is namespaced: test_dataset_ids_are_namespaced


@pytest.mark.parametrize("lesson", list(config.LESSONS))
def test_every_printed_step_time_is_in_the_table_and_every_step_in_the_table_is_printed(lesson):
    """run.estimate("key") in the notebook prints seconds[key]; a key the notebook never prints is a stale time, one
    missing from a profile would print nothing. The steps are parts of the notebook, so they fit in its total."""
    import re

    import nbformat

    notebook = nbformat.read(ROOT / "notebooks" / config.LESSONS[lesson]["notebook"], as_version=4)
    printed = set(re.findall(r"""run\.estimate\(["'](\w+)["']\)""", "\n".join(c.source for c in notebook.cells)))
    for profile, settings in config.PROFILES[lesson].items():
        steps = {k: v for k, v in settings["seconds"].items() if k != "total"}
        assert set(steps) == printed, (profile, set(steps) ^ printed)
        assert sum(steps.values()) <= settings["seconds"]["total"], (profile, steps)


def test_time_budgets_per_profile():
    """The course's budgets, as helpers.tools.runner.BUDGETS holds them: tiny at most 60 s per notebook, quick at most
    10 min on 2 cores (a workshop slot) and an hour for all; full at most 20 min on a T4."""
    from helpers.tools.runner import BUDGETS

    limits = {"tiny": BUDGETS["tiny"]["notebook_s"], "quick": BUDGETS["quick"]["notebook_s"], "full": 20 * 60}
    for lesson, profiles in config.PROFILES.items():
        for profile, settings in profiles.items():
            assert settings["seconds"]["total"] <= limits[profile], (lesson, profile)
    assert sum(p["quick"]["seconds"]["total"] for p in config.PROFILES.values()) <= BUDGETS["quick"]["total_s"]


def test_dataset_ids_are_namespaced():
    assert all("/" in dataset_id for dataset_id in config.DATASETS.values())


def test_shared_settings_are_written_once():
    """A lesson's "all" block holds what every profile shares; a profile repeats none of it."""
    for lesson, spec in config.LESSON_SETTINGS.items():
        for profile in config.PROFILE_NAMES:
            repeated = [k for k, v in spec[profile].items() if spec["all"].get(k, object()) == v]
            assert not repeated, f"lesson {lesson}, {profile} repeats {repeated} from 'all'"
            assert config.PROFILES[lesson][profile] == {**spec["all"], **spec[profile]}


def test_the_training_steps_name_timed_steps():
    """config.TRAINING_STEPS (scaled on CPUs without native bf16) names keys that lessons time, and no other."""
    timed = {key for profiles in config.PROFILES.values() for settings in profiles.values() for key in settings["seconds"]}
    assert set(config.TRAINING_STEPS) <= timed
