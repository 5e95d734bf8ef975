"""Fixtures shared by the unit tests: the tiny models and data, built once (make test builds them first).

The environment of the test run (offline, tiny, no network) is set in the repository's root conftest.py.
Models are module-scoped: a test module may train the model it gets without affecting other modules.
"""

import pytest
import torch


@pytest.fixture(autouse=True)
def default_precision(monkeypatch):
    """Unit tests see each device's own precision policy; a test that wants COURSE_PRECISION sets it itself (the
    notebooks, outside tests/, do follow it: `make test-precision`)."""
    monkeypatch.delenv("COURSE_PRECISION", raising=False)


@pytest.fixture(autouse=True)
def cpu_without_native_bf16(monkeypatch):
    """The CPU's own bf16 (helpers.env.cpu_computes_bf16) differs between machines, CI's included: unit tests see a
    CPU without it, and the tests of the policy switch it on themselves."""
    from helpers import env

    monkeypatch.setattr(env, "cpu_computes_bf16", lambda: False)


@pytest.fixture(scope="session")
def tiny_fixtures():
    from helpers.tiny import ensure_built

    return ensure_built(verbose=False)


def _tiny(name):
    from helpers import cache

    return str(cache.model_path(name))


@pytest.fixture(scope="module")
def t5(tiny_fixtures):
    """(model, tokenizer) of the tiny FLAN-T5, in eval mode."""
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    return AutoModelForSeq2SeqLM.from_pretrained(_tiny("flan-t5")).eval(), AutoTokenizer.from_pretrained(_tiny("flan-t5"))


@pytest.fixture(scope="module")
def t5_tokenizer(tiny_fixtures):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(_tiny("flan-t5"))


@pytest.fixture(scope="module")
def tiny_bert(tiny_fixtures):
    """(masked-LM model, tokenizer) of the tiny BERT, in eval mode."""
    from transformers import AutoModelForMaskedLM, AutoTokenizer

    return AutoModelForMaskedLM.from_pretrained(_tiny("bert")).eval(), AutoTokenizer.from_pretrained(_tiny("bert"))


@pytest.fixture(scope="module")
def tiny_encoder(tiny_fixtures):
    """(tokenizer, bare DistilBERT encoder, DistilBERT with a fresh 2-class head)."""
    from transformers import AutoModel, AutoModelForSequenceClassification, AutoTokenizer

    torch.manual_seed(0)
    path = _tiny("distilbert")
    return (AutoTokenizer.from_pretrained(path), AutoModel.from_pretrained(path),
            AutoModelForSequenceClassification.from_pretrained(path, num_labels=2))


@pytest.fixture(scope="module")
def tiny_gpt2(tiny_fixtures):
    """(model, tokenizer padding on the left, as decoders need for batched generation)."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(_tiny("gpt2"), padding_side="left")
    tokenizer.pad_token = tokenizer.eos_token
    return AutoModelForCausalLM.from_pretrained(_tiny("gpt2")).eval(), tokenizer


@pytest.fixture(scope="module")
def dialogue_rows(tiny_fixtures):
    """Six test rows of the tiny DialogSum."""
    from datasets import load_dataset

    from helpers import cache

    return load_dataset(str(cache.dataset_path("dialogsum")))["test"].select(range(6))
