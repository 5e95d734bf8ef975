"""Lesson 01 helpers: masked language modeling checks, scores and figures.

What the lesson teaches (building labels from raw text, the fill-mask softmax, the MLM loss by hand,
the data collator) is written out in the notebook. This module holds the reusable parts: a check of the
next-word table, the MLM loss as a function, pseudo-perplexity, the collator's masking bookkeeping, and
the lesson's figures (each function returns the figure it drew).
"""

import math
import random

import matplotlib.pyplot as plt
import torch

from . import validate
from .batching import IGNORE_INDEX, progress_bar
from .errors import InputError


# ---------------------------------------------------------------- self-supervised labels


def check_next_word_table(table, words):
    """Raise AssertionError unless `table` is the next-word table of `words`.

    `table` is a list of (prefix, next_word) pairs or a DataFrame whose first two columns are those;
    a prefix may be a string of words joined by spaces or a list of words. The table must have exactly
    one row per prefix: row i has the first i+1 words as input and word i+1 as its label.
    """
    rows = [tuple(row[:2]) for row in table.itertuples(index=False)] if hasattr(table, "itertuples") \
        else [tuple(row) for row in table]
    words = list(words)
    if len(rows) != len(words) - 1:
        raise AssertionError(f"the table has {len(rows)} rows; a sentence of {len(words)} words has "
                             f"{len(words) - 1} prefixes that have a next word, so it needs {len(words) - 1}.")
    for i, (prefix, label) in enumerate(rows):
        prefix_words = prefix.split() if isinstance(prefix, str) else list(prefix)
        if prefix_words != words[:i + 1]:
            raise AssertionError(f"row {i}: the input should be {' '.join(words[:i + 1])!r}, not {prefix!r}.")
        if label != words[i + 1]:
            raise AssertionError(f"row {i}: the label after {' '.join(words[:i + 1])!r} should be "
                                 f"{words[i + 1]!r}, not {label!r}.")
    return True


# ---------------------------------------------------------------- loss and scores


def masked_lm_loss(logits, labels):
    """The MLM loss: mean negative log-probability of the true token over the labelled (masked) positions.

    `logits` has shape (..., vocab), `labels` the leading shape with IGNORE_INDEX where there is no label.
    Equal to `torch.nn.functional.cross_entropy(logits.view(-1, V), labels.view(-1))`, written out.
    """
    logits, labels = torch.as_tensor(logits), torch.as_tensor(labels)
    if logits.dim() < 2 or tuple(logits.shape[:-1]) != tuple(labels.shape):
        raise InputError(f"logits {tuple(logits.shape)} and labels {tuple(labels.shape)} do not match: logits need "
                         "one more dimension, the vocabulary, than the labels.",
                         "pass the model's output .logits and the labels of the same batch.")
    logits = logits.reshape(-1, logits.shape[-1]).float()
    labels = labels.reshape(-1)
    keep = labels != IGNORE_INDEX
    if not keep.any():
        raise InputError("no labelled position: every label is -100, so there is nothing to average over.")
    log_probs = torch.log_softmax(logits[keep], dim=-1)
    picked = log_probs.gather(1, labels[keep].unsqueeze(1)).squeeze(1)
    return -picked.mean()


def one_mask_per_row(input_ids, special_mask, mask_token_id):
    """Copies of one tokenized sentence, each with a different ordinary token replaced by the mask token.

    Returns (batch input ids, labels, positions): labels hold the true token at the masked position and
    IGNORE_INDEX elsewhere, so one forward pass scores every token of the sentence.
    """
    input_ids, special_mask = torch.as_tensor(input_ids).reshape(-1), torch.as_tensor(special_mask).reshape(-1)
    validate.same_length("input_ids", input_ids, "special_mask", special_mask)
    positions = [i for i, special in enumerate(special_mask.tolist()) if not special]
    if not positions:
        raise InputError("The sentence has no ordinary token to mask: only special tokens.", "pass a text with words.")
    batch = input_ids.repeat(len(positions), 1)
    labels = torch.full_like(batch, IGNORE_INDEX)
    rows = torch.arange(len(positions))
    labels[rows, positions] = input_ids[positions]
    batch[rows, positions] = mask_token_id
    return batch, labels, positions


@torch.no_grad()
def pseudo_log_likelihoods(model, tokenizer, text):
    """[(token, log p(token | all the other tokens)), ...] for each ordinary token of `text`.

    Each token is masked in turn (one copy of the sentence per token, in one batch) and the model's
    log-probability of the true token at the mask is read off (Salazar et al., 2020).
    """
    text = validate.text("text", text)
    encoded = tokenizer(text, return_special_tokens_mask=True, return_tensors="pt")
    validate.token_limit("the text's length in tokens", encoded["input_ids"].shape[1], model)
    batch, labels, positions = one_mask_per_row(encoded["input_ids"][0], encoded["special_tokens_mask"][0],
                                                tokenizer.mask_token_id)
    device = next(model.parameters()).device
    attention_mask = encoded["attention_mask"].repeat(len(positions), 1)
    logits = model(input_ids=batch.to(device), attention_mask=attention_mask.to(device)).logits.float().cpu()
    log_probs = torch.log_softmax(logits, dim=-1)
    rows = torch.arange(len(positions))
    true_ids = labels[rows, positions]
    scores = log_probs[rows, positions, true_ids]
    tokens = tokenizer.convert_ids_to_tokens(true_ids.tolist())
    return list(zip(tokens, scores.tolist()))


