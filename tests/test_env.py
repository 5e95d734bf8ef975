"""Device/dtype policy, seeding, the Hub probe, profile choice and the setup call."""

import http.server
import socket
import threading
import time

import pytest
import torch

from helpers import course, env
from helpers.errors import CourseError


@pytest.fixture
def online(monkeypatch):
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)


def test_probe_is_instant_when_offline_is_forced(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    started = time.perf_counter()
    assert env.hub_reachable() is False
    assert time.perf_counter() - started < 0.1


def test_probe_says_no_when_nothing_listens(online, monkeypatch):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again when the block ends: connections are refused
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{port}")
    started = time.perf_counter()
    assert env.hub_reachable() is False
    assert time.perf_counter() - started <= env.HUB_PROBE_TIMEOUT_S + 0.5


def test_probe_gives_up_on_a_server_that_never_answers(online, monkeypatch):
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()  # accepts connections into the backlog but never replies
        monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{silent.getsockname()[1]}")
        started = time.perf_counter()
        assert env.hub_reachable(timeout=1.0) is False
        assert time.perf_counter() - started < 1.5


def test_probe_says_yes_when_a_server_answers(online, monkeypatch):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_HEAD(self):
            self.send_response(401)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.handle_request, daemon=True).start()
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{server.server_port}")
    try:
        assert env.hub_reachable() is True
    finally:
        server.server_close()


@pytest.mark.parametrize("capability, family, expected", [
    ((8, 0), "t5", torch.bfloat16), ((9, 0), "encoder", torch.bfloat16),
    ((7, 5), "encoder", torch.float16), ((7, 5), "decoder", torch.float16), ((7, 5), "t5", torch.float32),
])
def test_dtype_policy_on_gpus(monkeypatch, capability, family, expected):
    monkeypatch.setattr(env, "cuda_capability", lambda: capability)
    assert env.pick_dtype("cuda", family) == expected


def test_cpu_computes_in_fp32_and_trainer_flags_follow_the_dtype():
    assert env.pick_dtype("cpu", "t5") == torch.float32
    assert env.precision_args(torch.float32) == {}
    assert env.precision_args(torch.bfloat16) == {"bf16": True}
    assert env.precision_args(torch.float16) == {"fp16": True}


def test_seeding_repeats_random_numbers():
    env.seed_everything(7)
    first = torch.rand(3)
    env.seed_everything(7)
    assert torch.equal(first, torch.rand(3))


def test_versions_report_the_main_libraries():
    found = env.versions()
    assert {"python", "torch", "transformers", "datasets", "peft"} <= set(found)


def test_explicit_profile_wins_and_unknown_is_rejected(monkeypatch):
    monkeypatch.setenv("COURSE_PROFILE", "tiny")
    assert course.choose_profile(["01"])[0] == "tiny"
    assert course.choose_profile(["01"], "tiny")[1] == "chosen by you"
    monkeypatch.setenv("COURSE_PROFILE", "medium")
    with pytest.raises(CourseError) as error:
        course.choose_profile(["01"])
    assert "'full', 'quick', 'tiny'" in str(error.value)


def test_offline_error_names_both_ways_out():
    message = str(course.offline_error("quick", ["bert-base-uncased"]))
    assert "python -m helpers prefetch --profile quick" in message and "COURSE_PROFILE=tiny" in message
    assert "troubleshooting" in message


def test_setup_twice_gives_the_same_run(tiny_fixtures, capsys):
    first = course.setup("04", profile="tiny")
    second = course.setup("04", profile="tiny")
    printed = capsys.readouterr().out
    assert first == second
    assert "TINY PROFILE" in printed and "versions" in printed and "time" in printed
    assert first.settings == course.lesson_settings("04", "tiny")
    assert first.model_id("encoder").endswith("distilbert")
    assert first.dtype("encoder") == torch.float32


def test_run_rejects_an_unknown_role(tiny_fixtures):
    run = course.setup("02", profile="tiny", quiet=True)
    with pytest.raises(CourseError) as error:
        run.model_id("encoder")
    assert "'seq2seq'" in str(error.value)


def test_a_lesson_can_fix_its_dtype(tiny_fixtures):
    """Lesson 03 keeps GPT-2 in float32 in every profile; the run table must say so."""
    run = course.setup("03", profile="tiny", quiet=True)
    assert run.dtype("lm") == torch.float32
    assert all(course.lesson_settings("03", p)["dtype"] == "float32" for p in ("full", "quick", "tiny"))
