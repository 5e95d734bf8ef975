"""The command line: info, run (report, failures, offline errors), build-tiny, prefetch's offline error.

In-process (main([...]) with captured output) where possible; `run` starts notebook kernels either way.
"""

import time

import nbformat
import pytest

from helpers.__main__ import main
from helpers.tools.authoring import code, write_notebook


def cli(capsys, *args):
    code_ = main(list(args))
    captured = capsys.readouterr()
    return code_, captured.out, captured.err


def test_info_lists_every_lesson_and_profile(capsys):
    status, out, _ = cli(capsys, "info")
    assert status == 0
    for text in ("00 Start here", "05 Dialogue summarization", "google/flan-t5-base", "tiny flan-t5", "`quick`"):
        assert text in out


def test_unknown_notebook_and_profile_are_explained(capsys):
    status, out, _ = cli(capsys, "run", "notebooks/99_nothing.ipynb")
    assert status == 2 and "No such notebook" in out
    with pytest.raises(SystemExit) as exit_:
        main(["run", "--profile", "huge"])
    assert exit_.value.code == 2 and "choose from 'full', 'quick', 'tiny'" in capsys.readouterr().err


def test_quick_without_network_or_cache_fails_fast_naming_both_ways_out(capsys, monkeypatch, tmp_path):
    """COURSE_PROFILE=quick offline exits non-zero within 30 s and names prefetch and tiny."""
    monkeypatch.setenv("COURSE_PROFILE", "quick")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.setattr("huggingface_hub.constants.HF_HUB_CACHE", str(tmp_path / "hf" / "hub"))
    monkeypatch.setattr("datasets.config.HF_DATASETS_CACHE", str(tmp_path / "hf" / "datasets"))
    started = time.perf_counter()
    status, out, _ = cli(capsys, "run", "notebooks/00_start_here.ipynb")
    assert time.perf_counter() - started < 30
    assert status != 0
    assert "python -m helpers prefetch --profile quick" in out and "COURSE_PROFILE=tiny" in out


def test_prefetch_offline_says_what_to_do(capsys):
    status, _, err = cli(capsys, "prefetch", "--profile", "quick")
    assert status == 1 and "online" in err and "COURSE_PROFILE=tiny" in err


def test_build_tiny_in_a_folder_it_cannot_write_says_which_without_a_traceback(capsys, monkeypatch):
    monkeypatch.setenv("COURSE_CACHE", "/sys/llm-course-cache")
    status, _, err = cli(capsys, "build-tiny")
    assert status == 1 and "COURSE_CACHE" in err and "Traceback" not in err


def test_auto_profile_falls_back_to_tiny_and_run_writes_the_report(capsys, monkeypatch, tmp_path, tiny_fixtures):
    """A two-cell notebook run headless: executed copy in build/, the status and its results in report.md."""
    (tmp_path / "notebooks").mkdir()
    path = tmp_path / "notebooks" / "00_start_here.ipynb"
    write_notebook(path, "00", [code('import helpers.results\nhelpers.results.record(run, "demo", {"a": {"score": 0.5}})'),
                                code('run.estimate("total")')])
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.setenv("COURSE_PROFILE", "")
    monkeypatch.setattr("huggingface_hub.constants.HF_HUB_CACHE", str(tmp_path / "hf" / "hub"))
    monkeypatch.setattr("datasets.config.HF_DATASETS_CACHE", str(tmp_path / "hf" / "datasets"))
    status, out, err = cli(capsys, "run", "notebooks/00_start_here.ipynb")
    assert status == 0, out + err
    assert "Profile: tiny (automatic" in out and "TINY PROFILE" in out
    report = (tmp_path / "build" / "report.md").read_text()
    assert "| 00_start_here.ipynb | passed |" in report and " GB |" in report
    assert "| a | 0.5 |" in report
    assert "| 00_start_here.ipynb | 2 | total | 10 s |" in report  # the estimate, next to the cell's own time
    executed = nbformat.read(tmp_path / "build" / "notebooks" / "00_start_here.ipynb", as_version=4)
    assert executed.cells[0].outputs, "the executed copy keeps its outputs"
    assert not nbformat.read(path, as_version=4).cells[0].outputs, "the source notebook is untouched"


def test_a_failing_notebook_makes_run_fail_with_a_plain_error_line(capsys, monkeypatch, tmp_path, tiny_fixtures):
    (tmp_path / "notebooks").mkdir()
    cells = [code("from helpers.errors import CourseError\nraise CourseError('Broken on purpose.', 'fix it.', 'x')")]
    write_notebook(tmp_path / "notebooks" / "01_x.ipynb", "01", cells)
    monkeypatch.chdir(tmp_path)
    status, out, _ = cli(capsys, "run", "notebooks/01_x.ipynb", "--profile", "tiny")
    assert status == 1
    report = (tmp_path / "build" / "report.md").read_text()
    assert "| failed |" in report
    assert "`CourseError: Broken on purpose. What to do: fix it. More help:" in report  # name and message, one line
    assert "\x1b[" not in report
