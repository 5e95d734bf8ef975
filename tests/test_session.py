"""The setup call and the profiles table: profile choice, the run and its table, one summary record per lesson,
smoke-run caps."""

import re
import sys

import pytest
import torch

from helpers import config, hub, profiles, session
from helpers.errors import CourseError


def test_explicit_profile_wins_and_unknown_is_rejected(monkeypatch):
    monkeypatch.setenv("COURSE_PROFILE", "tiny")
    assert hub.choose_profile(["01"], None, "offline")[0] == "tiny"
    assert hub.choose_profile(["01"], "tiny", "offline")[1].startswith("chosen by you")
    monkeypatch.setenv("COURSE_PROFILE", "medium")
    with pytest.raises(CourseError) as error:
        hub.choose_profile(["01"], None, "offline")
    assert "'full', 'quick', 'tiny'" in str(error.value)


def test_the_runner_s_reason_for_the_profile_reaches_the_kernel_s_run_table(monkeypatch, tiny_fixtures):
    from helpers.tools import runner

    monkeypatch.delenv("COURSE_PROFILE_REASON", raising=False)
    profile, _, state, profile_why = hub.decide(["01"], "tiny")
    kernel = runner.kernel_environment(profile, state, why=profile_why)
    assert kernel["COURSE_PROFILE_REASON"] == "chosen by you (by python -m helpers run)"
    for name in ("COURSE_PROFILE", "COURSE_PROFILE_REASON"):
        monkeypatch.setenv(name, kernel[name])
    assert hub.choose_profile(["01"], None, "offline") == ("tiny", "chosen by you (by python -m helpers run)")
    monkeypatch.delenv("COURSE_PROFILE_REASON")
    assert hub.choose_profile(["01"], None, "offline")[1] == "set by COURSE_PROFILE"


def test_the_cache_note_is_said_once_when_a_runner_hands_it_on(monkeypatch):
    """quick offline: the runner's reason already says 'using the local cache'; its kernels do not say it twice."""
    monkeypatch.setattr(hub, "missing_from_cache", lambda lessons, profile: [])
    monkeypatch.setenv("COURSE_PROFILE", "quick")
    monkeypatch.setenv("COURSE_PROFILE_REASON", "chosen by you; using the local cache (by python -m helpers run)")
    assert hub.choose_profile(["06"], None, "offline")[1].count("using the local cache") == 1
    monkeypatch.delenv("COURSE_PROFILE_REASON")
    assert hub.choose_profile(["06"], None, "offline")[1] == "set by COURSE_PROFILE; using the local cache"


def test_offline_error_names_both_ways_out():
    message = str(hub.offline_error("quick", ["bert-base-uncased"]))
    assert "python -m helpers prefetch --profile quick" in message and "COURSE_PROFILE=tiny" in message
    assert "troubleshooting" in message


def test_setup_twice_gives_the_same_run(tiny_fixtures, capsys):
    first = session.setup("04", profile="tiny")
    second = session.setup("04", profile="tiny")
    printed = capsys.readouterr().out
    assert first == second
    assert "TINY PROFILE" in printed and "versions" in printed and "time" in printed
    assert first.settings == profiles.lesson_settings("04", "tiny")
    assert first.model_id("encoder").endswith("distilbert")
    assert first.dtype("encoder") == torch.float32


def test_setup_seeds_python_numpy_and_torch(tiny_fixtures):
    import random

    import numpy as np

    draws = []
    for _ in range(2):
        session.setup("04", profile="tiny", seed=7, quiet=True)
        draws.append((random.random(), float(np.random.rand()), torch.rand(3).tolist()))
    assert draws[0] == draws[1]


def test_run_rejects_an_unknown_role(tiny_fixtures):
    run = session.setup("02", profile="tiny", quiet=True)
    with pytest.raises(CourseError) as error:
        run.model_id("encoder")
    assert "'seq2seq'" in str(error.value)


def test_a_lesson_can_fix_its_dtype(tiny_fixtures):
    """Lesson 03 keeps GPT-2 in float32 in every profile; the run table must say so."""
    run = session.setup("03", profile="tiny", quiet=True)
    assert run.dtype("lm") == torch.float32
    assert all(profiles.lesson_settings("03", p)["dtype"] == "float32" for p in ("full", "quick", "tiny"))


def test_lesson_lookup_accepts_numbers_and_rejects_unknown():
    assert profiles.check_lesson(4) == "04"
    with pytest.raises(CourseError) as error:
        profiles.check_lesson("09")
    assert "'00'" in str(error.value) and "'05'" in str(error.value)


@pytest.mark.parametrize("lookup", [lambda: profiles.lesson_settings("01", "huge"),
                                    lambda: profiles.model_id("llama", "quick"),
                                    lambda: profiles.dataset_id("squad", "tiny")])
def test_unknown_names_list_the_valid_ones(lookup):
    with pytest.raises(CourseError) as error:
        lookup()
    assert "use one of" in str(error.value)


