"""Batched generation for evaluation (many inputs per `generate()` call, in length order), how generation ended,
and what `no_repeat_ngram_size` forbids. Used by lessons 05, 06 and 07."""

import torch

from . import validate
from .batching import eval_mode, length_sorted_batches, token_lengths
from .errors import InputError


def _stop_ids(model, generate_kwargs):
    """The token ids that end generation: eos_token_id as passed to generate(), else the model's generation config."""
    ids = generate_kwargs.get("eos_token_id", model.generation_config.eos_token_id)
    return set([ids] if isinstance(ids, int) else ids or [])


def _ending(new_ids, stop_ids):
    """(tokens written before the first stop token, whether a stop token came)."""
    for position, token in enumerate(new_ids):
        if token in stop_ids:
            return position, True
    return len(new_ids), False


def generate_batched(model, tokenizer, texts, batch_size=16, max_input_tokens=512, return_endings=False,
                     **generate_kwargs):
    """Generate for every text, `batch_size` at a time; returns decoded strings in the input order.

    Texts are sorted by length in tokens before batching, so each batch pads to similar lengths, and the outputs
    are put back in the original order. Inputs longer than `max_input_tokens` are truncated without a word, as
    most such code does: check prompts first (helpers.prompts.check_fits). Pass generation settings as keyword
    arguments (or `generation_config=`). Decoder-only models need left padding: load their tokenizer with
    `padding_side="left"`. With `return_endings=True` it returns (texts, endings): for each text, a dict with
    "new_tokens" (tokens written before the stop token) and "stopped" (False: max_new_tokens cut it off).
    """
    texts = validate.texts("texts", texts)
    batch_size = validate.positive_int("batch_size", batch_size)
    max_input_tokens = validate.token_limit("max_input_tokens", max_input_tokens, model)
    decoder_only = not model.config.is_encoder_decoder
    if decoder_only and tokenizer.padding_side != "left":
        raise InputError("A decoder-only model continues the text from its last token, but this tokenizer pads on "
                         "the right, so shorter prompts in a batch would end in padding.",
                         "load the tokenizer with AutoTokenizer.from_pretrained(..., padding_side='left').")
    lengths = token_lengths(tokenizer, texts, max_input_tokens)
    outputs, endings = [None] * len(texts), [None] * len(texts)
    stop_ids = _stop_ids(model, generate_kwargs)
    device = next(model.parameters()).device
    with eval_mode(model), torch.inference_mode():
        for rows in length_sorted_batches(lengths, batch_size):
            batch = tokenizer([texts[i] for i in rows], return_tensors="pt", padding=True, truncation=True,
                              max_length=max_input_tokens).to(device)
            generated = model.generate(**batch, **generate_kwargs)
            # the new tokens only (an encoder-decoder's output starts with its decoder start token)
            generated = generated[:, batch["input_ids"].shape[1]:] if decoder_only else generated[:, 1:]
            texts_out = tokenizer.batch_decode(generated, skip_special_tokens=True)
            for i, ids, text in zip(rows, generated.tolist(), texts_out):
                outputs[i] = text.strip()
                new_tokens, stopped = _ending(ids, stop_ids)
                endings[i] = {"new_tokens": new_tokens, "stopped": stopped}
    return (outputs, endings) if return_endings else outputs


def no_repeat_blocked(context_ids, answer_ids, n=3):
    """Positions of `answer_ids` that `no_repeat_ngram_size=n` would forbid, had the model written the answer.

    generate() bans a token when it would complete an n-gram that already occurs in the sequence so far. For a
    decoder-only model that sequence is the prompt and the answer (`context_ids` = the prompt); for an
    encoder-decoder it is the decoder's tokens only (`context_ids` = the decoder start token). The same rule as
    transformers' NoRepeatNGramLogitsProcessor, in one pass (tests/test_generation.py compares the two).
    """
    n = validate.positive_int("n", n)
    sequence, seen, blocked = list(context_ids), set(), []
    for start in range(len(sequence) - n + 1):
        seen.add(tuple(sequence[start:start + n]))
    for position, token in enumerate(answer_ids):
        if len(sequence) >= n - 1 and tuple(sequence[len(sequence) - (n - 1):]) + (token,) in seen:
            blocked.append(position)
        sequence.append(token)
        if len(sequence) >= n:
            seen.add(tuple(sequence[-n:]))
    return blocked
