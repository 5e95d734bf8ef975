"""Run notebooks headless into build/ and write build/report.md. Never touches notebooks/."""

import os
import time
from pathlib import Path

from . import config, course, results
from .errors import CourseError

NOTEBOOKS_DIR = Path("notebooks")
BUILD_DIR = Path("build")
CELL_TIMEOUT_S = 3600


def default_notebooks():
    return [NOTEBOOKS_DIR / lesson["notebook"] for lesson in config.LESSONS.values()
            if (NOTEBOOKS_DIR / lesson["notebook"]).exists()]


def execute(path, out_dir):
    """Execute one notebook into out_dir; returns (status, seconds, error text)."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.read(path, as_version=4)
    started = time.perf_counter()
    status, error = "passed", ""
    client = NotebookClient(nb, timeout=CELL_TIMEOUT_S, kernel_name="python3",
                            resources={"metadata": {"path": str(Path(path).parent.resolve())}})
    try:
        client.execute()
    except CellExecutionError as failure:
        status, error = "failed", str(failure).strip().splitlines()[-1][:300]
    except Exception as failure:  # a dead kernel or a timeout
        status, error = "failed", f"{type(failure).__name__}: {failure}"[:300]
    seconds = time.perf_counter() - started
    out_dir.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, out_dir / Path(path).name)
    return status, seconds, error


def lesson_of(path):
    return Path(path).name[:2]


def write_report(rows, profile, results_dir, report_path):
    found = results.load_all(results_dir) if results_dir.exists() else {}
    exercises = results.exercise_outcomes(results_dir)
    lines = ["# Course run report", "", f"Profile: `{profile}`", "",
             "| notebook | status | wall time | exercise solutions passing |", "| --- | --- | --- | --- |"]
    for path, status, seconds, _ in rows:
        outcomes = exercises.get(lesson_of(path), {})
        solved = sum(results.solution_passed(o) for o in outcomes.values())
        lines.append(f"| {Path(path).name} | {status} | {seconds:.1f} s | {solved} of {len(outcomes)} |")
    for path, status, _, error in rows:
        if error:
            lines += ["", f"**{Path(path).name} failed:** `{error}`"]
    for path, *_ in rows:
        for table, content in found.get(lesson_of(path), {}).items():
            lines += ["", f"## {Path(path).stem}: {table} (profile `{content['profile']}`)", ""]
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


def run_notebooks(paths=None, profile=None, build_dir=BUILD_DIR):
    """Execute the notebooks in order; returns the exit code (0 when all passed)."""
    paths = [Path(p) for p in (paths or default_notebooks())]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        print(f"No such notebook: {', '.join(missing)}. The notebooks are in {NOTEBOOKS_DIR}/.")
        return 2
    if profile:
        os.environ["COURSE_PROFILE"] = profile
    try:  # fail in seconds, with the ways out, rather than inside the first notebook
        chosen, why = course.choose_profile([lesson_of(p) for p in paths], profile)
    except CourseError as error:
        print(f"Cannot run the notebooks: {error}")
        return 1
    print(f"Profile: {chosen} ({why})")
    if chosen == "tiny":
        print(course.TINY_BANNER)
    os.environ["COURSE_PROFILE"] = chosen
    results_dir = (build_dir / "results").resolve()
    os.environ[results.RESULTS_ENV] = str(results_dir)
    for stale in results_dir.glob("*.json*") if results_dir.exists() else []:
        stale.unlink()
    rows = []
    for path in paths:
        print(f"▶ {path} ...", flush=True)
        status, seconds, error = execute(path, build_dir / "notebooks")
        print(f"  {status} in {seconds:.1f} s" + (f": {error}" if error else ""), flush=True)
        rows.append((path, status, seconds, error))
    report = write_report(rows, chosen, results_dir, build_dir / "report.md")
    print(f"\nReport: {report}  (executed notebooks in {build_dir / 'notebooks'})")
    return 0 if all(r[1] == "passed" for r in rows) else 1
