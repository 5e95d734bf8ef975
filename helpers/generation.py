"""Batched generation for evaluation: many inputs per `generate()` call, in length order (helpers.batching)."""

import torch

from . import validate
from .batching import eval_mode, length_sorted_batches, token_lengths
from .errors import InputError


def generate_batched(model, tokenizer, texts, batch_size=16, max_input_tokens=512, **generate_kwargs):
    """Generate for every text, `batch_size` at a time; returns decoded strings in the input order.

    Texts are sorted by length in tokens before batching, so each batch pads to similar lengths, and the outputs
    are put back in the original order. Inputs longer than `max_input_tokens` are truncated without a word, as
    most such code does: check prompts first (helpers.prompts.check_fits). Pass generation settings as keyword
    arguments (or `generation_config=`). Decoder-only models need left padding: load their tokenizer with
    `padding_side="left"`.
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
    outputs = [None] * len(texts)
    device = next(model.parameters()).device
    with eval_mode(model), torch.inference_mode():
        for rows in length_sorted_batches(lengths, batch_size):
            batch = tokenizer([texts[i] for i in rows], return_tensors="pt", padding=True, truncation=True,
                              max_length=max_input_tokens).to(device)
            generated = model.generate(**batch, **generate_kwargs)
            if decoder_only:
                generated = generated[:, batch["input_ids"].shape[1]:]  # the new tokens only
            for i, text in zip(rows, tokenizer.batch_decode(generated, skip_special_tokens=True)):
                outputs[i] = text.strip()
    return outputs
