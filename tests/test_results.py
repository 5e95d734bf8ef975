"""What a headless run reports (helpers.results): tables kept exact for the notebook, rounded for the report."""

import pytest

from helpers import course, results


@pytest.fixture
def run():
    return course.Run("05", "tiny", "test", "cpu", course.lesson_settings("05", "tiny"))


def test_record_returns_the_values_unrounded_and_writes_them_rounded(monkeypatch, tmp_path, run):
    monkeypatch.setenv("COURSE_RESULTS_DIR", str(tmp_path))
    table = results.record(run, "loss", {"by hand": {"abs difference": 3.2e-7, "loss": 1.23456789}})
    assert table.loc["by hand", "abs difference"] == 3.2e-7  # lesson 01 once showed 0.0 here
    assert results.load_all(tmp_path)["05"]["loss"]["rows"]["by hand"] == {"abs difference": 0.0, "loss": 1.2346}


def test_recorded_finds_a_table_of_the_same_profile_only(monkeypatch, tmp_path, run):
    monkeypatch.setenv("COURSE_RESULTS_DIR", str(tmp_path))
    results.record(run, "ROUGE", {"LoRA": {"rouge1": 0.3}})
    assert results.recorded("05", "ROUGE", "tiny") == {"LoRA": {"rouge1": 0.3}}
    assert results.recorded("05", "ROUGE", "quick") is None and results.recorded("05", "other", "tiny") is None


def test_record_rejects_rows_that_are_not_a_table(run):
    with pytest.raises(ValueError, match="row name"):
        results.record(run, "bad", [1, 2, 3])
