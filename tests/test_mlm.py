"""Unit tests for helpers.mlm (lesson 01). The model tests use the tiny BERT (built offline in < 1 min)."""

import math

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from helpers import mlm  # noqa: E402

WORDS = "I am a data scientist".split()


# ---------------------------------------------------------------- next-word table


def good_table():
    return [(" ".join(WORDS[:i]), WORDS[i]) for i in range(1, len(WORDS))]


def test_next_word_table_accepts_pairs_dataframe_and_word_lists():
    assert mlm.check_next_word_table(good_table(), WORDS)
    assert mlm.check_next_word_table(pd.DataFrame(good_table(), columns=["input", "label"]), WORDS)
    assert mlm.check_next_word_table([(WORDS[:i], WORDS[i]) for i in range(1, len(WORDS))], WORDS)


@pytest.mark.parametrize("table, message", [
    (good_table()[:-1], "needs 4"),
    (good_table() + [("I am a data scientist", ".")], "needs 4"),
    ([("I", "am"), ("I am", "a"), ("I am a", "data"), ("am a data", "scientist")], "row 3: the input"),
    ([("I", "am"), ("I am", "an"), ("I am a", "data"), ("I am a data", "scientist")], "row 1: the label"),
])
def test_next_word_table_rejects_wrong_tables(table, message):
    with pytest.raises(AssertionError, match=message):
        mlm.check_next_word_table(table, WORDS)


# ---------------------------------------------------------------- loss


def test_masked_lm_loss_equals_cross_entropy_and_skips_ignored():
    torch.manual_seed(0)
    logits = torch.randn(2, 5, 11)
    labels = torch.full((2, 5), mlm.IGNORE_INDEX)
    labels[0, 1], labels[1, 3], labels[1, 4] = 3, 7, 0
    expected = torch.nn.functional.cross_entropy(logits.view(-1, 11), labels.view(-1))
    assert torch.allclose(mlm.masked_lm_loss(logits, labels), expected, atol=1e-6)


def test_masked_lm_loss_by_probability():
    logits = torch.log(torch.tensor([[0.5, 0.25, 0.25], [0.1, 0.1, 0.8]]))
    labels = torch.tensor([0, 2])
    assert mlm.masked_lm_loss(logits, labels).item() == pytest.approx(-(math.log(0.5) + math.log(0.8)) / 2)


def test_masked_lm_loss_without_labels_raises():
    with pytest.raises(ValueError, match="every label is -100"):
        mlm.masked_lm_loss(torch.zeros(3, 4), torch.full((3,), -100))


def test_one_mask_per_row():
    ids = torch.tensor([101, 7, 8, 9, 102])
    batch, labels, positions = mlm.one_mask_per_row(ids, [1, 0, 0, 0, 1], mask_token_id=4)
    assert positions == [1, 2, 3]
    assert batch.tolist() == [[101, 4, 8, 9, 102], [101, 7, 4, 9, 102], [101, 7, 8, 4, 102]]
    assert labels.tolist() == [[-100, 7, -100, -100, -100], [-100, -100, 8, -100, -100],
                               [-100, -100, -100, 9, -100]]


def test_scramble_changes_order_keeps_words_and_is_seeded():
    text = "The capital of France is Paris."
    scrambled = mlm.scramble(text, seed=1)
    assert scrambled != text and scrambled.endswith(".")
    assert sorted(scrambled[:-1].split()) == sorted(text[:-1].split())
    assert scrambled == mlm.scramble(text, seed=1)
    with pytest.raises(ValueError):
        mlm.scramble("dog dog.")


# ---------------------------------------------------------------- collator bookkeeping


def test_masking_outcomes_and_counts():
    original = [[2, 10, 11, 12, 13, 3]]
    inputs = [[2, 4, 50, 12, 13, 3]]
    labels = [[-100, 10, 11, 12, -100, -100]]
    outcomes = mlm.masking_outcomes(original, inputs, labels, mask_token_id=4)
    assert outcomes == [["", mlm.MASKED, mlm.RANDOM, mlm.KEPT, "", ""]]
    counts = mlm.masking_counts(outcomes, maskable=4)
    assert counts["selected"] == 3 and counts["selected share"] == 0.75
    assert counts[f"{mlm.MASKED} share"] == pytest.approx(1 / 3)
    assert mlm.masking_counts([[""]], maskable=0)["selected share"] == 0.0


def test_cosine_matrix():
    sims = mlm.cosine_matrix(torch.tensor([[1.0, 0.0], [2.0, 0.0], [0.0, 3.0], [-1.0, 0.0]]))
    assert torch.allclose(sims.diag(), torch.ones(4))
    assert sims[0, 1].item() == pytest.approx(1.0) and sims[0, 2].item() == pytest.approx(0.0)
    assert sims[0, 3].item() == pytest.approx(-1.0)