def test_model_ids_per_profile(tiny_fixtures):
    assert profiles.model_id("flan-t5", "full") == "google/flan-t5-base"
    tiny_path = profiles.model_id("flan-t5", "tiny")
    assert tiny_path.startswith(str(tiny_fixtures)) and tiny_path.endswith("flan-t5")
    assert profiles.dataset_id("imdb", "quick") == "stanfordnlp/imdb"


def test_one_summary_record_feeds_every_table(tiny_fixtures):
    from helpers.tools import authoring

    summary = profiles.lesson_summary("05", "quick")
    assert summary["models"] == ["google/flan-t5-small"] and summary["datasets"] == ["knkarthick/dialogsum"]
    assert summary["time"] in authoring.time_table_markdown("05")
    assert summary["time"] in authoring.course_map_markdown()
    assert profiles.lesson_summary("05", "tiny")["models"] == ["tiny flan-t5"]
    table = profiles.profiles_table()
    assert table.loc["05 Dialogue summarization with LoRA", ("time", "quick")] == summary["time"]


@pytest.mark.parametrize("capability, role, expected", [
    ((7, 5), "encoder", {"fp16": True}), ((7, 5), "seq2seq", {}), ((8, 9), "encoder", {"bf16": True}),
    ((8, 0), "seq2seq", {"bf16": True}), (None, "encoder", {})])
def test_trainer_precision_flags_per_device(monkeypatch, capability, role, expected):
    """A T4 (7.5) gets fp16 for encoders and fp32 for T5; an L4 or A100 (8.x) bf16; a CPU nothing."""
    from helpers import env

    monkeypatch.setattr(env, "cuda_capability", lambda: capability)
    monkeypatch.setattr(env, "apple_gpu_available", lambda: False)
    settings = {"models": {"encoder": "distilbert", "seq2seq": "flan-t5"}, "datasets": {}}
    run = session.Run("00", "full", "test", "cuda" if capability else "cpu", settings)
    assert run.precision_args(role) == expected


@pytest.mark.parametrize("precision, mixed", [("bf16", "bf16"), ("fp16", "fp16"), ("fp32", "no")])
def test_the_precision_override_reaches_the_trainer_and_the_models(monkeypatch, tiny_fixtures, tmp_path, precision,
                                                                    mixed):
    """COURSE_PRECISION on a CPU: the models load in the policy's dtype, the Trainer gets the policy's flags and
    stays on the CPU, and under bf16 accelerate wraps the forward pass in autocast, as on a GPU."""
    from transformers import AutoModelForCausalLM, AutoModelForSequenceClassification, Trainer, TrainingArguments

    from helpers import cache, env

    monkeypatch.setenv("COURSE_PRECISION", precision)
    monkeypatch.setattr(env, "apple_gpu_available", lambda: False)
    settings = {"models": {"encoder": "distilbert", "lm": "gpt2", "seq2seq": "flan-t5"}, "datasets": {}}
    run = session.Run("00", "tiny", "test", "cpu", settings)
    lm = AutoModelForCausalLM.from_pretrained(str(cache.model_path("gpt2")), dtype=run.dtype("lm"))
    assert lm.dtype == {"bf16": torch.bfloat16, "fp16": torch.float16, "fp32": torch.float32}[precision]
    assert run.dtype("seq2seq") == (torch.bfloat16 if precision == "bf16" else torch.float32)
    args = TrainingArguments(output_dir=str(tmp_path), report_to="none", **run.precision_args("encoder"))
    assert (args.bf16, args.fp16, args.device.type) == (precision == "bf16", precision == "fp16", "cpu")
    model = AutoModelForSequenceClassification.from_pretrained(str(cache.model_path("distilbert")), num_labels=2)
    trainer = Trainer(model=model, args=args)
    assert trainer.accelerator.mixed_precision == mixed
    prepared = trainer.accelerator.prepare(model)
    batch = {"input_ids": torch.tensor([[5, 6, 7, 8]]), "attention_mask": torch.ones(1, 4, dtype=torch.long)}
    inside = []
    prepared.classifier.register_forward_hook(lambda module, args, output: inside.append(output.dtype))
    with torch.no_grad():
        logits = prepared(**batch).logits
    # accelerate autocasts a CPU in bf16 only: fp16 there computes in fp32 (what a T4's fp16 does is not seen here);
    # the wrapper hands the outputs back in fp32
    assert inside == [torch.bfloat16 if precision == "bf16" else torch.float32] and logits.dtype == torch.float32
    assert ("_original_forward" in prepared.__dict__) == (precision == "bf16")


