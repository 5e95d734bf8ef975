"""Shared metrics against hand-computed values and the reference implementations."""

import math

import pytest
from rouge_score import rouge_scorer

from helpers import metrics

PAIRS = [("the cat sat on the mat", "the cat lay on the mat"),
         ("#Person1# buys a red jacket.", "#Person1# wants to buy a red jacket. It costs 40 dollars."),
         ("completely different words", "nothing in common here")]


def test_classification_metrics_by_hand():
    labels, predictions = [1, 1, 0, 0, 1], [1, 0, 0, 1, 1]
    scores = metrics.classification_metrics(labels, predictions, positive_scores=[.9, .4, .2, .6, .8])
    # TP=2, FP=1, FN=1, TN=1
    assert scores["accuracy"] == pytest.approx(3 / 5)
    assert scores["precision"] == pytest.approx(2 / 3) and scores["recall"] == pytest.approx(2 / 3)
    assert scores["f1"] == pytest.approx(2 / 3)
    # positive/negative pairs ranked correctly: (.9>.2,.9>.6,.4>.2,.8>.2,.8>.6) of 6 -> 5/6
    assert scores["roc_auc"] == pytest.approx(5 / 6)


def test_rouge_equals_rouge_score_mean():
    scorer = rouge_scorer.RougeScorer(list(metrics.ROUGE_TYPES), use_stemmer=True)
    expected = {k: sum(scorer.score(r, p)[k].fmeasure for p, r in PAIRS) / len(PAIRS) for k in metrics.ROUGE_TYPES}
    assert metrics.rouge([p for p, _ in PAIRS], [r for _, r in PAIRS]) == pytest.approx(expected)


def test_rouge_by_hand():
    # 5 of 6 unigrams shared both ways: P = R = F = 5/6
    assert metrics.rouge(["the cat sat on the mat"], ["the cat lay on the mat"])["rouge1"] == pytest.approx(5 / 6)
    assert metrics.rouge(["a b"], ["c d"])["rouge1"] == 0


def test_rouge_rejects_mismatched_inputs():
    with pytest.raises(ValueError, match="one prediction per reference"):
        metrics.rouge(["a"], ["a", "b"])
    with pytest.raises(ValueError, match="at least one"):
        metrics.rouge([], [])


def test_perplexity():
    assert metrics.perplexity(math.log(7)) == pytest.approx(7)
