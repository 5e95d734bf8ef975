"""Run notebooks headless into build/ (never touching notebooks/): one kernel per notebook, with the profile, the
hub state and the run's caps passed in its environment, its peak memory sampled and its cells timed. What the run
found goes to build/report.md (helpers.tools.report); `--budget` fails a run over the profile's time or memory."""

import os
import re
import shutil
import threading
import time
from datetime import datetime
from pathlib import Path

from .. import config, env, hub, session, validate
from ..config import (HEADLESS_ENV, HUB_ENV, MAX_ROWS_ENV, MAX_STEPS_ENV, PROFILE_ENV, PROFILE_REASON_ENV, RESULTS_ENV,
                      STAND_IN_ENV)
from ..errors import CourseError
from .report import lesson_of, write_report

NOTEBOOKS_DIR = Path("notebooks")
BUILD_DIR = Path("build")
CELL_TIMEOUT_S = 3600
ESTIMATE_CALL = re.compile(r"""run\.estimate\(["'](\w+)["']\)""")
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
# What `--budget` holds a run to, per profile (the README, "For maintainers"): seconds per notebook, seconds
# for all of them, peak memory of a notebook's kernel in GB. `full` on a CPU is a capped smoke run: no time budget, and a memory
# budget that stands in for a T4's 15 GB: the capped steps use full's batch sizes and lengths in fp32, which on a
# T4 would live in GPU memory (there in fp16 where the dtype policy allows), so a CPU peak above it is a warning
# that the lesson may not fit a free Colab GPU. A rough proxy, not a T4 measurement.
BUDGETS = {"tiny": {"notebook_s": 60, "total_s": None, "memory_gb": 8},
           "quick": {"notebook_s": 10 * 60, "total_s": 60 * 60, "memory_gb": 8},  # a workshop slot each
           "full": {"notebook_s": None, "total_s": None, "memory_gb": 15}}


def default_notebooks():
    return [NOTEBOOKS_DIR / lesson["notebook"] for lesson in config.LESSONS.values()
            if (NOTEBOOKS_DIR / lesson["notebook"]).exists()]


class PeakMemory:
    """Samples the resident memory of this process's children (the notebook kernel) and keeps the peak."""

    def __init__(self, interval=0.5):
        self.interval, self.peak_bytes = interval, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self):
        import psutil

        me = psutil.Process()
        while not self._stop.is_set():
            total = 0
            for child in me.children(recursive=True):
                try:
                    total += child.memory_info().rss
                except psutil.Error:
                    pass
            self.peak_bytes = max(self.peak_bytes, total)
            self._stop.wait(self.interval)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def failure_line(error):
    """The error of a failed cell as one plain line: its name and message, colour codes and line breaks removed."""
    name = getattr(error, "ename", None) or type(error).__name__
    message = getattr(error, "evalue", None) or str(error)
    return " ".join(ANSI.sub("", f"{name}: {message}").split())[:400]