def test_a_mac_computes_and_trains_on_the_cpu(monkeypatch):
    """An Apple GPU is left unused: the device is the CPU, and the Trainer is told so (it would pick MPS itself)."""
    import torch
    from transformers import TrainingArguments

    from helpers import env

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(env, "apple_gpu_available", lambda: True)
    assert env.pick_device() == "cpu"
    settings = {"models": {"encoder": "distilbert"}, "datasets": {}}
    flags = session.Run("00", "quick", "test", env.pick_device(), settings).precision_args("encoder")
    assert flags == {"use_cpu": True}
    assert TrainingArguments(output_dir="unused", report_to="none", **flags).device.type == "cpu"
    row = dict((check, finding) for check, finding, _ in env.environment_report())["GPU"]
    assert "Apple GPU" in row and "CPU" in row


def test_smoke_caps_touch_row_counts_and_steps_only():
    settings = {"train_size": 2000, "eval_size": 200, "batch_size": 8, "generation_batch_size": 32,
                "max_length": 512, "max_steps": -1}
    capped = profiles.capped(settings, max_rows=16, max_steps=2)
    assert capped == {**settings, "train_size": 16, "eval_size": 16, "max_steps": 2}
    assert profiles.capped(settings) == settings
    steps = profiles.capped({"train_steps": 250, "mlm_steps": 200, "max_steps": -1, "epochs": 2}, max_steps=2)
    assert steps == {"train_steps": 2, "mlm_steps": 2, "max_steps": 2, "epochs": 2}


def test_every_row_or_step_setting_of_the_table_is_capped():
    """A new setting that counts rows or steps must be named in ROW_SETTINGS or STEP_SETTINGS, or smoke runs of
    `full` silently run it at full size (lesson 01's 200 MLM steps once took 24 minutes that way)."""
    counted = re.compile(r"(_size|_steps|_sample)$")
    batch_sizes = {"batch_size", "mlm_batch_size", "generation_batch_size"}
    keys = {key for lesson in config.PROFILES.values() for settings in lesson.values() for key in settings}
    known = {*batch_sizes, *profiles.ROW_SETTINGS, *profiles.STEP_SETTINGS, *profiles.UNCAPPED_ROW_SETTINGS}
    uncapped = {key for key in keys if counted.search(key)} - known
    assert not uncapped, f"settings that count rows or steps but are not capped: {sorted(uncapped)}"


def test_stand_in_weights_are_refused_in_tiny(monkeypatch, tiny_fixtures):
    monkeypatch.setenv("COURSE_STAND_IN_WEIGHTS", "1")
    with pytest.raises(CourseError, match="Stand-in weights"):
        session.setup("01", profile="tiny", quiet=True)


def test_a_notebook_written_for_another_version_says_so(tiny_fixtures, capsys):
    session.setup("01", profile="tiny", course_version="0.0.1")
    assert "written for version 0.0.1" in capsys.readouterr().out
    session.setup("01", profile="tiny", course_version=config.COURSE_VERSION)
    assert "written for version" not in capsys.readouterr().out


def test_workdir_is_fresh_and_under_the_output_folder(monkeypatch, tmp_path, tiny_fixtures):
    monkeypatch.setenv("COURSE_OUTPUT_DIR", str(tmp_path))
    run = session.setup("04", profile="tiny", quiet=True)
    folder = run.fresh_workdir()
    (folder / "checkpoint").mkdir()
    assert folder == tmp_path / "lesson04" and run.fresh_workdir() == folder and not (folder / "checkpoint").exists()


def test_setup_asks_for_a_restart_when_an_install_changed_a_loaded_library(monkeypatch):
    import types

    old = types.ModuleType("datasets")
    old.__version__ = "0.0.1"  # what the session loaded before an install replaced it
    monkeypatch.setitem(sys.modules, "datasets", old)
    with pytest.raises(CourseError, match="Restart session") as error:
        session.setup("00", profile="tiny", quiet=True)
    assert "datasets 0.0.1" in str(error.value)


def test_lesson_07_without_its_optional_part_says_how_to_install_it(monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "trl" else real(name, *a))
    with pytest.raises(CourseError, match=r'pip install -e "\.\[align\]"'):
        session.setup("07", profile="tiny", quiet=True)


@pytest.mark.parametrize("native, key, printed", [(True, "sft", "about 3 min"), (False, "sft", "about 5 min"),
                                                  (False, "evaluate", "about 2 min")])
def test_quick_prints_training_times_scaled_on_a_cpu_without_native_bf16(monkeypatch, capsys, native, key, printed):
    """quick's times come from a CPU that trains under bf16 autocast; one without native bf16 trains in fp32, and its
    printed training times grow by config.FP32_TRAINING_SLOWDOWN (generation does not change)."""
    from helpers import config, env, profiles

    monkeypatch.setattr(env, "cpu_computes_bf16", lambda: native)
    settings = {**profiles.lesson_settings("06", "quick"), "seconds": {"sft": 185, "evaluate": 112}}
    session.Run("06", "quick", "test", "cpu", settings).estimate(key)
    out = capsys.readouterr().out
    assert printed in out and ("fp32" in out) == (not native and key in config.TRAINING_STEPS)
