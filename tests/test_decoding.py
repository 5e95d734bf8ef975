"""Lesson 03 helpers, checked against cases computed by hand and against transformers' own warpers."""

import math

import pytest
import torch

from helpers import decoding as d


# --- diversity metrics ------------------------------------------------------------------------------------------

def test_words_lowercases_and_leaves_punctuation_out():
    assert d.words("The dog, the DOG didn't.") == ["the", "dog", "the", "dog", "didn't"]
    assert d.words("... !") == []
    assert d.words("") == []


def test_ngrams():
    assert d.ngrams(["a", "b", "c"], 2) == [("a", "b"), ("b", "c")]
    assert d.ngrams(["a"], 2) == []
    with pytest.raises(ValueError):
        d.ngrams(["a"], 0)


def test_distinct_n_by_hand():
    # "the cat the cat": unigrams the, cat, the, cat -> 2 unique of 4; bigrams (the cat) (cat the) (the cat) -> 2 of 3
    assert d.distinct_n("the cat the cat", 1) == pytest.approx(2 / 4)
    assert d.distinct_n("the cat the cat", 2) == pytest.approx(2 / 3)
    assert d.distinct_n("a b c d", 2) == 1.0
    assert d.distinct_n([7, 7, 7], 1) == pytest.approx(1 / 3)  # token ids work too
    assert d.distinct_n("", 1) == 0.0
    assert d.distinct_n("one", 2) == 0.0


def test_repeated_ngram_rate_by_hand():
    # bigrams of "a b a b a b": ab ba ab ba ab -> 5 bigrams, 2 unique, so 3 repeat an earlier one
    assert d.repeated_ngram_rate("a b a b a b", 2) == pytest.approx(3 / 5)
    assert d.repeated_ngram_rate("a b c d e", 2) == 0.0
    # the same 4-gram three times in a row: "x y z w" x3 -> 9 four-grams, 4 unique
    assert d.repeated_ngram_rate("x y z w " * 3, 4) == pytest.approx(5 / 9)
    assert d.repeated_ngram_rate("too short", 4) == 0.0
    text = "I am here and I am here and I am here"
    assert d.repeated_ngram_rate(text, 3) == pytest.approx(1 - d.distinct_n(text, 3))


def test_diversity_and_most_repeated():
    row = d.diversity("the cat the cat", rep_n=2)
    assert row == {"words": 4, "rep-2": pytest.approx(1 / 3), "distinct-1": 0.5, "distinct-2": pytest.approx(2 / 3)}
    assert d.most_repeated("a b a b a b", 2) == ("a b", 3)
    assert d.most_repeated("a b c", 2) is None
    assert d.most_repeated("", 2) is None


# --- filters on a probability vector ----------------------------------------------------------------------------

P = torch.tensor([0.5, 0.2, 0.15, 0.1, 0.05])


def close(a, b):
    return torch.allclose(a, torch.tensor(b, dtype=a.dtype), atol=1e-6)


def test_temperature_by_hand():
    probs = torch.tensor([0.5, 0.25, 0.25])
    # T = 0.5 squares the probabilities: .25, .0625, .0625 -> / .375
    assert close(d.with_temperature(probs, 0.5), [2 / 3, 1 / 6, 1 / 6])
    # T = 2 takes square roots: .7071, .5, .5 -> / 1.7071
    root = math.sqrt(0.5)
    assert close(d.with_temperature(probs, 2.0), [root / (root + 1), 0.5 / (root + 1), 0.5 / (root + 1)])
    assert close(d.with_temperature(probs, 1.0), [0.5, 0.25, 0.25])
    assert close(d.with_temperature(probs, 1e-3), [1.0, 0.0, 0.0])
    assert close(d.with_temperature(torch.tensor([0.0, 1.0]), 0.5), [0.0, 1.0])  # zeros stay zero
    with pytest.raises(ValueError):
        d.with_temperature(probs, 0)


def test_temperature_equals_softmax_of_scaled_logits():
    logits = torch.randn(3, 50, generator=torch.Generator().manual_seed(0))
    for t in (0.3, 1.0, 1.7):
        assert torch.allclose(d.with_temperature(logits.softmax(-1), t), (logits / t).softmax(-1), atol=1e-6)


