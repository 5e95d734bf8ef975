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


MULTI = [("the cat sat on the mat", ["a dog barked", "the cat sat on a mat", "the mat"]),
         ("#Person1# buys a red jacket.", ["#Person1# buys a jacket.", "Someone shops."])]


def test_several_references_score_the_best_one():
    scorer = rouge_scorer.RougeScorer(list(metrics.ROUGE_TYPES), use_stemmer=True)
    expected = {k: sum(max(scorer.score(r, p)[k].fmeasure for r in refs) for p, refs in MULTI) / len(MULTI)
                for k in metrics.ROUGE_TYPES}
    got = metrics.rouge([p for p, _ in MULTI], [refs for _, refs in MULTI])
    assert got == pytest.approx(expected)
    assert got["rouge1"] > metrics.rouge([p for p, _ in MULTI], [refs[0] for _, refs in MULTI])["rouge1"]


def test_the_course_metric_is_an_evaluate_module_with_evaluates_arguments():
    import evaluate

    module = evaluate.load(metrics.COURSE_ROUGE)
    assert isinstance(module, evaluate.EvaluationModule)
    per_example = module.compute(predictions=[p for p, _ in PAIRS], references=[r for _, r in PAIRS],
                                 use_aggregator=False)
    scorer = rouge_scorer.RougeScorer(["rouge1"], use_stemmer=True)
    assert per_example["rouge1"] == pytest.approx([scorer.score(r, p)["rouge1"].fmeasure for p, r in PAIRS])
    unstemmed = module.compute(predictions=["he talks"], references=["he talked"], use_stemmer=False)
    assert unstemmed["rouge1"] == pytest.approx(0.5)  # "talks" != "talked" without stemming
    assert module.compute(predictions=["he talks"], references=["he talked"])["rouge1"] == 1.0


def test_the_course_metric_loads_with_the_network_blocked(tmp_path):
    """In a fresh process with no offline switches set at all: loading by path needs no network."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.endswith("_OFFLINE")}
    env.update(COURSE_NETWORK_GUARD="1", COURSE_NETWORK_LOG=str(tmp_path / "network.log"),
               HF_MODULES_CACHE=str(tmp_path / "modules"))
    code = ("import evaluate; from helpers.metrics import COURSE_ROUGE; "
            "print(evaluate.load(COURSE_ROUGE).compute(predictions=['a b'], references=['a b'])['rouge1'])")
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and result.stdout.strip() == "1.0", result.stderr[-2000:]
    assert not (tmp_path / "network.log").exists(), (tmp_path / "network.log").read_text()


def test_speaker_check_compares_the_first_speaker_with_the_human_summaries():
    summaries = ["#Person2# tells #Person1# the way.", "#Person1# asks for help.", "They talk.", "#Person1# pays."]
    references = [["#Person1# asks #Person2# the way.", "#Person2# explains the way."], "#Person2# helps #Person1#.",
                  ["#Person1# and #Person2# talk."], ["#Person1# pays the bill."]]
    found = metrics.speaker_check(summaries, references)
    assert found == {"summaries naming a speaker": 0.75, "first speaker as in a human summary": 2 / 3}
    with pytest.raises(ValueError):
        metrics.speaker_check(summaries, references[:2])