def pseudo_perplexity(model, tokenizer, text):
    """exp of the mean negative pseudo-log-likelihood per token: lower means the text looks more natural."""
    scores = [score for _, score in pseudo_log_likelihoods(model, tokenizer, text)]
    return math.exp(-sum(scores) / len(scores))


def corpus_pseudo_perplexity(model, tokenizer, texts, progress=False):
    """Pseudo-perplexity of `texts` taken as one corpus: {"corpus", "per_text", "tokens"}.

    "corpus" is exp of the mean negative pseudo-log-likelihood over every token of every text: each token weighs the
    same, so one short, odd text cannot swing it the way it swings a mean of per-text figures. "per_text" holds each
    text's own pseudo-perplexity (from the same forward passes), "tokens" the number of tokens scored.
    `progress=True` shows a bar over the texts (notebooks pass run.show_progress).
    """
    texts = validate.texts("texts", texts)
    per_text = [[score for _, score in pseudo_log_likelihoods(model, tokenizer, text)]
                for text in progress_bar(texts, progress, "pseudo-perplexity")]
    scores = [score for text_scores in per_text for score in text_scores]
    return {"corpus": math.exp(-sum(scores) / len(scores)), "tokens": len(scores),
            "per_text": [math.exp(-sum(t) / len(t)) for t in per_text]}


def scramble(text, seed=0):
    """The words of `text` in a shuffled order that differs from the original (final punctuation kept)."""
    text = validate.text("text", text)
    end = text[-1] if text and text[-1] in ".!?" else ""
    words = (text[:-1] if end else text).split()
    if len(set(words)) < 2:
        raise InputError(f"cannot scramble {text!r}: it needs at least two different words.")
    rng = random.Random(seed)
    shuffled = list(words)
    while shuffled == words:
        rng.shuffle(shuffled)
    return " ".join(shuffled) + end


# ---------------------------------------------------------------- what the data collator did

MASKED, RANDOM, KEPT = "[MASK]", "random token", "kept as is"


def _rows(batch):
    """A batch of ids (tensor, array or nested lists) as a list of lists of ints."""
    return [[int(v) for v in row] for row in (batch.tolist() if hasattr(batch, "tolist") else batch)]


def masking_outcomes(original_ids, input_ids, labels, mask_token_id):
    """For each position: '' (not selected), MASKED, RANDOM or KEPT, as nested lists shaped like the batch.

    A selected position is one with a label. Compared with the original ids, it now holds the mask
    token, another token, or the same token. (A random replacement that draws the original token by
    chance counts as KEPT: with a 30,000-token vocabulary that is rare.)
    """
    outcome = []
    for orig_row, in_row, label_row in zip(_rows(original_ids), _rows(input_ids), _rows(labels)):
        row = []
        for orig, new, label in zip(orig_row, in_row, label_row):
            if label == IGNORE_INDEX:
                row.append("")
            elif new == mask_token_id:
                row.append(MASKED)
            elif new != orig:
                row.append(RANDOM)
            else:
                row.append(KEPT)
        outcome.append(row)
    return outcome


def masking_counts(outcomes, maskable):
    """Counts and shares from masking_outcomes: {'maskable', 'selected', MASKED, RANDOM, KEPT, 'selected share', ...}.

    `maskable` is the number of positions the collator could pick (ordinary tokens, no special or padding).
    """
    flat = [o for row in outcomes for o in row]
    selected = sum(1 for o in flat if o)
    if isinstance(maskable, bool) or not isinstance(maskable, int) or maskable < selected:
        raise InputError(f"maskable must be the number of positions the collator could pick, at least the "
                         f"{selected} it did pick; got {maskable!r}.",
                         "count the ordinary tokens: (special_tokens_mask == 0).sum().item() per batch.")
    counts = {"maskable": int(maskable), "selected": selected}
    for kind in (MASKED, RANDOM, KEPT):
        counts[kind] = sum(1 for o in flat if o == kind)
    counts["selected share"] = selected / maskable if maskable else 0.0
    for kind in (MASKED, RANDOM, KEPT):
        counts[f"{kind} share"] = counts[kind] / selected if selected else 0.0
    return counts


