"""Run notebooks headless into build/ and write build/report.md. Never touches notebooks/.

The report holds, per notebook: status, wall time against the profile's time, peak memory of the kernel, and
the exercise solutions that passed; then every step that printed a time estimate (`run.estimate`) with the time
the cell really took; the checks a stand-in run skipped; and every results table the lessons recorded.
"""

import os
import re
import shutil
import threading
import time
from datetime import datetime
from pathlib import Path

from . import config, course, results
from .config import HEADLESS_ENV, MAX_ROWS_ENV, MAX_STEPS_ENV, PROFILE_ENV, RESULTS_ENV, STAND_IN_ENV
from .errors import CourseError

NOTEBOOKS_DIR = Path("notebooks")
BUILD_DIR = Path("build")
CELL_TIMEOUT_S = 3600
ESTIMATE_CALL = re.compile(r"""run\.estimate\(["'](\w+)["']\)""")
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
# What `--budget` holds a run to, per profile (design brief §6): seconds per notebook, seconds for all of them,
# peak memory of a notebook's kernel in GB. `full` on a CPU is a capped smoke run: no time budget, and a memory
# budget that stands in for a T4's 15 GB: the capped steps use full's batch sizes and lengths in fp32, which on a
# T4 would live in GPU memory (there in fp16 where the dtype policy allows), so a CPU peak above it is a warning
# that the lesson may not fit a free Colab GPU. A rough proxy, not a T4 measurement.
BUDGETS = {"tiny": {"notebook_s": 60, "total_s": None, "memory_gb": 8},
           "quick": {"notebook_s": 20 * 60, "total_s": 75 * 60, "memory_gb": 8},
           "full": {"notebook_s": None, "total_s": None, "memory_gb": 15}}
RATIO_LIMIT = 1.5  # a printed estimate within this factor of the measured time counts as right


def default_notebooks():
    return [NOTEBOOKS_DIR / lesson["notebook"] for lesson in config.LESSONS.values()
            if (NOTEBOOKS_DIR / lesson["notebook"]).exists()]


def lesson_of(path):
    return Path(path).name[:2]


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


def kernel_environment(profile, stand_in_weights=False, max_steps=None, max_rows=None, results_dir=None):
    """The environment each notebook kernel gets: this process's, plus the run's own variables."""
    env = {**os.environ, PROFILE_ENV: profile, RESULTS_ENV: str(results_dir), HEADLESS_ENV: "1"}
    for name in (STAND_IN_ENV, MAX_STEPS_ENV, MAX_ROWS_ENV):
        env.pop(name, None)
    if stand_in_weights:
        env[STAND_IN_ENV] = "1"
    if max_steps:
        env[MAX_STEPS_ENV] = str(max_steps)
    if max_rows:
        env[MAX_ROWS_ENV] = str(max_rows)
    return env


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


def _estimate(lesson, profile, key):
    return config.PROFILES.get(lesson, {}).get(profile, {}).get("seconds", {}).get(key)


def _ratio(measured, estimate, compare=True):
    if not estimate or not compare:
        return ""
    ratio = measured / estimate
    return f"{ratio:.2f}" + ("" if 1 / RATIO_LIMIT <= ratio <= RATIO_LIMIT else " ⚠")


