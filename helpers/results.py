"""Headline results of a lesson, recorded by the notebook from measured values.

`python -m helpers run` sets COURSE_RESULTS_DIR, collects what each notebook recorded and puts it in
build/report.md. In an interactive session nothing is written; the table is just returned for display.
"""

import json
import os
from pathlib import Path

RESULTS_ENV = "COURSE_RESULTS_DIR"


def _jsonable(value):
    if hasattr(value, "item"):  # numpy / torch scalars
        value = value.item()
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def record(run, table, rows, plot=()):
    """Record a results table for this lesson: `rows` is {row name: {column: value}}.

    `plot` names the columns that compare methods (e.g. ("accuracy", "f1")): the course report's summary
    figure draws them as grouped bars, one panel per table that names some.

    Returns the table as a pandas DataFrame, so a notebook can show it as it records it.
    """
    import pandas as pd

    rows = _jsonable(rows)
    folder = os.environ.get(RESULTS_ENV)
    if folder:
        path = Path(folder) / f"{run.lesson}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        saved = json.loads(path.read_text()) if path.exists() else {}
        saved[table] = {"profile": run.profile, "rows": rows, "plot": list(plot)}
        path.write_text(json.dumps(saved, indent=1))
    return pd.DataFrame.from_dict(rows, orient="index")


def load_all(folder):
    """{lesson: {table: {"profile", "rows"}}} from a results folder."""
    return {p.stem: json.loads(p.read_text()) for p in sorted(Path(folder).glob("*.json"))}


def exercise_outcomes(folder):
    """{lesson: {exercise: [outcomes in the order the checks ran]}} from a headless run's exercises.jsonl."""
    log = Path(folder) / "exercises.jsonl"
    found = {}
    if log.exists():
        for line in log.read_text().splitlines():
            entry = json.loads(line)
            found.setdefault(entry["lesson"], {}).setdefault(entry["exercise"], []).append(entry["outcome"])
    return found


def solution_passed(outcomes):
    """A headless run checks each exercise twice: the untouched placeholder, then the solution."""
    return outcomes[:1] == ["not attempted"] and outcomes[-1:] == ["correct"]
