"""Plumbing for lesson 04 (sentiment fine-tuning three ways).

What the lesson teaches stays in the notebook: the frozen-feature loop, the head and its training loop, the
Trainer setup, the LoRA config. This module holds what would only clutter it: class probabilities of a model in
batches of similar lengths, padding bookkeeping, k-fold splitting, and the lesson's figures.
"""

import matplotlib.pyplot as plt
import numpy as np

from . import validate
from .batching import eval_mode, length_sorted_batches, progress_bar, token_lengths
from .errors import InputError
from .plots import grouped_bars

# ---------------------------------------------------------------- batched inference


def _batched_forward(model, tokenizer, texts, max_length, batch_size, device, progress, desc, step):
    """Run `step(model, batch_inputs)` over `texts` in length-sorted batches under inference mode.

    Returns the per-text outputs (a tensor per text, on the CPU) in the order of `texts`.
    """
    import torch

    texts = validate.texts("texts", texts)
    max_length = validate.token_limit("max_length", max_length, model)
    lengths = token_lengths(tokenizer, texts, max_length)
    results = [None] * len(texts)
    with eval_mode(model), torch.inference_mode():
        for rows in progress_bar(length_sorted_batches(lengths, batch_size), progress, desc):
            inputs = tokenizer([texts[i] for i in rows], padding=True, truncation=True, max_length=max_length,
                               return_tensors="pt").to(device)
            outputs = step(model, inputs).float().cpu()
            for row, output in zip(rows, outputs):
                results[row] = output
    return results


def predict_proba(model, tokenizer, texts, max_length, batch_size=64, device="cpu", progress=False):
    """Class probabilities of a sequence classifier for each text: a NumPy array (len(texts), num_labels)."""
    import torch

    rows = _batched_forward(model, tokenizer, texts, max_length, batch_size, device, progress, "predict",
                            lambda m, inputs: m(**inputs).logits.softmax(-1))
    return torch.stack(rows).numpy()


# ---------------------------------------------------------------- training bookkeeping


def kfold_scores(labels, fit_and_score, k=5, seed=0):
    """Stratified k-fold cross-validation: calls fit_and_score(train_index, val_index) once per fold.

    Returns the list of the k scores it returned (the caller reports their mean and standard deviation).
    """
    from sklearn.model_selection import StratifiedKFold

    labels = np.asarray(labels)
    if isinstance(k, bool) or not isinstance(k, int) or not 2 <= k <= len(labels):
        raise InputError(f"k must be a whole number from 2 to the number of examples ({len(labels)}); got {k!r}.",
                         "pass e.g. k=5.")
    folds = StratifiedKFold(n_splits=k, shuffle=True, random_state=seed)
    return [float(fit_and_score(train_index, val_index))
            for train_index, val_index in folds.split(np.zeros(len(labels)), labels)]


# ---------------------------------------------------------------- figures


def length_histogram(lengths, max_length=None, title="Review length in tokens", ax=None):
    """Histogram of token lengths, with the truncation length marked."""
    lengths = validate.counts("lengths", lengths)
    fig, ax = (ax.figure, ax) if ax is not None else plt.subplots(figsize=(6.5, 3))
    ax.hist(lengths, bins=40, color="tab:blue", alpha=0.85)
    ax.axvline(float(np.median(lengths)), color="black", linestyle=":", label=f"median {np.median(lengths):.0f}")
    if max_length is not None:
        longer = int(np.sum(np.asarray(lengths) > max_length))  # a count: a rounded share would hide a few
        ax.axvline(max_length, color="tab:red", linestyle="--",
                   label=f"max_length {max_length}: {longer} of {len(lengths)} longer")
    ax.set(title=title, xlabel="tokens", ylabel="reviews")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def confusion_matrix_figure(labels, predictions, label_names, title="", ax=None):
    """A confusion matrix as a heat map with counts (scikit-learn's ConfusionMatrixDisplay): rows are the true
    labels, columns the predictions."""
    from sklearn.metrics import ConfusionMatrixDisplay

    labels, predictions = list(labels), list(predictions)
    validate.same_length("labels", labels, "predictions", predictions)
    if not labels or isinstance(label_names, str) or len(label_names) < 2:
        raise InputError("confusion_matrix_figure() needs labels, as many predictions, and the list of class names.",
                         "pass e.g. (labels['test'], probs.argmax(-1), ['neg', 'pos']).")
    fig, ax = (ax.figure, ax) if ax is not None else plt.subplots(figsize=(3.4, 3))
    ConfusionMatrixDisplay.from_predictions(labels, predictions, labels=list(range(len(label_names))),
                                            display_labels=list(label_names), cmap="Blues", colorbar=False, ax=ax)
    ax.set(title=title, xlabel="predicted", ylabel="true")
    fig.tight_layout()
    return fig


def confusion_matrices_figure(results, label_names):
    """One confusion matrix per method, side by side: `results` is {method: (labels, predictions)}."""
    if not isinstance(results, dict) or not results:
        raise InputError("confusion_matrices_figure() needs {method: (labels, predictions)} with one method at least.",
                         "pass e.g. {'LoRA': (labels['test'], lora_probs.argmax(-1))}.")
    fig, axes = plt.subplots(1, len(results), figsize=(3.1 * len(results), 3), squeeze=False)
    for ax, (name, (labels, predictions)) in zip(axes[0], results.items()):
        confusion_matrix_figure(labels, predictions, label_names, title=name, ax=ax)
    fig.tight_layout()
    return fig


def comparison_figure(rows, metrics=("accuracy", "f1", "roc_auc")):
    """The closing comparison: metrics, trainable parameters, wall time and peak memory per method.

    `rows` is {method: {"accuracy": ..., "f1": ..., "roc_auc": ..., "trainable parameters": ...,
    "wall time (s)": ..., "peak memory (MiB)": ...}}.
    """
    needed = set(metrics) | {"trainable parameters", "wall time (s)", "peak memory (MiB)"}
    missing = {name: sorted(needed - set(row)) for name, row in (rows.items() if isinstance(rows, dict) else [])}
    if not isinstance(rows, dict) or not rows or any(missing.values()):
        raise InputError(f"comparison_figure() needs {{method: {{...}}}} with {', '.join(sorted(needed))}; "
                         f"missing: {({k: v for k, v in missing.items() if v})}.", "add the missing columns.")
    names = list(rows)
    colors = [f"C{i}" for i in range(len(names))]
    fig, axes = plt.subplots(1, 4, figsize=(15, 3.4), gridspec_kw={"width_ratios": [2.2, 1, 1, 1]})
    grouped_bars({name: {m: rows[name][m] for m in metrics} for name in names}, title="test metrics", ax=axes[0])
    for ax, column, log in zip(axes[1:], ["trainable parameters", "wall time (s)", "peak memory (MiB)"],
                               [True, False, False]):
        values = [rows[name][column] for name in names]
        ax.bar(range(len(names)), values, color=colors)
        ax.set_xticks(range(len(names)), names, rotation=35, ha="right", fontsize=8)
        ax.set_title(column + (" (log)" if log else ""))
        if log:
            ax.set_yscale("log")
    fig.tight_layout()
    return fig
