"""Authoring the notebooks: the shared setup cell, badges, and what `python -m helpers sync` regenerates.

The setup cell is generated from SETUP_CELL below, so it is the same in every notebook (only the lesson number
differs), and the repository URL and the course version appear once, in helpers.config. tests/ checks it.
"""

import re
from pathlib import Path

import nbformat

from ..config import COURSE_VERSION, EXTRAS, LESSONS, PROFILE_NAMES, RELEASE_TAG, REPO_BRANCH, REPO_URL
from ..profiles import lesson_summary

# On Colab the cell installs the course package only when the runtime lacks this exact version (a fresh runtime,
# or one that installed an older course), or lacks the optional part a lesson also needs (lesson 07: "align"), and
# never touches Colab's own torch or numpy: pip adds only what is missing. Everywhere else, the package next door (a
# clone) or an installed one is used as it is. If an install upgraded a library the runtime had already imported,
# helpers.setup says to restart the runtime (helpers.env.stale_modules).
SETUP_CELL = '''\
# Setup: the same first cell in every notebook of the course. Safe to run twice.
LESSON = "{lesson}"
COURSE_VERSION = "{version}"  # the version of the course's `helpers` package this notebook was written for
import sys
if "google.colab" in sys.modules:  # Colab: install the course's helpers once per runtime (about a minute)
    from importlib.metadata import PackageNotFoundError, version
    from importlib.util import find_spec
    try:
        installed = version("llm-course")
    except PackageNotFoundError:
        installed = None
    if installed != COURSE_VERSION{extra_check}:
        !pip uninstall -q -y llm-course
        !pip install -q "{package} @ git+{repo_url}@{tag}"{bound}
try:
    import helpers
except ModuleNotFoundError:  # a local clone without `pip install -e .`: use the package next door
    sys.path.insert(0, "..")
    import helpers
run = helpers.setup(LESSON, course_version=COURSE_VERSION)'''


def setup_cell_source(lesson):
    extra = LESSONS[lesson].get("extra")
    extra_check = f' or find_spec("{EXTRAS[extra]["module"]}") is None' if extra else ""
    package = f"llm-course[{extra}]" if extra else "llm-course"
    bound = f' "{EXTRAS[extra]["colab_bound"]}"' if extra else ""  # the smallest step on Colab (config.EXTRAS)
    return SETUP_CELL.format(lesson=lesson, version=COURSE_VERSION, repo_url=REPO_URL, tag=RELEASE_TAG,
                             extra_check=extra_check, package=package, bound=bound)


def colab_url(notebook_path):
    """The "Open in Colab" link of a notebook, e.g. colab_url("notebooks/00_start_here.ipynb")."""
    return f"https://colab.research.google.com/github/{REPO_URL.split('github.com/')[1]}/blob/{REPO_BRANCH}/{notebook_path}"


def colab_badge(notebook_path):
    return (f"[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]"
            f"({colab_url(notebook_path)})")


def first_code_cell(nb):
    return next(c for c in nb.cells if c.cell_type == "code")


def is_clean(nb):
    """No outputs and no execution counts in any code cell."""
    return all(not c.get("outputs") and c.get("execution_count") is None for c in nb.cells if c.cell_type == "code")


def clean(nb):
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return nb


def code(text, hidden=False, tags=()):
    """A code cell; `hidden=True` collapses its source in Jupyter and Colab (used for solutions)."""
    cell = nbformat.v4.new_code_cell(text.strip("\n"))
    if hidden:
        cell.metadata["jupyter"] = {"source_hidden": True}
        cell.metadata["cellView"] = "form"  # Colab hides the code of a form cell
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def write_notebook(path, lesson, cells):
    """Write a clean notebook whose first code cell is the shared setup cell."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    nb.metadata["colab"] = {"provenance": []}
    first_code = next(i for i, c in enumerate(cells) if c.cell_type == "code")
    cells = cells[:first_code] + [code(setup_cell_source(lesson))] + cells[first_code:]
    nb.cells = cells
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"c{i:03d}"  # stable ids keep diffs small when a notebook is regenerated
    nbformat.write(clean(nb), path)
    return path


def time_table_markdown(lesson):
    """The per-profile time table of a lesson's introduction, generated from the profiles table."""
    lines = ["| profile | for | time | timed on |", "| --- | --- | --- | --- |"]
    for row in (lesson_summary(lesson, profile) for profile in PROFILE_NAMES):
        lines.append(f"| `{row['profile']}` | {row['for']} | {row['time']} | {row['timed_on']} |")
    return "\n".join(lines)


def course_map_markdown():
    """The README's lesson table, generated from helpers.config (tests/ checks the README holds it)."""
    lines = ["| lesson | after it you can | open | models and data (`quick`/`full`) | time: full / quick / tiny |",
             "| --- | --- | --- | --- | --- |"]
    for lesson in LESSONS:
        rows = {profile: lesson_summary(lesson, profile) for profile in PROFILE_NAMES}
        path = f"notebooks/{rows['full']['notebook']}"
        models = sorted({m for p in ("quick", "full") for m in rows[p]["models"]})
        data = sorted(set(rows["full"]["datasets"]))
        times = " / ".join(rows[p]["time"] for p in ("full", "quick", "tiny"))
        lines.append(f"| [{lesson} {rows['full']['title']}]({path}) | {rows['full']['outcome']} | "
                     f"{colab_badge(path)} | {', '.join(models + data)} | {times} |")
    return "\n".join(lines)


TIME_TABLE = re.compile(r"\| profile \| for \| time \| timed on \|\n(?:\|.*\|\n?)+")
MAP_START, MAP_END = "<!-- course-map:start -->", "<!-- course-map:end -->"


def sync(root="."):
    """Regenerate what is generated from helpers.config: each notebook's setup cell and time table, and the
    README's course map. Run `python -m helpers sync` after editing the profiles table or the repository URL."""
    root = Path(root)
    changed = []
    for path in sorted((root / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        lesson = path.name[:2]
        before = nbformat.writes(nb)
        first_code_cell(nb).source = setup_cell_source(lesson)
        header = nb.cells[0]
        header.source = TIME_TABLE.sub(time_table_markdown(lesson) + "\n", header.source, count=1).rstrip("\n")
        header.source = re.sub(r"\[!\[Open In Colab\]\([^)]*\)\]\([^)]*\)", colab_badge(f"notebooks/{path.name}"),
                               header.source)
        if nbformat.writes(nb) != before:
            nbformat.write(clean(nb), path)
            changed.append(str(path))
    readme = root / "README.md"
    text = readme.read_text()
    if MAP_START in text:
        head, rest = text.split(MAP_START, 1)
        new = f"{head}{MAP_START}\n{course_map_markdown()}\n{MAP_END}{rest.split(MAP_END, 1)[1]}"
        if new != text:
            readme.write_text(new)
            changed.append(str(readme))
    return changed
