"""Faults a workshop meets: the tests are bound offline, offline mode is applied when the Hub is unreachable, and
errors name the real cause (the Hub, or a folder the course cannot write)."""

import errno
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import config, env, hub, profiles, session
from helpers.errors import CourseError

ROOT = Path(__file__).resolve().parent.parent


def test_environment_is_offline_and_tiny():
    """conftest.py sets these whatever the environment said (see the next test)."""
    assert os.environ["HF_HUB_OFFLINE"] == "1" and os.environ["COURSE_PROFILE"] == "tiny"
    assert os.environ["COURSE_NETWORK_GUARD"] == "1"
    assert not env.hub_reachable()


def test_the_run_is_offline_even_when_the_environment_says_online(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "tests/test_offline.py::test_environment_is_offline_and_tiny"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={**os.environ, "HF_HUB_OFFLINE": "0", "COURSE_PROFILE": "quick", "COURSE_NETWORK_GUARD": "0"})
    assert result.returncode == 0, result.stdout[-2000:]


def test_the_guard_blocks_the_network_here_and_says_so(monkeypatch, tmp_path):
    import netguard

    log = tmp_path / "attempts.log"
    monkeypatch.setenv("COURSE_NETWORK_LOG", str(log))
    with pytest.raises(netguard.NetworkBlocked):
        socket.create_connection(("huggingface.co", 443), timeout=1)
    with pytest.raises(netguard.NetworkBlocked):
        socket.socket().connect(("203.0.113.7", 443))  # an address, no name lookup
    assert "huggingface.co" in log.read_text() and "203.0.113.7" in log.read_text()
    server = socket.create_server(("127.0.0.1", 0))  # loopback stays allowed (Jupyter kernels use it)
    socket.create_connection(server.getsockname(), timeout=1).close()
    server.close()


def test_the_guard_is_in_every_child_process(tmp_path):
    log = tmp_path / "attempts.log"
    code = "import socket; socket.getaddrinfo('huggingface.co', 443)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                            env={**os.environ, "COURSE_NETWORK_LOG": str(log)})
    assert result.returncode != 0 and "NetworkBlocked" in result.stderr
    assert "huggingface.co" in log.read_text()


def test_an_unreachable_hub_switches_the_process_offline(monkeypatch):
    import huggingface_hub.constants

    monkeypatch.setattr(env, "hub_reachable", lambda: False)
    monkeypatch.setattr(env, "hub_offline_forced", lambda: False)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", False)
    monkeypatch.delenv(config.HUB_ENV, raising=False)
    for name in env.OFFLINE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    profile, why, state, _ = hub.decide(["01"], "tiny")
    assert state == "offline" and "the Hub did not answer, so offline mode is on" in why
    assert huggingface_hub.constants.HF_HUB_OFFLINE and os.environ["HF_HUB_OFFLINE"] == "1"


def never_probe():
    raise AssertionError("the Hub was probed although the run had decided")


@pytest.mark.parametrize("state", ["online", "offline"])
def test_a_decided_hub_state_is_taken_as_given_without_a_probe(monkeypatch, state):
    """A kernel of `python -m helpers run` gets COURSE_HUB and does not probe the Hub again."""
    monkeypatch.setattr(env, "hub_reachable", never_probe)
    monkeypatch.setenv(config.HUB_ENV, state)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # COURSE_HUB comes first
    assert hub.hub_state() == (state, f"{config.HUB_ENV}={state}")


def test_a_wrong_hub_state_names_the_two_values(monkeypatch):
    monkeypatch.setenv(config.HUB_ENV, "maybe")
    with pytest.raises(CourseError, match="'online', 'offline'"):
        hub.hub_state()


