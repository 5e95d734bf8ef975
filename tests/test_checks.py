"""Exercise checks: not attempted, wrong (with a hint), right."""

import pytest

from helpers import checks, results


@pytest.fixture(autouse=True)
def keep_the_course_run_log_clean(monkeypatch):
    monkeypatch.delenv("COURSE_RESULTS_DIR", raising=False)
    monkeypatch.delenv("COURSE_STAND_IN_WEIGHTS", raising=False)


def test_placeholder_is_not_attempted(capsys):
    checks.check("t1", ..., lambda a: a == 1, hint="h")
    assert "not attempted yet" in capsys.readouterr().out
    assert checks.outcomes["t1"] == results.NOT_ATTEMPTED


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
    assert checks.outcomes["t5"] == results.CORRECT


def test_a_headless_run_logs_outcomes_by_lesson(monkeypatch, tmp_path):
    monkeypatch.setenv("COURSE_RESULTS_DIR", str(tmp_path))
    results.start_lesson("03")
    checks.check("x", ..., lambda a: True, hint="h")
    checks.check_solution("x", 1, lambda a: True)
    assert results.exercise_outcomes(tmp_path) == {"03": {"x": ["not attempted", "correct"]}}
    assert results.solution_passed(["not attempted", "correct"]) and not results.solution_passed(["correct"])


def test_a_solution_says_it_is_the_reference_not_the_learner(capsys):
    checks.check_solution("t6", 1, lambda a: a == 1)
    out = capsys.readouterr().out
    assert "reference solution passes" in out and "correct!" not in out
    with pytest.raises(AssertionError, match="fails its own check"):
        checks.check_solution("t7", 2, lambda a: a == 1)


@pytest.mark.parametrize("bad_test", [None, "a == 1", 3])
def test_a_check_without_a_test_is_an_authoring_error_not_a_wrong_answer(bad_test):
    with pytest.raises(ValueError, match="needs a test") as error:
        checks.check("t8", 1, bad_test, hint="h")
    assert not isinstance(error.value, checks.ExerciseIncorrect)


BASIS = "published runs gain 0.17 ROUGE-1; this short run is asked for any gain"


def test_pretrained_checks_assert_normally_and_a_failure_repeats_the_basis():
    with pytest.raises(AssertionError, match="not learned") as error:
        with checks.needs_pretrained_weights("fine-tuning helps", basis=BASIS):
            assert False, "not learned: train longer"
    assert str(error.value).startswith("not learned: train longer") and BASIS in str(error.value)
    with checks.needs_pretrained_weights("fine-tuning helps", basis=BASIS):
        assert True


@pytest.mark.parametrize("basis", [None, "", "because", 3])
def test_a_pretrained_check_without_a_basis_is_refused(basis):
    with pytest.raises(ValueError, match="needs a basis"):
        with checks.needs_pretrained_weights("fine-tuning helps", basis=basis):
            pass


def test_pretrained_checks_are_skipped_and_logged_with_stand_in_weights(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("COURSE_STAND_IN_WEIGHTS", "1")
    monkeypatch.setenv("COURSE_RESULTS_DIR", str(tmp_path))
    results.start_lesson("05")
    with checks.needs_pretrained_weights("LoRA beats zero-shot", basis=BASIS):
        assert False, "ROUGE fell"
    assert "skipped: needs pretrained weights" in capsys.readouterr().out
    logged = results.skipped_checks(tmp_path)["05"]
    assert logged[0]["check"] == "LoRA beats zero-shot" and "ROUGE fell" in logged[0]["detail"]
    assert logged[0]["basis"] == BASIS
    with pytest.raises(ZeroDivisionError):  # only a failed assertion is skipped, never a crash
        with checks.needs_pretrained_weights("x", basis=BASIS):
            1 / 0
