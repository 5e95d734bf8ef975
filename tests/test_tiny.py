"""The tiny fixtures: the real datasets' shape, distinct train/test templates, determinism, loadable models."""

import json

import pytest
import torch
from datasets import load_dataset
from transformers import (AutoModelForCausalLM, AutoModelForMaskedLM, AutoModelForSeq2SeqLM,
                          AutoModelForSequenceClassification, AutoTokenizer)

from helpers import synthetic, tiny


def test_reviews_have_imdb_splits_columns_and_balance(tiny_fixtures):
    reviews = load_dataset(str(tiny.dataset_path("imdb")))
    assert set(reviews) == {"train", "test", "unsupervised"}
    assert reviews["train"].column_names == ["text", "label"]
    assert reviews["train"].features["label"].names == ["neg", "pos"]
    for split in ("train", "test"):
        labels = list(reviews[split]["label"])
        assert len(labels) == synthetic.REVIEW_SPLITS[split]
        assert labels.count(1) == labels.count(0)
    assert set(reviews["unsupervised"]["label"]) == {-1}


def test_dialogues_have_dialogsum_splits_and_columns(tiny_fixtures):
    dialogues = load_dataset(str(tiny.dataset_path("dialogsum")))
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
    path = tiny.model_path(name)
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
        assert type(AutoTokenizer.from_pretrained(tiny.model_path(name))).__name__ == cls


def test_encoder_loads_as_a_classifier(tiny_fixtures):
    model = AutoModelForSequenceClassification.from_pretrained(tiny.model_path("distilbert"), num_labels=2)
    tokenizer = AutoTokenizer.from_pretrained(tiny.model_path("distilbert"))
    logits = model(**tokenizer(["a superb film"], return_tensors="pt")).logits
    assert logits.shape == (1, 2)


def test_pretraining_taught_the_tiny_models_something(tiny_fixtures):
    """The tiny FLAN-T5 answers a summary instruction with a summary-like sentence."""
    tokenizer = AutoTokenizer.from_pretrained(tiny.model_path("flan-t5"))
    model = AutoModelForSeq2SeqLM.from_pretrained(tiny.model_path("flan-t5")).eval()
    dialogue = synthetic.make_dialogues(0)["test"]["dialogue"][0]
    prompt = tiny.T5_INSTRUCTIONS[0].format(dialogue=dialogue)
    summary = tokenizer.decode(model.generate(**tokenizer(prompt, return_tensors="pt"), max_new_tokens=20)[0],
                               skip_special_tokens=True)
    assert "#Person1#" in summary


def test_build_is_deterministic(tmp_path):
    """Same version key, same bytes: two small builds in fresh folders are identical."""
    first = tiny.build(verbose=False, folder=tmp_path / "a", steps_scale=0.02)
    second = tiny.build(verbose=False, folder=tmp_path / "b", steps_scale=0.02)
    hashes = [json.loads((f / "manifest.json").read_text())["sha256"] for f in (first, second)]
    assert hashes[0] == hashes[1]
    assert any(name.endswith("model.safetensors") for name in hashes[0])


def test_cache_location_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.delenv("COURSE_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert tiny.tiny_dir() == tmp_path / "llm-course" / f"tiny-v{tiny.TINY_VERSION}"
    monkeypatch.setenv("COURSE_CACHE", str(tmp_path / "mine"))
    assert tiny.tiny_dir().parent == tmp_path / "mine"
