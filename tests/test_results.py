"""What a headless run reports (helpers.results): tables kept exact for the notebook, rounded for the report."""

from pathlib import Path

import pytest

from helpers import config, profiles, results, session
from helpers.tools.report import write_report


@pytest.fixture
def run():
    return session.Run("05", "tiny", "test", "cpu", profiles.lesson_settings("05", "tiny"))


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


def test_a_capped_run_reports_times_without_ratios(tmp_path):
    """A smoke run with fewer steps and rows is not the profile's run: its times get no ratio and no ⚠."""
    row = {"path": Path("notebooks") / config.LESSONS["05"]["notebook"], "status": "passed", "seconds": 999.0,
           "error": "", "peak_gb": 0.5, "cells": [(3, 500.0, "lora_train")]}
    compared = write_report([row], "full", tmp_path / "none", tmp_path / "a.md").read_text()
    capped = write_report([row], "full", tmp_path / "none", tmp_path / "b.md", compare=False).read_text()
    assert " ⚠ |" in compared and " ⚠ |" not in capped
    assert "cannot be compared" in capped and "cannot be compared" not in compared


@pytest.mark.parametrize("measured, estimate, holds", [
    (100, 100, True), (129, 100, True), (131, 100, False), (77, 100, True), (76, 100, False),
    (1.0, 3, True), (9.9, 3, True), (11, 3, False)])
def test_a_printed_time_holds_within_1_3x_and_a_short_one_under_10_s(measured, estimate, holds):
    """The issue's rule for quick's times: within 1.3x; a step estimated under 10 s prints 'under 10 s' and holds
    when it took under 10 s (its loading time varies more than 1.3x between runs)."""
    from helpers.tools.report import estimate_holds

    assert estimate_holds(measured, estimate) is holds
    assert profiles.format_seconds(estimate).startswith("under" if estimate < 10 else "about")
