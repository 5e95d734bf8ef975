"""What the notebooks recorded while `make test` executed them (this file runs after the notebooks).

Every lesson records headline results; every exercise was checked twice, first with its untouched
placeholder (not attempted) and then with its solution (correct); the report is complete.
"""

import os
from pathlib import Path

import pytest

from helpers import config, results
from helpers.tools.report import write_report

RESULTS = os.environ.get(results.RESULTS_ENV)
pytestmark = pytest.mark.skipif(not RESULTS, reason="runs under `make test`, after the notebooks recorded results")
ROOT = Path(__file__).resolve().parent.parent


def recorded():
    return results.load_all(RESULTS)


@pytest.mark.parametrize("lesson", list(config.LESSONS))
def test_every_lesson_recorded_results(lesson):
    tables = recorded().get(lesson)
    assert tables, f"lesson {lesson} recorded no results (helpers.results.record)"
    assert all(content["rows"] for content in tables.values())


def test_the_summary_figure_has_panels():
    assert any(content.get("plot") for tables in recorded().values() for content in tables.values())


@pytest.mark.parametrize("lesson", list(config.LESSONS))
def test_exercises_not_attempted_with_placeholder_correct_with_solution(lesson):
    outcomes = results.exercise_outcomes(RESULTS).get(lesson, {})
    assert 2 <= len(outcomes) <= 4, f"lesson {lesson} checked {len(outcomes)} exercises"
    for name, seen in outcomes.items():
        assert results.solution_passed(seen), f"lesson {lesson}, exercise {name}: {seen}"
        assert "incorrect" not in seen


def test_report_holds_every_lesson_and_the_figure(tmp_path):
    rows = [{"path": ROOT / "notebooks" / meta["notebook"], "status": "passed", "seconds": 1.0, "error": "",
             "peak_gb": 0.5, "cells": [(3, 0.5, "total")]} for meta in config.LESSONS.values()]
    report = write_report(rows, "tiny", Path(RESULTS), tmp_path / "report.md").read_text()
    for meta in config.LESSONS.values():
        assert f"## {Path(meta['notebook']).stem}:" in report
    assert (tmp_path / "summary.png").stat().st_size > 10_000
