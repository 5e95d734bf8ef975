"""Device and dtype policy, seeding, the Hub probe and offline mode, versions, flags."""

import http.server
import os
import socket
import threading
import time

import pytest
import torch

from helpers import env, precision
from helpers.env import cpu_computes_bf16 as read_cpu_bf16  # taken before tests/conftest.py stands in for it
from helpers.errors import InputError


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
    assert precision.pick_dtype("cuda", family) == expected


def test_cpu_computes_in_fp32_and_trainer_flags_follow_the_dtype():
    assert precision.pick_dtype("cpu", "t5") == torch.float32
    assert precision.precision_args(torch.float32, "cuda") == {}
    assert precision.precision_args(torch.bfloat16, "cuda") == {"bf16": True}
    assert precision.precision_args(torch.float16, "cuda") == {"fp16": True}


@pytest.mark.parametrize("policy, family, expected", [
    ("bf16", "t5", torch.bfloat16), ("bf16", "decoder", torch.bfloat16), ("fp16", "encoder", torch.float16),
    ("fp16", "decoder", torch.float16), ("fp16", "t5", torch.float32), ("fp32", "encoder", torch.float32)])
def test_the_precision_override_follows_a_gpus_policy_on_any_device(monkeypatch, policy, family, expected):
    """COURSE_PRECISION=fp16 is a T4 (T5 stays fp32: it overflows in fp16), bf16 an A100/L4, on a CPU too."""
    monkeypatch.setenv("COURSE_PRECISION", policy)
    assert precision.pick_dtype("cpu", family) == expected
    assert precision.precision_policy("cpu") == (policy, "set by COURSE_PRECISION")


def test_the_override_wins_over_a_gpu(monkeypatch):
    monkeypatch.setattr(env, "cuda_capability", lambda: (9, 0))
    monkeypatch.setenv("COURSE_PRECISION", "fp16")
    assert precision.pick_dtype("cuda", "encoder") == torch.float16
    monkeypatch.setenv("COURSE_PRECISION", " BF16 ")
    assert precision.pick_dtype("cuda", "t5") == torch.bfloat16


@pytest.mark.parametrize("native, profile, override, policy, training_dtype", [
    (True, "quick", None, "bf16", torch.bfloat16), (True, "full", None, "bf16", torch.bfloat16),
    (True, "tiny", None, "fp32", torch.float32), (False, "quick", None, "fp32", torch.float32),
    (True, "quick", "fp32", "fp32", torch.float32), (False, "quick", "bf16", "bf16", torch.bfloat16)])
def test_a_cpu_with_native_bf16_trains_under_autocast(monkeypatch, native, profile, override, policy,
                                                       training_dtype):
    """Native bf16 (AVX512-BF16, AMX) -> quick and full train under bf16 autocast; tiny and other CPUs stay fp32;
    COURSE_PRECISION wins either way. Models loaded for inference stay fp32 under the CPU's own policy."""
    monkeypatch.setattr(env, "cpu_computes_bf16", lambda: native)
    if override:
        monkeypatch.setenv("COURSE_PRECISION", override)
    assert precision.precision_policy("cpu", profile)[0] == policy
    assert precision.pick_dtype("cpu", "decoder", profile, training=True) == training_dtype
    loaded = precision.pick_dtype("cpu", "decoder", profile)
    assert loaded == (training_dtype if override else torch.float32)


def test_native_bf16_is_read_from_the_cpu_and_only_on_x86(monkeypatch):
    import platform

    monkeypatch.setattr(torch.cpu, "_is_avx512_bf16_supported", lambda: True, raising=False)
    monkeypatch.setattr(torch.cpu, "_is_amx_tile_supported", lambda: False, raising=False)
    monkeypatch.setattr(platform, "machine", lambda: "x86_64")
    assert read_cpu_bf16() is True
    monkeypatch.setattr(torch.cpu, "_is_avx512_bf16_supported", lambda: False, raising=False)
    assert read_cpu_bf16() is False
    monkeypatch.setattr(torch.cpu, "_is_amx_tile_supported", lambda: True, raising=False)
    assert read_cpu_bf16() is True
    monkeypatch.setattr(platform, "machine", lambda: "arm64")
    assert read_cpu_bf16() is False


