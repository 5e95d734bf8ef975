"""The training scripts under `accelerate launch`: two CPU processes train one model on disjoint shards of each
global batch, in the tiny profile, offline, and take the optimizer steps one process with that batch would take."""

import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from helpers.launch import steps_per_epoch

ROOT = Path(__file__).resolve().parent.parent
PER_DEVICE = 8


def launch(script, output, *arguments, processes=2):
    command = [sys.executable, "-m", "accelerate.commands.launch", "--num_processes", str(processes), "--cpu",
               "--num_machines", "1", "--mixed_precision", "no", "--dynamo_backend", "no",
               str(ROOT / "scripts" / script), "--profile", "tiny", "--output_dir", str(output),
               "--per_device_batch_size", str(PER_DEVICE), *arguments]
    started = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300,
                            env={**os.environ, "OMP_NUM_THREADS": "1"})
    return result, time.perf_counter() - started


@pytest.fixture(scope="module")
def classifier_run(tmp_path_factory, tiny_fixtures):
    output = tmp_path_factory.mktemp("classifier")
    # a third of the lesson's training (208 reviews: 13 batches of 8 per process, 2 epochs), half its test set
    result, seconds = launch("train_classifier.py", output, "--method", "lora", "--train_size", "208", "--epochs", "2",
                             "--test_size", "100")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return output, json.loads((output / "metrics.json").read_text()), seconds


