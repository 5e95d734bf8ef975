"""Batched generation returns exactly what one-at-a-time generation does, in the input order."""

import pytest
import torch

from helpers import synthetic, tiny
from helpers.generation import generate_batched


def one_by_one(model, tokenizer, texts, **kwargs):
    outputs = []
    for text in texts:
        inputs = tokenizer(text, return_tensors="pt")
        with torch.no_grad():
            ids = model.generate(**inputs, **kwargs)
        if not model.config.is_encoder_decoder:
            ids = ids[:, inputs["input_ids"].shape[1]:]
        outputs.append(tokenizer.decode(ids[0], skip_special_tokens=True).strip())
    return outputs


def test_seq2seq_batched_equals_one_by_one(t5):
    model, tokenizer = t5
    texts = [tiny.T5_INSTRUCTIONS[0].format(dialogue=d) for d in synthetic.make_dialogues(0)["test"]["dialogue"][:7]]
    batched = generate_batched(model, tokenizer, texts, batch_size=3, max_new_tokens=12, do_sample=False)
    assert batched == one_by_one(model, tokenizer, texts, max_new_tokens=12, do_sample=False)


def test_decoder_batched_equals_one_by_one_with_left_padding(tiny_gpt2):
    model, tokenizer = tiny_gpt2
    texts = ["I enjoy walking with my cute dog", "The acting was", "Paris is the capital of"]
    kwargs = dict(max_new_tokens=8, do_sample=False, pad_token_id=tokenizer.eos_token_id)
    assert generate_batched(model, tokenizer, texts, batch_size=3, **kwargs) == one_by_one(model, tokenizer, texts,
                                                                                           **kwargs)


def test_decoder_with_right_padding_is_refused(tiny_gpt2):
    model, tokenizer = tiny_gpt2
    tokenizer.padding_side = "right"
    try:
        with pytest.raises(ValueError, match="padding_side='left'"):
            generate_batched(model, tokenizer, ["a", "b"], max_new_tokens=2)
    finally:
        tokenizer.padding_side = "left"


def test_training_mode_is_restored(t5):
    model, tokenizer = t5
    model.train()
    generate_batched(model, tokenizer, ["Summarize: hello."], max_new_tokens=2)
    assert model.training
    model.eval()
