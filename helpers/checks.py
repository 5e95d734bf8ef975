"""Exercise checks: say "not attempted yet" for an untouched placeholder, fail with a hint when wrong,
and say so when right.

In a notebook:

    answer = ...                       # the learner replaces the ... with code
    check("1. Next-word table", answer, lambda a: a == expected, hint="one row per prefix")
"""

import json
import os
from pathlib import Path

NOT_ATTEMPTED = "not attempted"
CORRECT = "correct"
# The last outcome of each exercise in this session, by name (read by the tests and the results report).
outcomes = {}
# Set by helpers.setup, so that a headless run can report which lesson an outcome belongs to.
current_lesson = None


def _remember(name, outcome):
    outcomes[name] = outcome
    folder = os.environ.get("COURSE_RESULTS_DIR")  # set by `python -m helpers run` and `make test`
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        with open(Path(folder) / "exercises.jsonl", "a") as log:
            log.write(json.dumps({"lesson": current_lesson, "exercise": name, "outcome": outcome}) + "\n")


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


def check(name, answer, test, hint, success=""):
    """Check an exercise answer.

    `test(answer)` returns True/False or raises AssertionError with a specific message.
    Records NOT_ATTEMPTED or CORRECT in `outcomes[name]`; raises ExerciseIncorrect with the hint when wrong.
    Returns nothing, so a check cell shows only its message.
    """
    if is_placeholder(answer):
        _remember(name, NOT_ATTEMPTED)
        print(f"⏳ Exercise {name}: not attempted yet. Replace the `...` above with your answer and run "
              "both cells again.")
        return
    try:
        passed = test(answer)
        detail = ""
    except AssertionError as error:
        passed, detail = False, str(error)
    except Exception as error:  # a crash inside the test is a wrong answer, not a broken course
        passed, detail = False, f"checking your answer raised {type(error).__name__}: {error}"
    if passed is not None and not passed:
        _remember(name, "incorrect")
        message = f"Exercise {name}: not quite. Hint: {hint}"
        raise ExerciseIncorrect(message + (f"\n({detail})" if detail else ""))
    _remember(name, CORRECT)
    print(f"✅ Exercise {name}: correct! {success}".rstrip())