def test_top_k_by_hand():
    assert close(d.top_k_filter(P, 2), [5 / 7, 2 / 7, 0, 0, 0])
    assert close(d.top_k_filter(P, 1), [1, 0, 0, 0, 0])
    assert close(d.top_k_filter(P, 0), P.tolist())  # 0 = off, as in transformers
    assert close(d.top_k_filter(P, 9), P.tolist())


def test_top_p_by_hand():
    # mass above each token (sorted): 0, .5, .7, .85, .95
    assert close(d.top_p_filter(P, 0.6), [5 / 7, 2 / 7, 0, 0, 0])
    assert close(d.top_p_filter(P, 0.8), [0.5 / 0.85, 0.2 / 0.85, 0.15 / 0.85, 0, 0])
    assert close(d.top_p_filter(P, 0.4), [1, 0, 0, 0, 0])  # the top token is always kept
    assert close(d.top_p_filter(P, 1.0), P.tolist())
    shuffled = torch.tensor([0.1, 0.5, 0.05, 0.2, 0.15])  # order in the vocabulary does not matter
    assert close(d.top_p_filter(shuffled, 0.6), [0, 5 / 7, 0, 2 / 7, 0])


def test_min_p_by_hand():
    # min_p = 0.25: threshold .25 * .5 = .125 keeps .5, .2, .15
    assert close(d.min_p_filter(P, 0.25), [0.5 / 0.85, 0.2 / 0.85, 0.15 / 0.85, 0, 0])
    assert close(d.min_p_filter(P, 0.5), [1, 0, 0, 0, 0])
    assert close(d.min_p_filter(P, 0.0), P.tolist())


def test_kept_counts():
    assert d.kept(d.top_p_filter(P, 0.8)) == 3
    assert d.kept(torch.stack([d.top_k_filter(P, 2), P])) == [2, 5]


def test_filters_keep_what_transformers_keeps():
    from transformers import MinPLogitsWarper, TopKLogitsWarper, TopPLogitsWarper

    logits = torch.randn(8, 300, generator=torch.Generator().manual_seed(1)) * 3
    probs = logits.softmax(-1)
    ids = torch.zeros(8, 1, dtype=torch.long)
    cases = [(d.top_k_filter, TopKLogitsWarper, 20), (d.top_p_filter, TopPLogitsWarper, 0.9),
             (d.top_p_filter, TopPLogitsWarper, 0.5), (d.min_p_filter, MinPLogitsWarper, 0.1)]
    for ours, theirs, value in cases:
        library = theirs(value)(ids, logits.clone()).softmax(-1)
        assert torch.equal(ours(probs, value) > 0, library > 0), (ours.__name__, value)
        assert torch.allclose(ours(probs, value), library, atol=1e-5)


def test_token_label_shows_spaces():
    class Tok:
        def decode(self, ids):
            return {5: " dog", 6: "."}[ids[0]]

    assert d.token_label(Tok(), torch.tensor(5)) == "' dog'"
    assert d.token_label(Tok(), 6) == "'.'"


# --- plots ------------------------------------------------------------------------------------------------------

def test_plots_return_figures():
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    probs = torch.randn(100, generator=torch.Generator().manual_seed(2)).softmax(-1)
    fig = d.plot_nucleus(probs, [f"t{i}" for i in range(100)], top_p=0.5)
    assert isinstance(fig, Figure) and "keeps the" in fig.axes[0].get_title()
    assert isinstance(d.plot_nucleus(probs, lambda i: f"t{i}", top_p=0.9, show=5), Figure)
    assert isinstance(d.plot_kept_counts({"top-k": [50, 50], "top-p": [3, 40]}), Figure)
    points = {"greedy": [{"distinct-2": 0.4, "perplexity": 2.0}],
              "sampling": [{"distinct-2": 0.9, "perplexity": 30.0}, {"distinct-2": 0.8, "perplexity": 20.0}]}
    assert isinstance(d.plot_tradeoff(points), Figure)


# --- the profiles table rows the notebook's checks rely on --------------------------------------------------------

def test_lesson_03_profiles_support_the_checks():
    from helpers.config import PROFILES

    for profile, settings in PROFILES["03"].items():
        assert settings["models"] == {"lm": "gpt2"}, profile
        assert settings["max_new_tokens"] >= 20, f"{profile}: the greedy-by-hand check compares at least 20 tokens"
        assert settings["num_beams"] >= 2 and settings["n_samples"] >= 2, profile
        assert {"total", "comparison"} <= set(settings["seconds"]), profile
