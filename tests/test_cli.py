"""The command line: info, run (report, failures, offline errors), build-tiny, prefetch's offline error."""

import os
import subprocess
import sys
import time
from pathlib import Path

import nbformat

from helpers.notebook import code, write_notebook

ROOT = Path(__file__).resolve().parent.parent


def helpers_cli(*args, env=None, cwd=ROOT, timeout=120):
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run([sys.executable, "-m", "helpers", *args], cwd=cwd, env=full_env, capture_output=True,
                          text=True, timeout=timeout)


def test_info_lists_every_lesson_and_profile():
    result = helpers_cli("info")
    assert result.returncode == 0
    for text in ("00 Start here", "05 Dialogue summarization", "google/flan-t5-base", "tiny flan-t5", "`quick`"):
        assert text in result.stdout


def test_unknown_notebook_and_profile_are_explained():
    result = helpers_cli("run", "notebooks/99_nothing.ipynb")
    assert result.returncode == 2 and "No such notebook" in result.stdout
    result = helpers_cli("run", "--profile", "huge")
    assert result.returncode == 2 and "choose from 'full', 'quick', 'tiny'" in result.stderr


def test_quick_without_network_or_cache_fails_fast_naming_both_ways_out(tmp_path):
    """Acceptance: COURSE_PROFILE=quick offline exits non-zero within 30 s and names prefetch and tiny."""
    started = time.perf_counter()
    result = helpers_cli("run", "notebooks/00_start_here.ipynb",
                         env={"COURSE_PROFILE": "quick", "HF_HOME": str(tmp_path / "hf"), "HF_HUB_OFFLINE": "1"})
    assert time.perf_counter() - started < 30
    assert result.returncode != 0
    assert "python -m helpers prefetch --profile quick" in result.stdout
    assert "COURSE_PROFILE=tiny" in result.stdout


def test_prefetch_offline_says_what_to_do(tmp_path):
    result = helpers_cli("prefetch", "--profile", "quick", env={"HF_HOME": str(tmp_path / "hf"), "HF_HUB_OFFLINE": "1"})
    assert result.returncode == 1 and "online" in result.stderr and "COURSE_PROFILE=tiny" in result.stderr


def test_auto_profile_falls_back_to_tiny_and_run_writes_the_report(tmp_path, tiny_fixtures):
    """A two-cell notebook run headless: executed copy in build/, the status and its results in report.md."""
    (tmp_path / "notebooks").mkdir()
    path = tmp_path / "notebooks" / "00_start_here.ipynb"
    cells = [code('import helpers.results\nhelpers.results.record(run, "demo", {"a": {"score": 0.5}})')]
    write_notebook(path, "00", cells)
    env = {"HF_HOME": str(tmp_path / "hf"), "HF_HUB_OFFLINE": "1", "COURSE_PROFILE": ""}
    result = helpers_cli("run", "notebooks/00_start_here.ipynb", env=env, cwd=tmp_path, timeout=240)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Profile: tiny (automatic" in result.stdout and "TINY PROFILE" in result.stdout
    report = (tmp_path / "build" / "report.md").read_text()
    assert "| 00_start_here.ipynb | passed |" in report
    assert "| a | 0.5 |" in report
    executed = nbformat.read(tmp_path / "build" / "notebooks" / "00_start_here.ipynb", as_version=4)
    assert executed.cells[0].outputs, "the executed copy keeps its outputs"
    assert not nbformat.read(path, as_version=4).cells[0].outputs, "the source notebook is untouched"


def test_a_failing_notebook_makes_run_fail(tmp_path, tiny_fixtures):
    (tmp_path / "notebooks").mkdir()
    write_notebook(tmp_path / "notebooks" / "01_x.ipynb", "01", [code("raise ValueError('broken on purpose')")])
    result = helpers_cli("run", "notebooks/01_x.ipynb", env={"COURSE_PROFILE": "tiny"}, cwd=tmp_path, timeout=240)
    assert result.returncode == 1
    report = (tmp_path / "build" / "report.md").read_text()
    assert "| failed |" in report and "broken on purpose" in report
