"""The tiny fixtures: the real datasets' shape, distinct train/test templates, determinism, loadable models."""

import ast
import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch
from datasets import load_dataset
from transformers import (AutoModelForCausalLM, AutoModelForMaskedLM, AutoModelForSeq2SeqLM,
                          AutoModelForSequenceClassification, AutoTokenizer)

from helpers import cache, session, tiny
from helpers.tiny import models, synthetic
from helpers.errors import CourseError

ROOT = Path(__file__).resolve().parent.parent
# What each TINY_VERSION was built from: a hash of the code (not the comments) of the modules of helpers/tiny
# that decide what is built. Changed their code? Bump TINY_VERSION in helpers/cache.py and add its hash here.
# 9: the code of 8 moved from helpers/tiny.py into helpers/fixtures; the same models and data byte for byte (their
# manifests compared), only the datasets' README names the new module. (Its hash was recomputed when the hash stopped
# depending on the Python version: the same code.)
# 10: helpers/fixtures renamed helpers/tiny (it is built for learners, not test fixtures); the datasets' README names
# the package again, nothing else changes.
BUILT_FROM = {"9": "fe9e903f50f660301ddf8bdff688ab7c065b9c61529351d7fb8524fa4c13f0d1",
              "10": "df74a10a114ba39a828c423645b6ce70f920a5fcff3b77075b16e77b77be4fa0"}


def test_reviews_have_imdb_splits_columns_and_balance(tiny_fixtures):
    reviews = load_dataset(str(cache.dataset_path("imdb")))
    assert set(reviews) == {"train", "test", "unsupervised"}
    assert reviews["train"].column_names == ["text", "label"]
    assert reviews["train"].features["label"].names == ["neg", "pos"]
    for split in ("train", "test"):
        labels = list(reviews[split]["label"])
        assert len(labels) == synthetic.REVIEW_SPLITS[split]
        assert labels.count(1) == labels.count(0)
    assert set(reviews["unsupervised"]["label"]) == {-1}


def test_dialogues_have_dialogsum_splits_and_columns(tiny_fixtures):
    dialogues = load_dataset(str(cache.dataset_path("dialogsum")))
    assert set(dialogues) == {"train", "validation", "test"}
    assert dialogues["train"].column_names == ["id", "dialogue", "summary", "topic"]
    row = dialogues["test"][0]
    assert row["dialogue"].startswith("#Person1#: ") and "\n#Person2#: " in row["dialogue"]
    assert "#Person1#" in row["summary"]
    assert len(set(dialogues["train"]["topic"])) == len(synthetic.TOPICS)


def test_data_is_deterministic_and_seed_dependent():
    assert synthetic.make_reviews(3) == synthetic.make_reviews(3)
    assert synthetic.make_dialogues(3) == synthetic.make_dialogues(3)
    assert synthetic.make_reviews(3) != synthetic.make_reviews(4)


def _template_prefix(template):
    return template.split("{")[0].strip()


def test_test_split_uses_templates_never_seen_in_training():
    reviews = synthetic.make_reviews(0)
    train_text, test_text = " ".join(reviews["train"]["text"]), " ".join(reviews["test"]["text"])
    for template in synthetic.OPINION_TEMPLATES["test"]:
        fixed = template.replace("{title}", "").split("{")[0].strip(" :")
        if len(fixed) > 8:
            assert fixed not in train_text, fixed
    for template in synthetic.OPINION_TEMPLATES["train"]:
        fixed = _template_prefix(template)
        if len(fixed) > 8:
            assert fixed not in test_text, fixed
    dialogues = synthetic.make_dialogues(0)
    train_turns = {line.split(": ", 1)[1] for d in dialogues["train"]["dialogue"] for line in d.splitlines()}
    test_turns = {line.split(": ", 1)[1] for d in dialogues["test"]["dialogue"] for line in d.splitlines()}
    small_talk = {t for pair in synthetic.SMALL_TALK for t in pair} | {"Thanks a lot.", "You're welcome."}
    assert not (train_turns & test_turns) - small_talk


def test_sentiment_is_learnable_from_words_not_templates():
    """A bag of sentiment words alone beats chance on the unseen-template test split."""
    reviews = synthetic.make_reviews(0)
    right = 0
    for text, label in zip(reviews["test"]["text"], reviews["test"]["label"]):
        words = text.lower().replace(".", " ").replace(",", " ").replace("!", " ").split()
        score = sum(w in synthetic.POSITIVE for w in words) - sum(w in synthetic.NEGATIVE for w in words)
        right += (score > 0) == (label == 1)
    assert right / len(reviews["test"]["text"]) > 0.75


@pytest.mark.parametrize("name, auto_class", [("bert", AutoModelForMaskedLM), ("distilbert", AutoModelForMaskedLM),
                                              ("gpt2", AutoModelForCausalLM), ("flan-t5", AutoModelForSeq2SeqLM)])
