"""What a headless run reports, in one place: results tables, exercise outcomes, skipped checks.

`python -m helpers run` (and `make test`) set COURSE_RESULTS_DIR for every notebook kernel. While it is set, the
notebooks write what they measured into that folder, and the runner turns it into build/report.md. In an
interactive session nothing is written: `record` just returns the table for display.

Files in the folder: `<lesson>.json` (results tables), `exercises.jsonl` (one line per exercise check),
`checks.jsonl` (checks skipped in stand-in mode). The runner reads cell times from the executed notebooks.
"""

import json
import os
from pathlib import Path

from .config import RESULTS_ENV

NOT_ATTEMPTED, INCORRECT, CORRECT = "not attempted", "incorrect", "correct"
# Tables one lesson records and a later one reads (helpers.results.recorded), named once for both.
SUMMARIZER_ROUGE = "ROUGE on the test dialogues"  # lesson 05: FLAN-T5 zero-shot, LoRA, full fine-tuning; read by 06
CHAT_ROUGE = "ROUGE: chat model and FLAN-T5 on the same test dialogues"  # lesson 06; read by 07
_current = {"lesson": None}  # set by helpers.setup: which lesson the outcomes of this kernel belong to


def start_lesson(lesson):
    _current["lesson"] = lesson


def current_lesson():
    return _current["lesson"]


def results_dir():
    """The folder of this headless run, or None in an interactive session."""
    folder = os.environ.get(RESULTS_ENV)
    return Path(folder) if folder else None


def is_headless_run():
    """True inside `python -m helpers run` or `make test`: nobody reads the notebook while it runs."""
    return results_dir() is not None


def _append(filename, entry):
    folder = results_dir()
    if folder is None:
        return
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / filename, "a") as log:
        log.write(json.dumps({"lesson": current_lesson(), **entry}) + "\n")


def _read_lines(folder, filename):
    path = Path(folder) / filename
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def log_exercise(name, outcome):
    _append("exercises.jsonl", {"exercise": name, "outcome": outcome})


def log_check(name, outcome, detail="", basis=""):
    _append("checks.jsonl", {"check": name, "outcome": outcome, "detail": detail[:300], "basis": basis})


def _jsonable(value):
    if hasattr(value, "item"):  # numpy / torch scalars
        value = value.item()
    if isinstance(value, float):
        return round(value, 4)  # for the report; the table returned to the notebook keeps every digit
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def record(run, table, rows, plot=()):
    """Record a results table for this lesson: `rows` is {row name: {column: value}}.

    `plot` names the columns that compare methods (e.g. ("accuracy", "f1")): the course report's summary
    figure draws them as grouped bars, one panel per table that names some.

    Returns the table as a pandas DataFrame, with the values as given (the report rounds, the notebook does not).
    """
    import pandas as pd

    from .errors import InputError

    if not isinstance(rows, dict) or not rows or not all(isinstance(row, dict) for row in rows.values()):
        raise InputError("record() needs rows as {row name: {column: value}}, with at least one row.",
                         'pass e.g. {"LoRA": {"rouge1": 0.41, "steps": 100}}.')
    folder = results_dir()
    if folder is not None:
        path = folder / f"{run.lesson}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        saved = json.loads(path.read_text()) if path.exists() else {}
        saved[table] = {"profile": run.profile, "rows": _jsonable(rows), "plot": list(plot)}
        path.write_text(json.dumps(saved, indent=1))
    return pd.DataFrame.from_dict(rows, orient="index")


def recorded(lesson, table, profile):
    """The rows that a headless run of `lesson` recorded for `table` in this profile, or None: from this run's
    results folder, else from build/results of the course's checkout or of the current folder (make course)."""
    folders = [results_dir()] if results_dir() else []
    folders += [Path(__file__).resolve().parent.parent / "build" / "results", Path.cwd() / "build" / "results"]
    for folder in folders:
        path = folder / f"{lesson}.json"
        content = json.loads(path.read_text()).get(table) if path.is_file() else None
        if content and content["profile"] == profile:
            return content["rows"]
    return None


def load_all(folder):
    """{lesson: {table: {"profile", "rows", "plot"}}} from a results folder."""
    return {p.stem: json.loads(p.read_text()) for p in sorted(Path(folder).glob("*.json"))}


def exercise_outcomes(folder):
    """{lesson: {exercise: [outcomes in the order the checks ran]}} from a headless run's exercises.jsonl."""
    found = {}
    for entry in _read_lines(folder, "exercises.jsonl"):
        found.setdefault(entry["lesson"], {}).setdefault(entry["exercise"], []).append(entry["outcome"])
    return found


def skipped_checks(folder):
    """{lesson: [{"check", "outcome", "detail", "basis"}, ...]} of the checks reported as skipped."""
    found = {}
    for entry in _read_lines(folder, "checks.jsonl"):
        found.setdefault(entry.pop("lesson"), []).append(entry)
    return found


def solution_passed(outcomes):
    """A headless run checks each exercise twice: the untouched placeholder, then the solution."""
    return outcomes[:1] == [NOT_ATTEMPTED] and outcomes[-1:] == [CORRECT]
