"""Bad input to a helper fails at once with the course's InputError, whose message names the argument.

Each case once gave a silent wrong result (a string processed character by character, an all-NaN distribution,
a size of 0 bytes for a missing folder) or a deep library error that named no fix.
"""

import pytest
import torch

from helpers import (batching, checks, classify, decoding, generation, measure, metrics, mlm, plots, preferences,
                     prompts, recipes, seq2seq, session)
from helpers.errors import InputError

P = torch.tensor([0.5, 0.3, 0.2])
ROW = {"dialogue": "#Person1#: Hi.\n#Person2#: Hello.", "summary": "They greet."}


@pytest.fixture(scope="module")
def models(t5, tiny_bert, tiny_encoder, tiny_gpt2):
    return {"t5": t5, "bert": tiny_bert, "encoder": tiny_encoder, "gpt2": tiny_gpt2}


CASES = {
    # silent wrong results before
    "generate_batched with one string": (lambda m: generation.generate_batched(*m["t5"], "a prompt"), "texts"),
    "rouge with two strings": (lambda m: metrics.rouge("the cat", "the dog"), "predictions"),
    "predict_proba with one string": (lambda m: classify.predict_proba(m["encoder"][2], m["encoder"][0], "a review",
                                                                       64), "texts"),
    "batch_size=-1": (lambda m: generation.generate_batched(*m["t5"], ["a"], batch_size=-1), "batch_size"),
    "max_input_tokens=0": (lambda m: generation.generate_batched(*m["t5"], ["a"], max_input_tokens=0),
                           "max_input_tokens"),
    "top_p_filter(p, 0)": (lambda m: decoding.top_p_filter(P, 0), "top_p"),
    "top_p_filter(p, -0.5)": (lambda m: decoding.top_p_filter(P, -0.5), "top_p"),
    "min_p_filter(p, 1.5)": (lambda m: decoding.min_p_filter(P, 1.5), "min_p"),
    "folder_size of a missing path": (lambda m: measure.folder_size("/no/such/folder"), "path"),
    "cosine_matrix([])": (lambda m: mlm.cosine_matrix([]), "cosine_matrix"),
    # deep library errors before
    "predict_proba(max_length=2000)": (lambda m: classify.predict_proba(m["encoder"][2], m["encoder"][0], ["a"],
                                                                        2000), "max_length"),
    "predict_proba(max_length=0)": (lambda m: classify.predict_proba(m["encoder"][2], m["encoder"][0], ["a"], 0),
                                    "max_length"),
    "predict_proba batch_size=0": (lambda m: classify.predict_proba(m["encoder"][2], m["encoder"][0], ["a"], 64,
                                                                    batch_size=0), "batch_size"),
    "pseudo_perplexity of ''": (lambda m: mlm.pseudo_perplexity(*m["bert"], ""), "text"),
    "pseudo_perplexity of a list": (lambda m: mlm.pseudo_perplexity(*m["bert"], ["a", "b"]), "text"),
    "pseudo_perplexity beyond the positions": (lambda m: mlm.pseudo_perplexity(*m["bert"], "word " * 600),
                                               "length in tokens"),
    "scramble(None)": (lambda m: mlm.scramble(None), "text"),
    "count_tokens(tok, [])": (lambda m: prompts.count_tokens(m["t5"][1], []), "texts"),
    "count_tokens(tok, None)": (lambda m: prompts.count_tokens(m["t5"][1], None), "texts"),
    "build_prompt(None)": (lambda m: prompts.build_prompt(None), "dialogue"),
    "build_prompt with a row, not a list": (lambda m: prompts.build_prompt("d", examples=ROW), "examples"),
    "build_prompt with a bad example": (lambda m: prompts.build_prompt("d", examples=["just text"]), "example"),
    "build_prompt without {dialogue}": (lambda m: prompts.build_prompt("d", template="Summarize:"), "template"),
    "fit_dialogue(None)": (lambda m: prompts.fit_dialogue(None, m["t5"][1]), "dialogue"),
    "fit_dialogue max_tokens=0": (lambda m: prompts.fit_dialogue("d", m["t5"][1], max_tokens=0), "max_tokens"),
    "fit_dialogue without {dialogue}": (lambda m: prompts.fit_dialogue("d", m["t5"][1], template="Sum:"), "template"),
    "check_fits max_tokens=0": (lambda m: prompts.check_fits(m["t5"][1], ["a"], max_tokens=0), "max_tokens"),
    "check_fits([])": (lambda m: prompts.check_fits(m["t5"][1], []), "prompts"),
    "budget_chart([])": (lambda m: prompts.budget_chart([], 512), "budget_chart"),
    "evaluate_summaries, lengths differ": (lambda m: seq2seq.evaluate_summaries(*m["t5"], ["a", "b"], ["r"]),
                                           "references"),
    "evaluate_summaries with one string": (lambda m: seq2seq.evaluate_summaries(*m["t5"], "a", ["r"]), "prompts"),
    "preprocess without the column": (lambda m: seq2seq.preprocess({"text": ["a"]}, m["t5"][1], str, 8, 8),
                                      "dialogue"),
    "changed_base_weights of a plain model": (lambda m: seq2seq.changed_base_weights(m["t5"][0], m["t5"][0]),
                                              "PEFT"),
    "length_histograms([])": (lambda m: seq2seq.length_histograms([], [3]), "source_lengths"),
    "with_temperature(p, 0)": (lambda m: decoding.with_temperature(P, 0), "temperature"),
    "top_k_filter(p, -1)": (lambda m: decoding.top_k_filter(P, -1), "k"),
    "top_p_filter of logits": (lambda m: decoding.top_p_filter(torch.tensor([2.0, -1.0]), 0.9), "probs"),
    "top_p_filter of a list": (lambda m: decoding.top_p_filter([0.5, 0.5], 0.9), "probs"),
    "distinct_n(n=0)": (lambda m: decoding.distinct_n("a b c", 0), "n"),
    "diversity(None)": (lambda m: decoding.diversity(None), "words()"),
    "masked_lm_loss shapes": (lambda m: mlm.masked_lm_loss(torch.zeros(2, 5, 10), torch.zeros(2, 4).long()), "labels"),
    "masking_counts maskable": (lambda m: mlm.masking_counts([["[MASK]", ""]], 0), "maskable"),
    "similarity_heatmap labels": (lambda m: mlm.similarity_heatmap(torch.eye(3), ["a", "b"]), "labels"),
    "fill_mask_charts({})": (lambda m: mlm.fill_mask_charts({}), "fill_mask_charts"),
    "padded_tokens strategy": (lambda m: batching.padded_tokens([3, 4], 2, "random", 512), "strategy"),
    "padded_tokens([])": (lambda m: batching.padded_tokens([], 2, "fixed", 512), "lengths"),
    "kfold_scores(k=1)": (lambda m: classify.kfold_scores([0, 1, 0, 1], lambda a, b: 1.0, k=1), "k"),
    "length_histogram([])": (lambda m: classify.length_histogram([]), "lengths"),
    "confusion matrix lengths": (lambda m: classify.confusion_matrix_figure([0, 1], [0], ["neg", "pos"]),
                                 "predictions"),
    "comparison_figure columns": (lambda m: classify.comparison_figure({"LoRA": {"accuracy": 0.9}}), "missing"),
    "classification_metrics lengths": (lambda m: metrics.classification_metrics([0, 1], [1]), "predictions"),
    "classification_metrics of a string": (lambda m: metrics.classification_metrics("01", [0, 1]), "labels"),
    "rouge_types": (lambda m: metrics.rouge(["a"], ["a"], rouge_types=["rouge3"]), "rouge_types"),
    "perplexity(-1)": (lambda m: metrics.perplexity(-1.0), "perplexity"),
    "memory_breakdown trainable > total": (lambda m: measure.memory_breakdown(10, 20), "trainable_params"),
    "bar_chart lengths": (lambda m: plots.bar_chart(["a", "b"], [0.5]), "values"),
    "grouped_bars({})": (lambda m: plots.grouped_bars({}), "table"),
    "trainer_curves x": (lambda m: plots.trainer_curves([], x="epochs"), "x"),
    "check without a test": (lambda m: checks.check("1", 1, None, hint="h"), "test"),
    # silent or deep before the housekeeping pass
    "classification_metrics of probabilities": (lambda m: metrics.classification_metrics([0, 1], [0.7, 0.2]),
                                                "argmax"),
    "classification_metrics of label names": (lambda m: metrics.classification_metrics(["neg", "pos"], [0, 1]),
                                              "label2id"),
    "rouge with a None prediction": (lambda m: metrics.rouge(["a", None], ["a", "b"]), "predictions"),
    "generate_batched with a None prompt": (lambda m: generation.generate_batched(*m["t5"], ["a", None]), "texts"),
    "setup(seed='abc')": (lambda m: session.setup("00", profile="tiny", seed="abc", quiet=True), "seed"),
    "setup(seed=1.5)": (lambda m: session.setup("00", profile="tiny", seed=1.5, quiet=True), "seed"),
    "setup(seed=None)": (lambda m: session.setup("00", profile="tiny", seed=None, quiet=True), "seed"),
    "fits with one string answer": (lambda m: preferences.fits(m["t5"][1], [], "an answer", 64), "answers"),
    "lora_config with a string": (lambda m: preferences.lora_config({"lora_r": 2, "lora_alpha": 4,
                                                                     "lora_targets": "q_proj"}), "lora_targets"),
    "length_limit(cap=0)": (lambda m: recipes.length_limit([10, 20], 0), "cap"),
    "token_lengths(max_length=0)": (lambda m: batching.token_lengths(m["t5"][1], ["a b"], max_length=0), "max_length"),
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_bad_input_names_the_argument(models, case):
    call, argument = CASES[case]
    with pytest.raises(InputError) as error:
        call(models)
    message = str(error.value)
    assert argument in message, message
    assert "What to do:" in message and "wrong-input-to-a-helper" in message


def test_every_module_imported_here_has_a_case():
    """A module in the import list above without a case means its checks went untested (or the list is stale)."""
    import ast
    import inspect
    from pathlib import Path

    sources = "".join(inspect.getsource(call) for call, _ in CASES.values())
    tree = ast.parse(Path(__file__).read_text())
    imported = {alias.name for node in tree.body if isinstance(node, ast.ImportFrom) and node.module == "helpers"
                for alias in node.names}
    assert len(imported) > 10, "the module list above is read from this file's `from helpers import ...`"
    assert {name for name in imported if f"{name}." not in sources} == set()


def test_good_input_still_works(models):
    model, tokenizer = models["t5"]
    assert len(generation.generate_batched(model, tokenizer, ["Summarize: hi."], max_new_tokens=2)) == 1
    assert decoding.kept(decoding.top_p_filter(P, 1.0)) == 3 and decoding.kept(decoding.min_p_filter(P, 0.0)) == 3
    assert prompts.build_prompt("", examples=[ROW]).endswith("Summary:")
    assert metrics.rouge(["a b"], [["c d", "a b"]])["rouge1"] == 1.0
