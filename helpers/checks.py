"""Checks in the notebooks: exercise checks, and the one kind of lesson check that real weights need.

Exercises. `check` says "not attempted yet" for an untouched placeholder, fails with a hint when the answer is
wrong, and says so when it is right. The collapsed solution cell calls `check_solution`, which says that the
reference solution passes (in a run-all it is not the learner who got it right).

    answer = ...                       # the learner replaces the ... with code
    check("1. Next-word table", answer, lambda a: a == expected, hint="one row per prefix")

Lesson checks are plain `assert`s and hold for any weights (hand-computed loss equals the model's, shapes,
parameter counts, reloaded adapters give identical ids). A check that only a *pretrained* model can pass (a
fine-tuned model beats the untrained one) is written inside `with needs_pretrained_weights("...", basis="..."):`.
It asserts as usual, except in the maintainers' smoke runs on real-size models with random weights
(`python -m helpers run --stand-in-weights`), where it reports "skipped: needs pretrained weights" instead. Its
`basis` says why real weights should pass it, and with what margin: a published number, or the reasoning and the
tolerance the check allows. No machine here can load the real checkpoints, so the basis is what a reviewer reads.
"""

import contextlib

from . import env, results
from .config import STAND_IN_ENV
from .errors import InputError

SKIPPED = "skipped: needs pretrained weights"
# The last outcome of each exercise in this session, by name.
outcomes = {}


class ExerciseIncorrect(AssertionError):
    """Raised when an attempted answer is wrong; the message holds the hint."""


def is_placeholder(answer):
    """The placeholder a learner has not replaced yet: `...` or None (also inside a tuple/list/dict)."""
    if answer is Ellipsis or answer is None:
        return True
    if isinstance(answer, (tuple, list)) and answer and all(is_placeholder(a) for a in answer):
        return True
    if isinstance(answer, dict) and answer and all(is_placeholder(a) for a in answer.values()):
        return True
    return False


def _remember(name, outcome):
    outcomes[name] = outcome
    results.log_exercise(name, outcome)


def _validate(name, test):
    if not isinstance(name, str) or not name:
        raise InputError(f"check() needs the exercise's name as a string, not {name!r}.")
    if not callable(test):
        raise InputError(f"check({name!r}, ...) needs a test: a function that takes the answer and returns True "
                         f"when it is right; got {test!r}.", "pass e.g. test=lambda a: a == expected.")


def _run_test(test, answer):
    """(passed, detail): a crash inside the test is a wrong answer, not a broken course."""
    try:
        passed = test(answer)
    except AssertionError as error:
        return False, str(error)
    except Exception as error:
        return False, f"checking your answer raised {type(error).__name__}: {error}"
    return passed is None or bool(passed), ""


def check(name, answer, test, hint, success=""):
    """Check an exercise answer.

    `test(answer)` returns True/False or raises AssertionError with a specific message.
    Records NOT_ATTEMPTED or CORRECT in `outcomes[name]`; raises ExerciseIncorrect with the hint when wrong.
    Returns nothing, so a check cell shows only its message.
    """
    _validate(name, test)
    if is_placeholder(answer):
        _remember(name, results.NOT_ATTEMPTED)
        print(f"⏳ Exercise {name}: not attempted yet. Replace the `...` above with your answer and run "
              "both cells again.")
        return
    passed, detail = _run_test(test, answer)
    if not passed:
        _remember(name, results.INCORRECT)
        message = f"Exercise {name}: not quite. Hint: {hint}"
        raise ExerciseIncorrect(message + (f"\n({detail})" if detail else ""))
    _remember(name, results.CORRECT)
    print(f"✅ Exercise {name}: correct! {success}".rstrip())


def check_solution(name, answer, test):
    """The solution cell's check: the reference solution must pass the same test as the learner's answer."""
    _validate(name, test)
    passed, detail = _run_test(test, answer)
    if is_placeholder(answer) or not passed:
        _remember(name, results.INCORRECT)
        raise AssertionError(f"The reference solution of exercise {name} fails its own check. {detail}".strip())
    _remember(name, results.CORRECT)
    print(f"✅ Exercise {name}: the reference solution passes the check.")


def stand_in_weights():
    """True in a smoke run on real-size models with random weights (COURSE_STAND_IN_WEIGHTS=1)."""
    return env.env_flag(STAND_IN_ENV)


@contextlib.contextmanager
def needs_pretrained_weights(name, basis):
    """A check that only pretrained weights can pass. It asserts as usual; with stand-in weights it is skipped.

    `basis`: why the real checkpoints should pass it, and the margin it allows (a published figure, or the reasoning).
    A failure on real weights repeats it after the assertion's own message, which says what to try.
    """
    if not isinstance(name, str) or not name:
        raise InputError(f"needs_pretrained_weights() needs the check's name as a string, not {name!r}.")
    if not isinstance(basis, str) or len(basis.split()) < 5:
        raise InputError(f"needs_pretrained_weights({name!r}) needs a basis: a sentence on why pretrained weights "
                         f"pass this check and with what margin, not {basis!r}.",
                         "pass basis=\"a published figure, or the reasoning and the tolerance\".")
    if not stand_in_weights():
        try:
            yield
        except AssertionError as error:
            raise AssertionError(f"{error}\n(Why this check should hold with the real weights: {basis})") from None
        return
    try:
        yield
        detail = "it held on the stand-ins, but that means nothing"
    except AssertionError as error:
        detail = f"on the stand-ins: {error}"
    print(f"⏭  Check '{name}': {SKIPPED} (this run uses stand-in models with random weights; {detail}).")
    results.log_check(name, SKIPPED, detail, basis)