def test_models_load_through_auto_classes_and_run(tiny_fixtures, name, auto_class):
    path = cache.model_path(name)
    assert (path / "model.safetensors").is_file()
    tokenizer = AutoTokenizer.from_pretrained(path)
    model = auto_class.from_pretrained(path).eval()
    inputs = tokenizer(["I enjoy walking with my cute dog."], return_tensors="pt")
    with torch.no_grad():
        if model.config.is_encoder_decoder:
            out = model.generate(**inputs, max_new_tokens=5)
        else:
            out = model(**inputs).logits
    assert torch.isfinite(out.float()).all()


def test_real_tokenizer_classes(tiny_fixtures):
    expected = {"bert": "BertTokenizer", "distilbert": "DistilBertTokenizer", "gpt2": "GPT2Tokenizer",
                "flan-t5": "T5Tokenizer"}
    for name, cls in expected.items():
        tokenizer = AutoTokenizer.from_pretrained(cache.model_path(name))
        if name == "distilbert" and type(tokenizer).__name__ == "TokenizersBackend":
            # transformers 5.2 (the floor of requirements.txt) does not find DistilBertTokenizer by the name saved in
            # tokenizer_config.json and loads tokenizer.json with its generic class: the same tokens, as checked here
            from transformers import BertTokenizer

            text = "A Superb film, UNLIKE the book."
            assert tokenizer(text)["input_ids"] == BertTokenizer.from_pretrained(cache.model_path(name))(text)["input_ids"]
            continue
        assert type(tokenizer).__name__ == cls


def test_encoder_loads_as_a_classifier(tiny_fixtures):
    model = AutoModelForSequenceClassification.from_pretrained(cache.model_path("distilbert"), num_labels=2)
    tokenizer = AutoTokenizer.from_pretrained(cache.model_path("distilbert"))
    logits = model(**tokenizer(["a superb film"], return_tensors="pt")).logits
    assert logits.shape == (1, 2)


def test_pretraining_taught_the_tiny_models_something(tiny_fixtures):
    """The tiny FLAN-T5 answers a summary instruction with a summary-like sentence."""
    tokenizer = AutoTokenizer.from_pretrained(cache.model_path("flan-t5"))
    model = AutoModelForSeq2SeqLM.from_pretrained(cache.model_path("flan-t5")).eval()
    dialogue = synthetic.make_dialogues(0)["test"]["dialogue"][0]
    prompt = models.T5_INSTRUCTIONS[0].format(dialogue=dialogue)
    summary = tokenizer.decode(model.generate(**tokenizer(prompt, return_tensors="pt"), max_new_tokens=20)[0],
                               skip_special_tokens=True)
    assert "#Person1#" in summary


def test_build_is_deterministic(tmp_path):
    """Same version key, same bytes: two small builds in fresh folders are identical."""
    first = tiny.build(verbose=False, folder=tmp_path / "a", steps_scale=0.02)
    second = tiny.build(verbose=False, folder=tmp_path / "b", steps_scale=0.02)
    files = [cache.read_manifest(f)["files"] for f in (first, second)]
    assert files[0] == files[1]
    assert any(name.endswith("model.safetensors") for name in files[0])


