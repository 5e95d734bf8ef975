"""Batched generation returns exactly what one-at-a-time generation does, in the input order."""

import pytest
import torch

from helpers.tiny import models, synthetic
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
    texts = [models.T5_INSTRUCTIONS[0].format(dialogue=d) for d in synthetic.make_dialogues(0)["test"]["dialogue"][:7]]
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


def test_endings_count_the_new_tokens_and_say_whether_generation_stopped(tiny_gpt2):
    model, tokenizer = tiny_gpt2
    texts = ["I enjoy walking with my cute dog", "The acting was"]
    kwargs = dict(max_new_tokens=6, do_sample=False, pad_token_id=tokenizer.eos_token_id)
    plain, endings = generate_batched(model, tokenizer, texts, batch_size=2, return_endings=True, **kwargs)
    assert plain == generate_batched(model, tokenizer, texts, batch_size=2, **kwargs)
    for text, ending in zip(texts, endings):
        inputs = tokenizer(text, return_tensors="pt")
        new = model.generate(**inputs, **kwargs)[0, inputs["input_ids"].shape[1]:].tolist()
        stop = new.index(tokenizer.eos_token_id) if tokenizer.eos_token_id in new else None
        assert ending == {"new_tokens": len(new) if stop is None else stop, "stopped": stop is not None}
    # a stop token that is never reached: every row runs to max_new_tokens
    _, never = generate_batched(model, tokenizer, texts, batch_size=2, return_endings=True, **{**kwargs,
                                "eos_token_id": len(tokenizer) + 5})
    assert never == [{"new_tokens": 6, "stopped": False}] * 2


@pytest.mark.parametrize("n", [2, 3, 4])
def test_no_repeat_blocked_agrees_with_the_library_processor(n):
    from transformers import NoRepeatNGramLogitsProcessor

    from helpers.generation import no_repeat_blocked

    rng = torch.Generator().manual_seed(n)
    for _ in range(20):
        context = torch.randint(0, 6, (int(torch.randint(1, 12, (1,), generator=rng)),), generator=rng).tolist()
        answer = torch.randint(0, 6, (10,), generator=rng).tolist()
        processor, expected = NoRepeatNGramLogitsProcessor(n), []
        for position, token in enumerate(answer):
            scores = processor(torch.tensor([context + answer[:position]]), torch.zeros(1, 6))
            if scores[0, token] == -float("inf"):
                expected.append(position)
        assert no_repeat_blocked(context, answer, n) == expected


def test_a_speaker_tag_in_the_prompt_blocks_it_in_a_decoders_answer():
    from helpers.generation import no_repeat_blocked

    tag = [7, 8, 9]  # "#", "Person", "1": a tag of three tokens
    assert no_repeat_blocked([1] + tag + [4], tag, 3) == [2]  # the prompt's tag blocks the answer's
    assert no_repeat_blocked([0], tag + [5] + tag, 3) == [6]  # an encoder-decoder: only the second one


def test_greedy_tokens_are_compared_up_to_the_first_near_tie():
    """A difference after a near tie is rounding's choice; one where the top two logits lie far apart is a bug."""
    from helpers.generation import NEAR_TIE, same_greedy_tokens

    def logits(*gaps):  # one row, one step per gap: token 0 leads token 1 by `gap`
        return [torch.tensor([[1.0 + gap, 1.0, 0.0]]) for gap in gaps]

    clear, tie = 1.0, NEAR_TIE[torch.float32] / 2
    assert same_greedy_tokens([[0, 0, 0]], [[0, 0, 0]], logits(clear, clear, clear)) == (
        True, "3 tokens compared, all equal")
    agree, note = same_greedy_tokens([[0, 0, 2]], [[0, 1, 0]], logits(clear, tie, clear))
    assert agree and "1 tokens compared" in note and "row 0 at token 1" in note
    agree, note = same_greedy_tokens([[0, 0, 0]], [[0, 0, 1]], logits(clear, clear, clear))
    assert not agree and "row 0 differs at token 2" in note
    # bf16 rounds far more: the same gap is a near tie there
    assert same_greedy_tokens([[0]], [[1]], logits(0.1), torch.bfloat16)[0]
    assert not same_greedy_tokens([[0]], [[1]], logits(0.1), torch.float32)[0]
    # what follows a stop token is padding
    assert same_greedy_tokens([[0, 2]], [[0, 1]], logits(clear, clear), stop_ids=0)[0]