def masking_table(tokenizer, original_ids, input_ids, labels):
    """One row per token of ONE sequence: the original token, what the model reads, the label, what happened."""
    import pandas as pd

    (original_ids,), (input_ids,), (labels,) = (_rows([list(t)]) for t in (original_ids, input_ids, labels))
    outcome = masking_outcomes([original_ids], [input_ids], [labels], tokenizer.mask_token_id)[0]
    rows = []
    for orig, new, label, what in zip(original_ids, input_ids, labels, outcome):
        if orig == tokenizer.pad_token_id and label == IGNORE_INDEX:
            continue
        rows.append({"original": tokenizer.convert_ids_to_tokens(orig),
                     "model reads": tokenizer.convert_ids_to_tokens(new),
                     "label": tokenizer.convert_ids_to_tokens(label) if label != IGNORE_INDEX else "-100",
                     "what happened": what})
    return pd.DataFrame(rows)


# ---------------------------------------------------------------- vectors


def cosine_matrix(vectors):
    """Pairwise cosine similarities of the rows of a (n, d) tensor, as an (n, n) tensor."""
    vectors = torch.as_tensor(vectors).float()
    if vectors.dim() != 2 or vectors.shape[0] == 0:
        raise InputError(f"cosine_matrix() needs a (n, d) tensor of n vectors; got shape {tuple(vectors.shape)}.",
                         "stack the vectors first, e.g. torch.stack([v1, v2, v3]).")
    unit = vectors / vectors.norm(dim=-1, keepdim=True).clamp_min(1e-12)
    return unit @ unit.T


# ---------------------------------------------------------------- figures


def _short(label, width=32):
    return label if len(label) <= width else label[:width - 1] + "…"


def similarity_heatmap(matrix, labels, title="Cosine similarity", ax=None):
    """A square heatmap of a similarity matrix with the value in each cell."""
    matrix = torch.as_tensor(matrix).float()
    n = matrix.shape[0] if matrix.dim() == 2 else -1
    if n < 1 or tuple(matrix.shape) != (n, n) or len(labels) != n:
        raise InputError(f"similarity_heatmap() needs a square (n, n) matrix and n labels; got a matrix of shape "
                         f"{tuple(matrix.shape)} and {len(labels)} labels.", "pass cosine_matrix(vectors) and one "
                         "label per vector.")
    fig, ax = (ax.figure, ax) if ax is not None else plt.subplots(figsize=(1.3 * n + 3.5, 0.9 * n + 1.6))
    image = ax.imshow(matrix, vmin=-1, vmax=1, cmap="RdBu_r")
    short = [_short(label) for label in labels]
    ax.set_xticks(range(n), short, rotation=35, ha="right", fontsize=8)
    ax.set_yticks(range(n), short, fontsize=8)
    for i in range(n):
        for j in range(n):
            value = matrix[i, j].item()
            ax.text(j, i, f"{value:.2f}", ha="center", va="center", fontsize=9,
                    color="white" if abs(value) > 0.6 else "black")
    ax.set_title(title)
    fig.colorbar(image, ax=ax, fraction=0.04)
    fig.tight_layout()
    return fig


def attention_heatmap(weights, tokens, title="Attention", ax=None):
    """Attention weights of one head: row = the token that attends, column = the token attended to."""
    weights = torch.as_tensor(weights).float()
    n = len(tokens)
    if tuple(weights.shape) != (n, n):
        raise InputError(f"attention_heatmap needs a ({n}, {n}) matrix for {n} tokens, got {tuple(weights.shape)}; "
                         "pick one layer, one sequence and one head, e.g. attentions[layer][0, head].")
    size = max(4.0, 0.45 * n + 1.5)
    fig, ax = (ax.figure, ax) if ax is not None else plt.subplots(figsize=(size + 1, size))
    image = ax.imshow(weights, vmin=0, vmax=1, cmap="Blues")
    ax.set_xticks(range(n), tokens, rotation=90, fontsize=9)
    ax.set_yticks(range(n), tokens, fontsize=9)
    ax.set(xlabel="attended to (key)", ylabel="attending (query)", title=title)
    fig.colorbar(image, ax=ax, fraction=0.046, label="attention weight")
    fig.tight_layout()
    return fig


def fill_mask_charts(predictions, columns=2):
    """One bar chart per sentence: `predictions` is {sentence: [(token, probability), ...]} from best to worst."""
    from .plots import bar_chart

    if not isinstance(predictions, dict) or not predictions:
        raise InputError("fill_mask_charts() needs a dict {sentence: [(token, probability), ...]} with at least "
                         f"one sentence; got {type(predictions).__name__}.", "pass e.g. {s: fill_mask(s) for s in sentences}.")
    n = len(predictions)
    columns = min(columns, n)
    rows = math.ceil(n / columns)
    fig, axes = plt.subplots(rows, columns, figsize=(5.2 * columns, 3.0 * rows), squeeze=False)
    for ax, (sentence, top) in zip(axes.flat, predictions.items()):
        tokens, probs = zip(*top) if top else ((), ())
        bar_chart(tokens, probs, title=_short(sentence, 48), ax=ax, highlight={0})
        ax.title.set_fontsize(9)
        ax.set_ylim(0, max(probs, default=1) * 1.2)
    for ax in list(axes.flat)[n:]:
        ax.axis("off")
    fig.tight_layout()
    return fig