def write_report(rows, profile, results_dir, report_path, note="", compare=True):
    """build/report.md. compare=False (a capped smoke run) shows the profile's times without ratios: fewer steps and
    rows make the measured times incomparable with them."""
    results_dir = Path(results_dir)
    found = results.load_all(results_dir) if results_dir.exists() else {}
    exercises = results.exercise_outcomes(results_dir)
    skipped = results.skipped_checks(results_dir)
    lines = ["# Course run report", "", f"Profile: `{profile}`" + (f" ({note})" if note else ""), "",
             "| notebook | status | wall time | profile's time | measured / profile's | peak memory | "
             "exercise solutions passing | checks skipped |", "|---" * 8 + "|"]
    for row in rows:
        lesson = lesson_of(row["path"])
        outcomes = exercises.get(lesson, {})
        solved = sum(results.solution_passed(o) for o in outcomes.values())
        estimate = _estimate(lesson, profile, "total")
        lines.append(f"| {row['path'].name} | {row['status']} | {row['seconds']:.1f} s | "
                     f"{f'{estimate} s' if estimate else ''} | {_ratio(row['seconds'], estimate, compare)} | "
                     f"{row['peak_gb']:.2f} GB | {solved} of {len(outcomes)} | {len(skipped.get(lesson, []))} |")
    lines.append(f"| all | | {sum(r['seconds'] for r in rows):.1f} s | | | "
                 f"{max((r['peak_gb'] for r in rows), default=0):.2f} GB (max) | | |")
    if not compare:
        lines += ["", "A capped run (fewer steps and rows than the profile's): its times cannot be compared with the "
                      "profile's, so no ratios are shown."]
    for row in rows:
        if row["error"]:
            lines += ["", f"**{row['path'].name} failed:** `{row['error']}`"]
    lines += ["", "## Timed steps", "",
              f"Each step that prints its time estimate, with the time its cell took (⚠: off by more than "
              f"{RATIO_LIMIT}×), then the slowest cells without an estimate.", "",
              "| notebook | cell | step | estimate | measured | measured / estimate |", "|---" * 6 + "|"]
    for row in rows:
        lesson = lesson_of(row["path"])
        for index, seconds, key in row["cells"]:
            if key:
                estimate = _estimate(lesson, profile, key)
                lines.append(f"| {row['path'].name} | {index} | {key} | {estimate} s | {seconds:.1f} s | "
                             f"{_ratio(seconds, estimate, compare)} |")
        slow = sorted((c for c in row["cells"] if not c[2]), key=lambda c: -c[1])[:2]
        for index, seconds, _ in slow:
            lines.append(f"| {row['path'].name} | {index} | (no estimate) | | {seconds:.1f} s | |")
    if any(skipped.values()):
        lines += ["", "## Checks skipped (stand-in weights)", "",
                  "Each needs the real checkpoints; the basis says why they should pass it, and with what margin.", "",
                  "| notebook | check | on the stand-ins | basis |", "|---|---|---|---|"]
        for row in rows:
            for entry in skipped.get(lesson_of(row["path"]), []):
                lines.append(f"| {row['path'].name} | {entry['check']} | {entry['detail']} | "
                             f"{entry.get('basis', '')} |")
    for row in rows:
        for table, content in found.get(lesson_of(row["path"]), {}).items():
            lines += ["", f"## {row['path'].stem}: {table} (profile `{content['profile']}`)", ""]
            lines += _markdown_table(content["rows"])
    figure = summary_figure(found, report_path.with_name("summary.png"))
    if figure:
        lines += ["", "## Summary figure", "", f"![Headline results of every lesson]({figure.name})"]
    report_path.write_text("\n".join(lines) + "\n")
    return report_path


def summary_figure(found, path):
    """One PNG with a panel per recorded results table that named columns to plot: grouped bars, per row."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    from .plots import grouped_bars

    panels = []
    for lesson, tables in found.items():
        for table, content in tables.items():
            columns = content.get("plot", [])
            table_rows = {row: {c: values[c] for c in columns if isinstance(values.get(c), (int, float))}
                          for row, values in content["rows"].items()}
            table_rows = {row: values for row, values in table_rows.items() if values}
            if table_rows:
                panels.append((f"{lesson}: {table}", table_rows))
    if not panels:
        return None
    columns = 2
    rows = (len(panels) + columns - 1) // columns
    fig, axes = plt.subplots(rows, columns, figsize=(14, 3.8 * rows), squeeze=False)
    for ax, (title, table) in zip(axes.flat, panels):
        grouped_bars(table, title=title[:70], ax=ax)
    for ax in list(axes.flat)[len(panels):]:
        ax.axis("off")
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)
    return path


def _markdown_table(rows):
    columns = list(dict.fromkeys(c for row in rows.values() for c in row))
    lines = ["| | " + " | ".join(columns) + " |", "|---" * (len(columns) + 1) + "|"]
    for name, row in rows.items():
        lines.append(f"| {name} | " + " | ".join(str(row.get(c, "")) for c in columns) + " |")
    return lines


def run_notebooks(paths=None, profile=None, build_dir=BUILD_DIR, stand_in_weights=False, max_steps=None,
                  max_rows=None, budget=False):
    """Execute the notebooks in order; returns the exit code (0 when all passed, and kept the budget if asked)."""
    paths = [Path(p) for p in (paths or default_notebooks())]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        print(f"No such notebook: {', '.join(missing)}. The notebooks are in {NOTEBOOKS_DIR}/.")
        return 2
    try:  # fail in seconds, with the ways out, rather than inside the first notebook
        chosen, why = course.choose_profile([lesson_of(p) for p in paths], profile)
    except CourseError as error:
        print(f"Cannot run the notebooks: {error}")
        return 1
    print(f"Profile: {chosen} ({why})")
    if chosen == "tiny":
        print(course.TINY_BANNER)
    results_dir = (build_dir / "results").resolve()
    shutil.rmtree(results_dir, ignore_errors=True)
    kernel_env = kernel_environment(chosen, stand_in_weights, max_steps, max_rows, results_dir)
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
