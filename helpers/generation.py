"""Batched generation for evaluation: many inputs per `generate()` call, sorted by length."""

import torch


def generate_batched(model, tokenizer, texts, batch_size=16, max_input_tokens=512, **generate_kwargs):
    """Generate for every text, `batch_size` at a time; returns decoded strings in the input order.

    Texts are sorted by length before batching, so each batch pads to similar lengths, and the
    outputs are put back in the original order. Pass generation settings as keyword arguments
    (or `generation_config=`). Decoder-only models need left padding; set it on the tokenizer.
    """
    texts = list(texts)
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    outputs = [None] * len(texts)
    device = next(model.parameters()).device
    model.eval()
    for start in range(0, len(order), batch_size):
        rows = order[start:start + batch_size]
        batch = tokenizer([texts[i] for i in rows], return_tensors="pt", padding=True, truncation=True,
                          max_length=max_input_tokens).to(device)
        with torch.inference_mode():
            generated = model.generate(**batch, **generate_kwargs)
        if not model.config.is_encoder_decoder:
            generated = generated[:, batch["input_ids"].shape[1]:]
        for i, text in zip(rows, tokenizer.batch_decode(generated, skip_special_tokens=True)):
            outputs[i] = text.strip()
    return outputs
