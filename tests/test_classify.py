"""Lesson 04 plumbing: batched inference in length order, frozen features, measurement, padding bookkeeping,
k-fold splitting, Trainer loss curves, and the lesson's figures."""

import matplotlib
import numpy as np
import pytest
import torch
from matplotlib.figure import Figure

from helpers import classify

matplotlib.use("Agg")

TEXTS = ["A wonderful film.", "The plot was dull and the acting was awful, I admit it was boring.",
         "Brilliant!", "My rating: 8/10. The soundtrack was lovely and the ending was moving.", "Weak."]


# ---------------------------------------------------------------- parameters and batching


# ---------------------------------------------------------------- predictions


def test_predict_proba_sums_to_one_and_keeps_the_order(tiny_encoder):
    tokenizer, _, classifier = tiny_encoder
    probs = classify.predict_proba(classifier, tokenizer, TEXTS, max_length=64, batch_size=2)
    assert probs.shape == (len(TEXTS), 2)
    np.testing.assert_allclose(probs.sum(-1), 1.0, atol=1e-6)
    classifier.eval()
    with torch.no_grad():
        for i, text in enumerate(TEXTS):  # one at a time, unpadded: the same numbers
            single = classifier(**tokenizer(text, return_tensors="pt")).logits.softmax(-1)[0].numpy()
            np.testing.assert_allclose(probs[i], single, atol=1e-5)


def test_predict_proba_turns_dropout_off_and_restores_the_mode(tiny_encoder):
    tokenizer, _, classifier = tiny_encoder
    classifier.train()
    first = classify.predict_proba(classifier, tokenizer, TEXTS, max_length=64)
    assert classifier.training
    np.testing.assert_array_equal(first, classify.predict_proba(classifier, tokenizer, TEXTS, max_length=64))
    classifier.eval()


def test_max_length_truncates(tiny_encoder):
    tokenizer, _, classifier = tiny_encoder
    short = classify.predict_proba(classifier, tokenizer, [TEXTS[1]], max_length=4)
    with torch.no_grad():
        inputs = tokenizer(TEXTS[1], truncation=True, max_length=4, return_tensors="pt")
        expected = classifier.eval()(**inputs).logits.softmax(-1)[0].numpy()
    np.testing.assert_allclose(short[0], expected, atol=1e-5)


# ---------------------------------------------------------------- training bookkeeping


def test_kfold_scores_hold_out_every_example_once_with_balanced_folds():
    labels = np.array([0, 1] * 25)
    held_out = []

    def fit_and_score(train_index, val_index):
        assert not set(train_index) & set(val_index)
        assert labels[val_index].mean() == pytest.approx(0.5)
        held_out.extend(val_index)
        return len(val_index) / len(labels)

    scores = classify.kfold_scores(labels, fit_and_score, k=5, seed=0)
    assert scores == [0.2] * 5
    assert sorted(held_out) == list(range(len(labels)))


# ---------------------------------------------------------------- figures


def test_figures_are_returned():
    import matplotlib.pyplot as plt

    labels, predictions = [0, 0, 1, 1, 1], [0, 1, 1, 1, 0]
    fig = classify.confusion_matrix_figure(labels, predictions, ["neg", "pos"], title="m")
    texts = sorted(t.get_text() for t in fig.axes[0].texts)
    assert isinstance(fig, Figure) and texts == ["1", "1", "1", "2"]
    figs = [fig,
            classify.confusion_matrices_figure({"a": (labels, predictions), "b": (labels, labels)}, ["neg", "pos"]),
            classify.length_histogram([10, 20, 300, 40], max_length=256)]
    rows = {name: {"accuracy": 0.8, "f1": 0.7, "roc_auc": 0.9, "trainable parameters": n, "wall time (s)": 1.0,
                   "peak memory (MiB)": 10.0} for name, n in [("a", 10), ("b", 1000)]}
    figs.append(classify.comparison_figure(rows))
    assert all(isinstance(f, Figure) for f in figs)
    assert len(figs[1].axes) == 2 and len(figs[-1].axes) == 4
    plt.close("all")
