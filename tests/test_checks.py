"""Exercise checks: not attempted, wrong (with a hint), right."""

import pytest

from helpers import checks


@pytest.fixture(autouse=True)
def keep_the_course_run_log_clean(monkeypatch):
    monkeypatch.delenv("COURSE_RESULTS_DIR", raising=False)


def test_placeholder_is_not_attempted(capsys):
    checks.check("t1", ..., lambda a: a == 1, hint="h")
    assert "not attempted yet" in capsys.readouterr().out
    assert checks.outcomes["t1"] == checks.NOT_ATTEMPTED


@pytest.mark.parametrize("placeholder", [None, (..., ...), [...], {"a": ...}])
def test_placeholders_inside_containers(placeholder):
    assert checks.is_placeholder(placeholder)


def test_wrong_answer_raises_with_the_hint():
    with pytest.raises(checks.ExerciseIncorrect, match="Hint: count again"):
        checks.check("t2", 2, lambda a: a == 1, hint="count again")
    assert checks.outcomes["t2"] == "incorrect"


def test_assertion_detail_and_crashes_are_reported():
    def test(a):
        assert a > 5, "needs more than 5"

    with pytest.raises(checks.ExerciseIncorrect, match="needs more than 5"):
        checks.check("t3", 1, test, hint="h")
    with pytest.raises(checks.ExerciseIncorrect, match="raised TypeError"):
        checks.check("t4", "text", lambda a: a + 1, hint="h")


def test_right_answer_passes(capsys):
    checks.check("t5", 1, lambda a: a == 1, hint="h", success="well done")
    assert "correct! well done" in capsys.readouterr().out
    assert checks.outcomes["t5"] == checks.CORRECT


def test_a_headless_run_logs_outcomes_by_lesson(monkeypatch, tmp_path):
    from helpers import results

    monkeypatch.setenv("COURSE_RESULTS_DIR", str(tmp_path))
    monkeypatch.setattr(checks, "current_lesson", "03")
    checks.check("x", ..., lambda a: True, hint="h")
    checks.check("x", 1, lambda a: True, hint="h")
    assert results.exercise_outcomes(tmp_path) == {"03": {"x": ["not attempted", "correct"]}}
    assert results.solution_passed(["not attempted", "correct"]) and not results.solution_passed(["correct"])
