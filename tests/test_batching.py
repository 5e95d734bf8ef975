"""One rule for batches of similar length (helpers.batching), used by lessons 02-06 and the tiny fixtures, and what
padding costs in training (lessons 04 and 06)."""

import numpy as np
import pytest
import torch

from helpers import batching


def test_length_sorted_batches_cover_every_index_once_longest_first():
    lengths = [5, 1, 9, 3, 9, 2, 7]
    batches = batching.length_sorted_batches(lengths, 3)
    assert [len(b) for b in batches] == [3, 3, 1]
    flat = [i for b in batches for i in b]
    assert sorted(flat) == list(range(len(lengths)))
    assert [lengths[i] for i in flat] == sorted(lengths, reverse=True)
    with pytest.raises(ValueError, match="batch_size"):
        batching.length_sorted_batches(lengths, 0)


def test_token_lengths_count_special_tokens_and_truncate(t5_tokenizer):
    texts = ["a short one", "a much longer text with many more words in it"]
    full = batching.token_lengths(t5_tokenizer, texts)
    assert full == [len(t5_tokenizer(t)["input_ids"]) for t in texts]
    assert batching.token_lengths(t5_tokenizer, texts, max_length=4) == [min(n, 4) for n in full]
    assert batching.token_lengths(t5_tokenizer, []) == []


def test_eval_mode_restores_the_training_mode():
    layer = torch.nn.Dropout(0.5).train()
    with batching.eval_mode(layer):
        assert not layer.training
    assert layer.training
    with pytest.raises(RuntimeError), batching.eval_mode(layer):
        raise RuntimeError("restored even when the block fails")
    assert layer.training


# ---------------------------------------------------------------- padding


def test_fixed_padding_counts_max_length_for_every_review():
    cost = batching.padded_tokens([3, 10, 700], batch_size=2, strategy="fixed", max_length=512)
    assert cost["real"] == 3 + 10 + 512  # the long review is cut at max_length
    assert cost["processed"] == 3 * 512
    assert cost["ratio"] == pytest.approx(3 * 512 / 525)


def test_dynamic_padding_pads_each_batch_to_its_longest_review():
    lengths = [5, 40, 7, 38]
    cost = batching.padded_tokens(lengths, batch_size=2, strategy="dynamic", max_length=512, seed=0)
    expected = sum(max(lengths[i] for i in batch) * len(batch) for batch in cost["batches"])
    assert cost["processed"] == expected
    assert sorted(i for batch in cost["batches"] for i in batch) == [0, 1, 2, 3]


@pytest.mark.parametrize("n, grouped_below", [(500, 1.5), (5000, 1.1)])
def test_grouping_by_length_removes_most_of_the_padding(n, grouped_below):
    """A long tail (1 review in 10 is long): random batches barely beat fixed padding, grouped ones do. With few
    reviews the Trainer's sampler makes small groups (mega-batches), so some batches still mix lengths."""
    rng = np.random.default_rng(0)
    lengths = list(rng.integers(20, 80, n * 9 // 10)) + list(rng.integers(400, 512, n // 10))
    rng.shuffle(lengths)
    costs = {s: batching.padded_tokens(lengths, 16, s, max_length=512, seed=0)["ratio"]
             for s in ("fixed", "dynamic", "grouped")}
    assert costs["fixed"] > costs["dynamic"] > 3 * costs["grouped"]
    assert 1.0 <= costs["grouped"] < grouped_below


def test_padding_strategy_must_be_known():
    with pytest.raises(ValueError, match="strategy"):
        batching.padded_tokens([1, 2], 2, "sorted", max_length=8)