def test_mixed_precision_on_a_cpu_keeps_the_trainer_on_it():
    """The Trainer refuses bf16 on a CPU unless told use_cpu=True ("Your setup doesn't support bf16/gpu")."""
    assert precision.precision_args(torch.bfloat16, "cpu") == {"bf16": True, "use_cpu": True}
    assert precision.precision_args(torch.float16, "cpu") == {"fp16": True, "use_cpu": True}
    assert precision.precision_args(torch.float32, "cpu") == {}


@pytest.mark.parametrize("call, named", [
    (lambda: precision.pick_dtype("cuda", "T5"), "'t5'"),
    (lambda: precision.pick_dtype("cuda", "seq2seq"), "'encoder'"),
    (lambda: precision.precision_args("bf16", "cuda"), "torch.bfloat16"),
    (lambda: precision.precision_args(None, "cpu"), "run.dtype")])
def test_the_policy_refuses_what_it_does_not_know(monkeypatch, call, named):
    """A role name or a misspelt family would get fp16 on a T4, where T5 overflows; a string dtype would give no
    flags (fp32) without a word: both are errors that name the valid choices."""
    monkeypatch.setattr(env, "cuda_capability", lambda: (7, 5))
    with pytest.raises(InputError) as error:
        call()
    assert named in str(error.value)


def test_an_unknown_precision_names_the_choices(monkeypatch):
    monkeypatch.setenv("COURSE_PRECISION", "fp8")
    with pytest.raises(InputError) as error:
        precision.pick_dtype("cpu", "t5")
    assert "'fp32', 'fp16', 'bf16'" in str(error.value) and "runs-on-the-cpu-fails-on-the-gpu" in str(error.value)


def test_versions_report_the_installed_libraries():
    import platform

    import transformers

    found = env.versions()
    assert found["python"] == platform.python_version()
    # a local build tag ("+cpu", "+cu124") is in torch's __version__, and in its package metadata only on some wheels
    assert found["torch"].split("+")[0] == torch.__version__.split("+")[0]
    assert found["transformers"] == transformers.__version__
    assert tuple(k for k in found if k != "python") == env.VERSION_PACKAGES


@pytest.mark.parametrize("value, expected", [("1", True), ("TRUE", True), (" yes ", True), ("on", True),
                                             ("0", False), ("", False), ("no", False), ("2", False)])
def test_env_flag_reads_yes_and_no(monkeypatch, value, expected):
    monkeypatch.setenv("SOME_COURSE_FLAG", value)
    assert env.env_flag("SOME_COURSE_FLAG") is expected


def test_go_offline_switches_the_imported_libraries_and_child_processes(monkeypatch):
    import datasets.config
    import huggingface_hub.constants

    for name in env.OFFLINE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(datasets.config, "HF_HUB_OFFLINE", False)
    env.go_offline()
    assert huggingface_hub.constants.HF_HUB_OFFLINE is True and huggingface_hub.constants.is_offline_mode()
    assert datasets.config.HF_HUB_OFFLINE is True
    assert all(os.environ[name] == "1" for name in env.OFFLINE_VARIABLES)


def test_the_libraries_own_deprecation_warnings_are_silenced_and_others_are_not():
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")
        env.quiet_known_warnings()
        warnings.warn("`gradient_checkpointing_enable` is deprecated and will be removed in v6. Use "
                      "`activation_checkpointing_enable` instead.", FutureWarning)  # from inside TRL
        warnings.warn("`is_gradient_checkpointing` is deprecated and will be removed in v6.", FutureWarning)
        warnings.warn("`torch_dtype` is deprecated! Use `dtype` instead!", FutureWarning)  # a learner's own call
    assert [str(w.message) for w in caught] == ["`torch_dtype` is deprecated! Use `dtype` instead!"]


@pytest.mark.parametrize("native, profile, autocast", [(True, "quick", True), (True, "tiny", False),
                                                       (False, "quick", False)])
def test_generation_follows_the_training_precision(monkeypatch, native, profile, autocast):
    """Lessons that compare trained and untrained models generate with all of them under the run's training
    precision: bf16 autocast where it trains in bf16, nothing otherwise."""
    monkeypatch.setattr(env, "cpu_computes_bf16", lambda: native)
    with precision.generation_autocast("cpu", profile):
        inside = torch.is_autocast_enabled("cpu")
        product = torch.ones(2, 2) @ torch.ones(2, 2)
    assert inside == autocast and product.dtype == (torch.bfloat16 if autocast else torch.float32)
