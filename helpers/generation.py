"""Batched generation for evaluation (many inputs per `generate()` call, in length order), how generation ended,
what `no_repeat_ngram_size` forbids, and greedy outputs compared up to their near ties. Used by lessons 02, 03, 05,
06, 07 and 08."""

import torch

from . import validate
from .batching import eval_mode, length_sorted_batches, progress_bar, token_lengths
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
                     progress=False, **generate_kwargs):
    """Generate for every text, `batch_size` at a time; returns decoded strings in the input order.

    Texts are sorted by length in tokens before batching, so each batch pads to similar lengths, and the outputs
    are put back in the original order. Inputs longer than `max_input_tokens` are truncated without a word, as
    most such code does: check prompts first (helpers.prompts.check_fits). Pass generation settings as keyword
    arguments (or `generation_config=`). Decoder-only models need left padding: load their tokenizer with
    `padding_side="left"`. With `return_endings=True` it returns (texts, endings): for each text, a dict with
    "new_tokens" (tokens written before the stop token) and "stopped" (False: max_new_tokens cut it off).
    `progress=True` shows a bar over the batches (notebooks pass run.show_progress: on in quick and full).
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
        for rows in progress_bar(length_sorted_batches(lengths, batch_size), progress, "generate"):
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


# How close the top two logits of a greedy step may be before the same model, computed another way, may choose the
# other one. "Another way": an adapter merged into the weights (W + BA rounded once) rather than added at run time,
# a batch padded to another width, GPU kernels that sum in another order. In fp32 those move logits by about 1e-6
# (the error of a sum of a few hundred fp32 products of logit-sized terms); the margin is a hundred times that.
# In bf16 (8 significant bits) a logit of 10-30 is rounded by up to about 0.06-0.12; in fp16 (11 bits) by 0.01.
NEAR_TIE = {torch.float32: 1e-4, torch.float16: 0.05, torch.bfloat16: 0.25}


def top_two_gaps(step_logits):
    """(rows, steps): the gap between the largest and the second largest logit at each greedy step.

    `step_logits`: one (rows, vocabulary) tensor per step, as generate(..., output_logits=True,
    return_dict_in_generate=True) returns them in `.logits`."""
    top = torch.stack([logits.float().topk(2, dim=-1).values for logits in step_logits], dim=1)
    return (top[..., 0] - top[..., 1]).cpu()


def same_greedy_tokens(expected, got, step_logits, dtype=torch.float32, stop_ids=()):
    """Do two greedy generations agree token for token, each row up to its first near tie?

    expected, got: the new token ids, (rows, steps), of the same inputs generated two ways; step_logits: the logits
    that chose `expected` (see top_two_gaps); dtype: the dtype the models computed in; stop_ids: tokens that end a
    row (what follows them is padding). Where a row's top two logits lie within NEAR_TIE[dtype], either token is a
    correct greedy choice up to rounding and everything after it may differ, so that row is compared up to there.
    Returns (agree, note): the note says what was compared, and where a row stopped at a near tie.
    """
    stop_ids = {stop_ids} if isinstance(stop_ids, int) else set(stop_ids)
    if dtype not in NEAR_TIE:
        raise InputError(f"dtype must be one of {', '.join(map(str, NEAR_TIE))}, not {dtype!r}.",
                         "pass the dtype the models generated in, e.g. torch.float32.")
    expected, got = torch.as_tensor(expected).cpu(), torch.as_tensor(got).cpu()
    if len(expected) != len(got):
        return False, f"{len(expected)} rows against {len(got)}"
    width = min(expected.shape[1], got.shape[1])  # a batch pads to its longest row: compare what both have
    expected, got = expected[:, :width], got[:, :width]
    gaps = top_two_gaps(step_logits)[:, :expected.shape[1]]
    compared, ties = 0, []
    for row, (want, have, row_gaps) in enumerate(zip(expected, got, gaps)):
        for step, (a, b, gap) in enumerate(zip(want.tolist(), have.tolist(), row_gaps.tolist())):
            if gap <= NEAR_TIE[dtype]:
                ties.append(f"row {row} at token {step} (top two logits {gap:.1e} apart)")
                break
            if a != b:
                return False, (f"row {row} differs at token {step}: {a} against {b}, where the top two logits were "
                               f"{gap:.3g} apart, more than rounding in {str(dtype).replace('torch.', '')} explains")
            compared += 1
            if a in stop_ids:
                break
    note = f"{compared} tokens compared, all equal"
    if ties:
        note += (f"; compared up to a near tie (within {NEAR_TIE[dtype]:g}, where rounding may pick either "
                 f"token) in {'; '.join(ties)}")
    return True, note
