"""Batches of similar length, and what padding costs under each way of forming batches. Used by lessons 04, 05 and 06.

For inference, one rule of length-sorted batches serves helpers.generation and helpers.classify (so lessons 02-07
use it through them) and the tiny fixtures; for training, lessons 04 and 06 measure what each way of forming
batches pads.

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
    if max_length is not None:
        max_length = validate.positive_int("max_length", max_length)  # 0 would mean "no truncation" to tokenizers
    if not texts:
        return []
    encoded = tokenizer(texts, truncation=max_length is not None, max_length=max_length, verbose=False)
    return [len(ids) for ids in encoded["input_ids"]]


def length_sorted_batches(lengths, batch_size):
    """Lists of indices into `lengths`, longest first, `batch_size` at a time: each batch pads to similar lengths."""
    batch_size = validate.positive_int("batch_size", batch_size)
    order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
    return [order[i:i + batch_size] for i in range(0, len(order), batch_size)]


def progress_bar(batches, show, desc):
    """`batches` behind a tqdm bar when `show` (tqdm.auto: a widget in Colab and JupyterLab, text elsewhere)."""
    if not show:
        return batches
    from tqdm.auto import tqdm

    return tqdm(batches, desc=desc)


@contextlib.contextmanager
def eval_mode(model):
    """model.eval() inside the block (dropout off), and the training mode it had restored afterwards."""
    was_training = model.training
    model.eval()
    try:
        yield model
    finally:
        model.train(was_training)


# ---------------------------------------------------------------- padding


def padded_tokens(lengths, batch_size, strategy, max_length, seed=0):
    """Token positions a model processes for texts of these token `lengths` (already truncated or not), in training.

    strategy "fixed": every text padded to `max_length`; "dynamic": random batches, each padded to its
    longest text (what DataCollatorWithPadding does); "grouped": batches of similar lengths, as the
    Trainer's train_sampling_strategy="group_by_length" forms them, each padded to its longest text.
    Lessons 04 (reviews) and 06 (conversations) compare the three.
    Returns {"real": tokens that carry text, "processed": positions computed, "ratio": processed / real}.
    """
    import torch
    from transformers.trainer_pt_utils import LengthGroupedSampler

    validate.choice("strategy", strategy, ("fixed", "dynamic", "grouped"))
    batch_size, max_length = (validate.positive_int("batch_size", batch_size),
                              validate.positive_int("max_length", max_length))
    lengths = [min(n, max_length) for n in validate.counts("lengths", lengths)]
    if strategy == "fixed":
        batches = [list(range(i, min(i + batch_size, len(lengths)))) for i in range(0, len(lengths), batch_size)]
        processed = max_length * len(lengths)
    else:
        generator = torch.Generator().manual_seed(seed)
        if strategy == "dynamic":
            order = torch.randperm(len(lengths), generator=generator).tolist()
        else:
            order = list(LengthGroupedSampler(batch_size, lengths=lengths, generator=generator))
        batches = [order[i:i + batch_size] for i in range(0, len(order), batch_size)]
        processed = sum(max(lengths[i] for i in batch) * len(batch) for batch in batches)
    real = sum(lengths)
    return {"real": real, "processed": processed, "ratio": processed / real if real else float("nan"),
            "batches": batches}
