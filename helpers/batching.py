"""Batches of similar length, for inference: one rule used by lessons 02-06 and the tiny fixtures.

A batch is a rectangle: every text in it is padded to its longest one, and the model computes on the padding
too. For inference the order of the texts does not matter, so sorting them by length (in tokens, longest first)
before cutting batches leaves almost no padding, and the results are put back in the original order afterwards.
Longest first also means that a batch too big for the memory fails at once, not at the end.
"""

import contextlib

from . import validate

IGNORE_INDEX = -100  # label value that PyTorch's cross-entropy (and so every Hugging Face model) skips


def token_lengths(tokenizer, texts, max_length=None):
    """The number of tokens of each text (special tokens included), after truncation to `max_length` if given."""
    texts = validate.texts("texts", texts, allow_empty=True)
    if not texts:
        return []
    encoded = tokenizer(texts, truncation=max_length is not None, max_length=max_length, verbose=False)
    return [len(ids) for ids in encoded["input_ids"]]


def length_sorted_batches(lengths, batch_size):
    """Lists of indices into `lengths`, longest first, `batch_size` at a time: each batch pads to similar lengths."""
    batch_size = validate.positive_int("batch_size", batch_size)
    order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
    return [order[i:i + batch_size] for i in range(0, len(order), batch_size)]


@contextlib.contextmanager
def eval_mode(model):
    """model.eval() inside the block (dropout off), and the training mode it had restored afterwards."""
    was_training = model.training
    model.eval()
    try:
        yield model
    finally:
        model.train(was_training)