def test_cache_location_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.delenv("COURSE_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache.tiny_dir() == tmp_path / "llm-course" / f"tiny-v{cache.TINY_VERSION}"
    monkeypatch.setenv("COURSE_CACHE", str(tmp_path / "mine"))
    assert cache.tiny_dir().parent == tmp_path / "mine"


BUILD_MODULES = ("synthetic.py", "data.py", "vocabularies.py", "models.py")


def syntax(node):
    """The code of an AST node as text, the same on every Python: ast.dump is not (3.13 leaves out empty fields,
    3.12 added type_params), so the fields that are None or empty are left out here on every version."""
    if isinstance(node, list):
        return "[" + ", ".join(syntax(item) for item in node) + "]"
    if not isinstance(node, ast.AST):
        return repr(node)
    fields = (f"{name}={syntax(value)}" for name, value in ast.iter_fields(node) if value is not None and value != [])
    return f"{type(node).__name__}({', '.join(fields)})"


def code_hash():
    """What the tiny builders' code does, not how it is formatted: comments and layout do not change it."""
    digest = hashlib.sha256()
    for name in BUILD_MODULES:
        digest.update(syntax(ast.parse((ROOT / "helpers" / "tiny" / name).read_text())).encode())
    return digest.hexdigest()


def test_a_code_change_bumps_the_version():
    assert BUILT_FROM.get(cache.TINY_VERSION) == code_hash(), (
        f"helpers/tiny ({', '.join(BUILD_MODULES)}) changed: bump TINY_VERSION in helpers/cache.py "
        f"and record {{{cache.TINY_VERSION!r}: {code_hash()!r}}} (with the new version) in BUILT_FROM.")


# ---------------------------------------------------------------- a cache that checks and heals itself

FAST_BUILD = ("from helpers import tiny; from helpers.tiny import models; "
              "models.PRETRAIN_STEPS = dict.fromkeys(models.PRETRAIN_STEPS, 1); ")


@pytest.fixture
def own_cache(monkeypatch, tmp_path):
    """COURSE_CACHE in a temporary folder, and pretraining cut to one step per model (a build of seconds)."""
    monkeypatch.setenv("COURSE_CACHE", str(tmp_path))
    monkeypatch.setattr(models, "PRETRAIN_STEPS", dict.fromkeys(models.PRETRAIN_STEPS, 1))
    return tmp_path


def test_an_incomplete_folder_is_rebuilt(own_cache, capsys):
    folder = tiny.ensure_built(verbose=False)
    (folder / "models" / "gpt2" / "config.json").unlink()
    assert not cache.is_built()
    assert tiny.ensure_built() == folder
    assert "damaged" in capsys.readouterr().out and cache.is_built()


def test_a_truncated_file_is_caught_and_a_corrupted_one_by_its_hash(own_cache):
    folder = tiny.ensure_built(verbose=False)
    weights = folder / "models" / "bert" / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:100])
    assert cache.problems(folder) == [f"models/bert/model.safetensors has 100 bytes instead of "
                                      f"{cache.read_manifest(folder)['files']['models/bert/model.safetensors']['bytes']}"]
    tiny.ensure_built(verbose=False)
    data = bytearray(weights.read_bytes())
    data[-1] ^= 0xFF  # same size, different bytes: only the hash can tell
    weights.write_bytes(bytes(data))
    assert not cache.problems(folder) and cache.problems(folder, hashes=True)
    assert not cache.is_built(), "the setup call's check reads the hashes: same-size damage is rebuilt"
    tiny.ensure_built(verbose=False)
    assert not cache.problems(folder, hashes=True)
    AutoModelForMaskedLM.from_pretrained(folder / "models" / "bert")


def test_a_damaged_weights_header_is_repaired_by_running_setup_again(own_cache, capsys):
    """A damaged safetensors header (same size) stopped every run with a SafetensorError that setup never fixed."""
    folder = tiny.ensure_built(verbose=False)
    weights = folder / "models" / "gpt2" / "model.safetensors"
    data = bytearray(weights.read_bytes())
    data[8:16] = b"{{{{{{{{"  # the JSON header starts after its 8-byte length
    weights.write_bytes(bytes(data))
    session.setup("03", profile="tiny")
    assert "damaged" in capsys.readouterr().out
    AutoModelForCausalLM.from_pretrained(folder / "models" / "gpt2")


def test_a_killed_build_leaves_nothing_in_the_way(own_cache):
    env = {**os.environ, "COURSE_CACHE": str(own_cache)}
    process = subprocess.Popen([sys.executable, "-c", FAST_BUILD + "import time; tiny.build(); time.sleep(60)"],
                               env=env, cwd=ROOT)
    building = own_cache / f"tiny-v{cache.TINY_VERSION}{cache.BUILDING}{process.pid}"
    deadline = time.time() + 60
    while not building.exists() and time.time() < deadline:
        time.sleep(0.05)
    process.kill()  # in the middle of the build
    process.wait()
    assert building.exists() and not cache.tiny_dir().exists()
    tiny.ensure_built(verbose=False)
    assert cache.is_built() and not building.exists()


def test_two_builds_at_once_build_once(own_cache):
    env = {**os.environ, "COURSE_CACHE": str(own_cache)}
    script = FAST_BUILD + "print(tiny.ensure_built())"
    processes = [subprocess.Popen([sys.executable, "-c", script], env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True)
                 for _ in range(2)]
    outputs = [p.communicate(timeout=120)[0] for p in processes]
    assert [p.returncode for p in processes] == [0, 0]
    assert sum("Building the tiny models and data" in out for out in outputs) == 1, outputs
    assert cache.is_built() and not list(own_cache.glob(f"*{cache.BUILDING}*"))


def test_a_folder_that_cannot_be_written_names_the_variable(monkeypatch):
    monkeypatch.setenv("COURSE_CACHE", "/sys/llm-course-cache")  # writing under /sys is refused, even to root
    with pytest.raises(CourseError) as error:
        tiny.ensure_built(verbose=False)
    assert "COURSE_CACHE" in str(error.value) and "/sys/llm-course-cache" in str(error.value)


def test_a_full_disk_is_said_before_building(own_cache, monkeypatch):
    monkeypatch.setattr(cache.shutil, "disk_usage", lambda path: type("Usage", (), {"free": 10 * 2**20})())
    with pytest.raises(CourseError, match="full") as error:
        tiny.ensure_built(verbose=False)
    assert f"{cache.TINY_SPACE_MB} MB" in str(error.value)
    assert not list(own_cache.iterdir()) or not cache.tiny_dir().exists()