def test_two_processes_train_one_model_on_disjoint_shards(classifier_run):
    _, metrics, _ = classifier_run
    batches, sharding = metrics["batches"], metrics["sharding"]
    assert batches["processes"] == 2 and batches["global batch"] == 2 * PER_DEVICE
    assert sharding["disjoint within every step"] and sharding["every epoch covers every row"]
    assert sharding["epochs checked"] == metrics["settings"]["epochs"]
    rows = metrics["settings"]["train_size"]
    assert sharding["rows read per process in the first epoch"] == [rows // 2, rows // 2]


def test_the_steps_are_those_of_one_process_with_the_global_batch(classifier_run):
    _, metrics, _ = classifier_run
    settings, batches = metrics["settings"], metrics["batches"]
    one_process = steps_per_epoch(settings["train_size"], PER_DEVICE, processes=2) * settings["epochs"]
    assert batches["optimizer steps"] == batches["steps of one process with the global batch"] == one_process


def test_the_trained_model_beats_the_untrained_head_it_started_from(classifier_run):
    _, metrics, _ = classifier_run
    assert metrics["trained (test)"]["accuracy"] > metrics["untrained head (test)"]["accuracy"] + 0.1, metrics


def test_the_adapter_reloads_on_the_base_model(classifier_run):
    import torch
    from peft import PeftModel
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from helpers import cache

    output, metrics, _ = classifier_run
    base = AutoModelForSequenceClassification.from_pretrained(cache.model_path("distilbert"), num_labels=2)
    model = PeftModel.from_pretrained(base, output / "adapter").eval()
    tokenizer = AutoTokenizer.from_pretrained(output / "adapter")
    with torch.no_grad():
        logits = model(**tokenizer(["A wonderful, moving film.", "Dull and awful."], return_tensors="pt",
                                   padding=True)).logits
    assert logits.shape == (2, 2) and torch.isfinite(logits).all()


@pytest.mark.parametrize("command, expected", [
    (["accelerate", "launch", "--num_processes", "2", "--cpu", "x.py"], 2),
    (["python", "-m", "accelerate.commands.launch", "--num_processes=3", "x.py"], 3),
    (["accelerate", "launch", "--cpu", "x.py"], None)])
def test_the_requested_process_count_is_read_from_the_launch_command(command, expected):
    from helpers.launch import _requested_processes

    assert _requested_processes(command) == expected


def test_several_processes_shuffle_in_step_and_one_keeps_length_groups():
    from helpers.launch import sampling_for

    settings = {"train_sampling_strategy": "group_by_length", "max_steps": 3}
    assert sampling_for(settings, 1) == settings
    assert sampling_for(settings, 2) == {"train_sampling_strategy": "random", "max_steps": 3}


def test_the_summarizer_script_is_wired_to_the_lesson_s_recipe(tmp_path, tiny_fixtures, monkeypatch):
    """Lesson 05's script, in this process (one process; the launcher's part is the classifier's run above), for two
    steps: it trains the adapter the profiles table describes, for the steps asked, scores both models on the test
    dialogues asked for and saves the adapter. Whether that recipe beats zero-shot is lesson 05's own check."""
    from helpers.profiles import lesson_settings

    run_script(monkeypatch, "train_summarizer", "--profile", "tiny", "--method", "lora", "--output_dir", str(tmp_path),
               "--eval_size", "4", "--max_steps", "2")
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert metrics["batches"]["optimizer steps"] == 2 and metrics["test dialogues"] == 4
    assert {"rouge1", "rouge2", "rougeL"} <= set(metrics["trained (test)"]) & set(metrics["zero-shot (test)"])
    adapter = json.loads((tmp_path / "adapter" / "adapter_config.json").read_text())
    settings = lesson_settings("05", "tiny")
    assert sorted(adapter["target_modules"]) == sorted(settings["lora_targets"])
    assert (adapter["r"], adapter["lora_alpha"]) == (settings["lora_r"], settings["lora_alpha"])
    assert (tmp_path / "adapter" / "adapter_model.safetensors").exists()


def load_script(name):
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_script(monkeypatch, name, *arguments):
    """A script's main() in this process, as `python scripts/<name>.py arguments` would run it (saves the 4-5 s a
    new Python process spends importing torch and transformers)."""
    monkeypatch.setattr(sys, "argv", [str(ROOT / "scripts" / f"{name}.py"), *arguments])
    load_script(name).main()


@pytest.mark.align
def test_the_preference_script_trains_the_adapter_and_the_held_out_loss_falls(tmp_path, tiny_fixtures, monkeypatch):
    """Lesson 07's script, in this process, 10 steps: the data-parallel mechanics are the classifier's above (the same
    Trainer and launcher); a second run on two processes would add about 30 s to every `make test` for nothing new."""
    run_script(monkeypatch, "train_preferences", "--profile", "tiny", "--output_dir", str(tmp_path), "--max_steps", "10")
    found = json.loads((tmp_path / "metrics.json").read_text())
    assert found["before (held-out)"]["eval_loss"] == pytest.approx(math.log(2), abs=1e-5)
    assert found["after (held-out)"]["eval_loss"] < found["before (held-out)"]["eval_loss"]
    assert found["batches"]["optimizer steps"] == 10 and found["sharding"]["disjoint within every step"]
    assert (tmp_path / "adapter" / "adapter_model.safetensors").exists()


@pytest.mark.align
def test_the_grpo_script_trains_and_measures_every_reward(tmp_path, tiny_fixtures, monkeypatch):
    """Lesson 08's script, in this process, 6 steps of 2 prompts x 4 completions, held-out rewards sampled before and
    after. Whether they rise after 6 steps of a tiny model is chance, so only that they were measured is asserted."""
    run_script(monkeypatch, "train_grpo", "--profile", "tiny", "--output_dir", str(tmp_path), "--max_steps", "6")
    found = json.loads((tmp_path / "metrics.json").read_text())
    names = ["no_unsupported_detail", "right_speakers", "stops", "length_in_range"]
    assert found["rewards"] == names
    for when in ("held-out rewards before", "held-out rewards after"):
        assert set(found[when]) == {*names, "total"} and all(0 <= found[when][n] <= 1 for n in names)
        assert found[when]["total"] == pytest.approx(sum(found[when][n] for n in names), abs=1e-4)
    assert found["batches"]["optimizer steps"] == 6 and found["batches"]["global batch"] == 8
    assert (tmp_path / "adapter" / "adapter_model.safetensors").exists()


def test_a_smoke_runs_step_cap_reaches_the_classifier_script(monkeypatch, tiny_fixtures):
    """COURSE_MAX_STEPS caps lesson 04's max_steps; the script keeps the cap unless --max_steps says otherwise."""
    import helpers

    script = load_script("train_classifier")
    monkeypatch.setenv("COURSE_MAX_STEPS", "2")
    run = helpers.setup("04", profile="tiny", quiet=True)
    assert script.settings_for(script.Arguments(), run)["max_steps"] == 2
    assert script.settings_for(script.Arguments(max_steps=5), run)["max_steps"] == 5


def test_a_script_refuses_an_unknown_profile_by_name(monkeypatch, capsys):
    with pytest.raises(SystemExit) as exit_code:
        run_script(monkeypatch, "train_summarizer", "--profile", "medium")
    assert exit_code.value.code == 2  # argparse's refusal, before any work
    assert "invalid choice: 'medium'" in capsys.readouterr().err


@pytest.mark.parametrize("name", ["train_classifier", "train_summarizer", "train_preferences", "train_grpo"])
def test_every_script_checks_its_choices_in_the_argument_parser(name):
    """argparse refuses a wrong --profile or --method before any work, as the run above shows for one script."""
    import dataclasses

    from helpers.config import PROFILE_NAMES

    fields = {f.name: f for f in dataclasses.fields(load_script(name).Arguments)}
    assert tuple(fields["profile"].metadata["choices"]) == PROFILE_NAMES
    if "method" in fields:
        assert fields["method"].metadata["choices"] == ["lora", "full"]
