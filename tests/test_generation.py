"""Batched generation returns exactly what one-at-a-time generation does, in the input order."""

import torch
from transformers import AutoModelForCausalLM, AutoModelForSeq2SeqLM, AutoTokenizer

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


def test_seq2seq_batched_equals_one_by_one(tiny_fixtures):
    tokenizer = AutoTokenizer.from_pretrained(tiny.model_path("flan-t5"))
    model = AutoModelForSeq2SeqLM.from_pretrained(tiny.model_path("flan-t5")).eval()
    texts = [tiny.T5_INSTRUCTIONS[0].format(dialogue=d) for d in synthetic.make_dialogues(0)["test"]["dialogue"][:7]]
    batched = generate_batched(model, tokenizer, texts, batch_size=3, max_new_tokens=12, do_sample=False)
    assert batched == one_by_one(model, tokenizer, texts, max_new_tokens=12, do_sample=False)


def test_decoder_batched_equals_one_by_one_with_left_padding(tiny_fixtures):
    tokenizer = AutoTokenizer.from_pretrained(tiny.model_path("gpt2"), padding_side="left")
    tokenizer.pad_token = tokenizer.eos_token
    model = AutoModelForCausalLM.from_pretrained(tiny.model_path("gpt2")).eval()
    texts = ["I enjoy walking with my cute dog", "The acting was", "Paris is the capital of"]
    kwargs = dict(max_new_tokens=8, do_sample=False, pad_token_id=tokenizer.eos_token_id)
    assert generate_batched(model, tokenizer, texts, batch_size=3, **kwargs) == one_by_one(model, tokenizer, texts,
                                                                                           **kwargs)