def test_the_runner_decides_once_and_passes_the_decision_to_every_kernel(monkeypatch, tmp_path):
    from helpers.tools import runner

    probes = []
    monkeypatch.delenv(config.HUB_ENV, raising=False)
    monkeypatch.setattr(env, "hub_offline_forced", lambda: False)
    monkeypatch.setattr(env, "hub_reachable", lambda: probes.append(1) or False)
    monkeypatch.setattr(env, "go_offline", lambda: None)
    kernels = []
    monkeypatch.setattr(runner, "execute", lambda path, out, kernel_env: kernels.append(kernel_env) or
                        {"path": path, "status": "passed", "seconds": 1.0, "error": "", "peak_gb": 0.1, "cells": []})
    notebooks = [ROOT / "notebooks" / config.LESSONS[lesson]["notebook"] for lesson in ("00", "03")]
    assert runner.run_notebooks(notebooks, "tiny", build_dir=tmp_path) == 0
    assert len(probes) == 1 and len(kernels) == 2
    for kernel in kernels:
        assert kernel[config.HUB_ENV] == "offline"
        assert all(kernel[name] == "1" for name in env.OFFLINE_VARIABLES)


@pytest.fixture
def run(tiny_fixtures):
    return session.setup("00", profile="tiny", quiet=True)


def test_a_folder_that_cannot_be_written_is_not_called_offline(run):
    """A read-only cache (an HF_HOME handed out at a workshop) is named, not mistaken for a missing network."""
    with pytest.raises(CourseError) as error:
        run.load_dataset("reviews", cache_dir="/sys/hf-datasets")  # writing under /sys is refused, even to root
    message = str(error.value)
    assert "/sys/hf-datasets" in message and "COURSE_CACHE" in message and "Hub" not in message


def test_a_read_only_tiny_cache_still_serves_its_data(run, monkeypatch):
    """A tiny cache handed out read-only: datasets prepares its copy in a temporary folder instead."""
    from helpers import cache

    monkeypatch.setattr(cache, "_preferred_datasets_cache", lambda: Path("/sys/llm-course-tiny-datasets"))
    reviews = run.load_dataset("reviews")
    assert len(reviews["train"]) > 0
    assert not str(cache.tiny_datasets_cache()).startswith("/sys")


def test_a_read_only_hf_home_is_copied_not_replaced(run, monkeypatch):
    """An HF_HOME that cannot be written may hold a prefetched cache: the fix copies it, never starts an empty one."""
    message = str(cache_error_for("HF_HOME"))
    assert "cp -r" in message and "leave" in message


def cache_error_for(variable):
    from helpers import cache

    return cache.writable_folder_error(Path("/readonly/hf"), variable, 100, PermissionError(13, "Permission denied"))


def test_quick_names_hf_home_for_a_cache_it_cannot_write(run, monkeypatch):
    import datasets

    def refused(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(datasets, "load_dataset", refused)
    quick = session.Run("00", "quick", "test", "cpu", profiles.lesson_settings("00", "quick"))
    with pytest.raises(CourseError, match="HF_HOME"):
        quick.load_dataset("reviews")


@pytest.mark.parametrize("failure, expected", [
    (ConnectionError("Couldn't reach the Hub"), "cannot be reached"),
    (OSError(errno.ENOSPC, "No space left on device"), "is full"),
    (PermissionError(errno.EACCES, "Permission denied"), "cannot write"),
])
def test_only_connection_errors_become_the_offline_message(run, monkeypatch, failure, expected):
    import datasets

    def fail(*args, **kwargs):
        raise failure

    monkeypatch.setattr(datasets, "load_dataset", fail)
    with pytest.raises(CourseError, match=expected):
        run.load_dataset("reviews")


def test_other_errors_stay_what_they_are(run, monkeypatch):
    import datasets

    def fail(*args, **kwargs):
        raise FileNotFoundError(errno.ENOENT, "No such file", "data/train.parquet")

    monkeypatch.setattr(datasets, "load_dataset", fail)
    with pytest.raises(FileNotFoundError):
        run.load_dataset("reviews")