def execute(path, out_dir, kernel_env):
    """Execute one notebook into out_dir; returns a dict: status, seconds, error, peak_gb, cells (timed)."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.read(path, as_version=4)
    started = time.perf_counter()
    status, error = "passed", ""
    client = NotebookClient(nb, timeout=CELL_TIMEOUT_S, kernel_name="python3",
                            resources={"metadata": {"path": str(Path(path).parent.resolve())}})
    with PeakMemory() as memory:
        try:
            client.execute(env=kernel_env)
        except CellExecutionError as failure:
            status, error = "failed", failure_line(failure)
        except Exception as failure:  # a dead kernel or a timeout
            status, error = "failed", failure_line(failure)
    seconds = time.perf_counter() - started
    out_dir.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, out_dir / Path(path).name)
    return {"path": Path(path), "status": status, "seconds": seconds, "error": error,
            "peak_gb": memory.peak_bytes / 2**30, "cells": timed_cells(nb)}


def _cell_seconds(cell):
    timing = cell.get("metadata", {}).get("execution", {})
    start, end = timing.get("iopub.execute_input"), timing.get("shell.execute_reply")
    if not (start and end):
        return None
    return (datetime.fromisoformat(end.replace("Z", "+00:00"))
            - datetime.fromisoformat(start.replace("Z", "+00:00"))).total_seconds()


def timed_cells(nb):
    """[(cell index, seconds, estimate key or None)] for every executed code cell."""
    found = []
    for index, cell in enumerate(nb.cells):
        seconds = _cell_seconds(cell) if cell.cell_type == "code" else None
        if seconds is not None:
            keys = ESTIMATE_CALL.findall(cell.source)
            found.append((index, seconds, keys[0] if keys else None))
    return found


def kernel_environment(profile, hub_state, stand_in_weights=False, max_steps=None, max_rows=None,
                       results_dir=None, why=None):
    """The environment each notebook kernel gets: this process's, plus the run's own variables.

    `hub_state` ('online' or 'offline') was decided once for the whole run: the kernels read it from COURSE_HUB
    instead of probing the Hub each, and offline they get the Hugging Face libraries' offline switches too. `why`,
    the run's reason for the profile, reaches each kernel's run table.
    """
    variables = {**os.environ, PROFILE_ENV: profile, RESULTS_ENV: str(results_dir), HEADLESS_ENV: "1",
                 HUB_ENV: validate.choice("hub state", hub_state, hub.HUB_STATES),
                 PROFILE_REASON_ENV: f"{why or 'set by ' + PROFILE_ENV} (by python -m helpers run)"}
    for name in (STAND_IN_ENV, MAX_STEPS_ENV, MAX_ROWS_ENV):
        variables.pop(name, None)
    if hub_state == "offline":
        variables.update(dict.fromkeys(env.OFFLINE_VARIABLES, "1"))
    if stand_in_weights:
        variables[STAND_IN_ENV] = "1"
    if max_steps:
        variables[MAX_STEPS_ENV] = str(max_steps)
    if max_rows:
        variables[MAX_ROWS_ENV] = str(max_rows)
    return variables


def budget_problems(rows, profile):
    """Sentences naming every budget of the profile that this run broke ([] when it kept them all)."""
    budget, found = BUDGETS[profile], []
    for row in rows:
        name = row["path"].name
        if budget["notebook_s"] and row["seconds"] > budget["notebook_s"]:
            found.append(f"{name} took {row['seconds'] / 60:.1f} min, over {budget['notebook_s'] / 60:.0f} min")
        if budget["memory_gb"] and row["peak_gb"] > budget["memory_gb"]:
            found.append(f"{name} peaked at {row['peak_gb']:.1f} GB, over {budget['memory_gb']} GB")
    total = sum(row["seconds"] for row in rows)
    if budget["total_s"] and total > budget["total_s"]:
        found.append(f"all notebooks took {total / 60:.1f} min, over {budget['total_s'] / 60:.0f} min")
    return found


def run_notebooks(paths=None, profile=None, build_dir=BUILD_DIR, stand_in_weights=False, max_steps=None,
                  max_rows=None, budget=False):
    """Execute the notebooks in order; returns the exit code (0 when all passed, and kept the budget if asked)."""
    paths = [Path(p) for p in (paths or default_notebooks())]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        print(f"No such notebook: {', '.join(missing)}. The notebooks are in {NOTEBOOKS_DIR}/.")
        return 2
    try:  # fail in seconds, with the ways out, rather than inside the first notebook
        chosen, why, hub_state, profile_why = hub.decide([lesson_of(p) for p in paths], profile)
    except CourseError as error:
        print(f"Cannot run the notebooks: {error}")
        return 1
    print(f"Profile: {chosen} ({why})")
    if chosen == "tiny":
        print(session.TINY_BANNER)
    results_dir = (build_dir / "results").resolve()
    shutil.rmtree(results_dir, ignore_errors=True)
    kernel_env = kernel_environment(chosen, hub_state, stand_in_weights, max_steps, max_rows, results_dir,
                                    profile_why)
    rows = []
    for path in paths:
        print(f"▶ {path} ...", flush=True)
        row = execute(path, build_dir / "notebooks", kernel_env)
        print(f"  {row['status']} in {row['seconds']:.1f} s, peak memory {row['peak_gb']:.2f} GB"
              + (f": {row['error']}" if row["error"] else ""), flush=True)
        rows.append(row)
    note = ", ".join(filter(None, ["stand-in weights" if stand_in_weights else "",
                                   f"at most {max_steps} training steps" if max_steps else "",
                                   f"at most {max_rows} rows per data set" if max_rows else ""]))
    report = write_report(rows, chosen, results_dir, build_dir / "report.md", note,
                          compare=not (max_steps or max_rows))
    print(f"\nReport: {report}  (executed notebooks in {build_dir / 'notebooks'})")
    failed = [r for r in rows if r["status"] != "passed"]
    over = budget_problems(rows, chosen) if budget else []
    for problem in over:
        print(f"Over budget: {problem}")
    return 0 if not failed and not over else 1
