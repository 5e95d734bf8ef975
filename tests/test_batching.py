"""One rule for batches of similar length (helpers.batching), used by lessons 02-06 and the tiny fixtures."""

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