# ---------------------------------------------------------------- figures


def test_figures_are_returned():
    import matplotlib.pyplot as plt

    fig = mlm.similarity_heatmap(torch.eye(3), ["a", "b", "a very long label " * 3])
    assert len(fig.axes) == 2  # the heatmap and its colour bar
    fig2 = mlm.attention_heatmap(torch.full((3, 3), 1 / 3), ["[CLS]", "hi", "[SEP]"], title="Layer 0, head 1")
    assert fig2.axes[0].get_title() == "Layer 0, head 1"
    fig3 = mlm.fill_mask_charts({"a [MASK].": [("x", 0.5), ("y", 0.2)], "b [MASK].": [("z", 0.9), ("w", 0.01)],
                                 "c [MASK].": [("v", 0.3), ("u", 0.3)]})
    assert sum(ax.axison for ax in fig3.axes) == 3
    plt.close("all")


def test_attention_heatmap_rejects_wrong_shape():
    with pytest.raises(ValueError, match="attentions\\[layer\\]"):
        mlm.attention_heatmap(torch.zeros(4, 3, 3), ["a", "b", "c"])


# ---------------------------------------------------------------- with the tiny BERT




def test_pseudo_log_likelihoods_match_one_at_a_time(tiny_bert):
    model, tokenizer = tiny_bert
    text = "The capital of France is Paris."
    scores = mlm.pseudo_log_likelihoods(model, tokenizer, text)
    ids = tokenizer(text, return_tensors="pt")["input_ids"]
    assert [t for t, _ in scores] == tokenizer.tokenize(text)
    position = 3  # one token by hand: mask it, softmax, log
    masked = ids.clone()
    masked[0, position] = tokenizer.mask_token_id
    with torch.no_grad():
        log_p = model(input_ids=masked).logits[0, position].log_softmax(-1)[ids[0, position]].item()
    assert scores[position - 1][1] == pytest.approx(log_p, abs=1e-4)
    expected = math.exp(-sum(s for _, s in scores) / len(scores))
    assert mlm.pseudo_perplexity(model, tokenizer, text) == pytest.approx(expected)


def test_masked_lm_loss_matches_model_loss(tiny_bert):
    model, tokenizer = tiny_bert
    inputs = tokenizer(["We sat on the bank of the river.", "I am a data scientist."], return_tensors="pt",
                       padding=True)
    labels = torch.full_like(inputs["input_ids"], mlm.IGNORE_INDEX)
    labels[0, 5], labels[1, 4] = inputs["input_ids"][0, 5], inputs["input_ids"][1, 4]
    ids = inputs["input_ids"].clone()
    ids[0, 5] = ids[1, 4] = tokenizer.mask_token_id
    with torch.no_grad():
        out = model(input_ids=ids, attention_mask=inputs["attention_mask"], labels=labels)
    assert mlm.masked_lm_loss(out.logits, labels).item() == pytest.approx(out.loss.item(), abs=1e-5)


def test_masking_table_on_a_collated_batch(tiny_bert):
    from transformers import DataCollatorForLanguageModeling

    _, tokenizer = tiny_bert
    collator = DataCollatorForLanguageModeling(tokenizer, mlm_probability=0.5, seed=0)
    examples = [tokenizer("I enjoy walking with my cute dog in the park."), tokenizer("I am a data scientist.")]
    batch = collator(examples)
    original = tokenizer.pad(examples, return_tensors="pt")["input_ids"]
    table = mlm.masking_table(tokenizer, original[1], batch["input_ids"][1], batch["labels"][1])
    assert list(table.columns) == ["original", "model reads", "label", "what happened"]
    assert len(table) == len(examples[1]["input_ids"])  # padding rows dropped
    assert table["original"].tolist()[0] == "[CLS]" and table["what happened"].tolist()[0] == ""
    selected = table[table["what happened"] != ""]
    assert (selected["label"] == selected["original"]).all()


def test_corpus_pseudo_perplexity_weighs_every_token_the_same(tiny_bert):
    model, tokenizer = tiny_bert
    texts = ["the film was good", "a long and boring film with a bad end"]
    scores = [s for text in texts for _, s in mlm.pseudo_log_likelihoods(model, tokenizer, text)]
    result = mlm.corpus_pseudo_perplexity(model, tokenizer, texts)
    assert result["tokens"] == len(scores) and result["corpus"] == pytest.approx(math.exp(-sum(scores) / len(scores)))
    assert result["per_text"] == pytest.approx([mlm.pseudo_perplexity(model, tokenizer, t) for t in texts])
