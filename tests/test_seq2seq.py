"""Lesson 05 helpers: seq2seq preprocessing, batched ROUGE evaluation, parameter counts, measurements."""


import matplotlib

matplotlib.use("Agg")

import pytest
import torch

from helpers import measure, seq2seq
from helpers.metrics import rouge

PROMPT = "Summarize the following conversation.\n\n{}\n\nSummary:"


def build_prompt(dialogue):
    return PROMPT.format(dialogue)


@pytest.fixture(scope="module")
def rows(dialogue_rows):
    return dialogue_rows


# ---------------------------------------------------------------- preprocessing


def test_mask_label_padding_replaces_only_padding():
    assert seq2seq.mask_label_padding([[5, 6, 1, 0, 0], [7, 1]], pad_token_id=0) == [[5, 6, 1, -100, -100], [7, 1]]


def test_preprocess_pads_labels_with_minus_100(t5, rows):
    _, tokenizer = t5
    batch = rows[:4]
    out = seq2seq.preprocess(batch, tokenizer, build_prompt, max_source_length=160, max_target_length=48,
                             padding="max_length")
    expected = tokenizer(text_target=batch["summary"], max_length=48, truncation=True)["input_ids"]
    for labels, real, input_ids, mask in zip(out["labels"], expected, out["input_ids"], out["attention_mask"]):
        assert len(labels) == 48 and len(input_ids) == 160
        assert labels[:len(real)] == real  # the summary's tokens, end-of-sequence included
        assert real[-1] == tokenizer.eos_token_id
        assert labels[len(real):] == [-100] * (48 - len(real))
        assert tokenizer.pad_token_id not in labels
        # the inputs keep their padding id: the attention mask hides it from the encoder
        assert all(i == tokenizer.pad_token_id for i, m in zip(input_ids, mask) if m == 0)
    assert tokenizer.decode(out["input_ids"][0], skip_special_tokens=True).startswith("Summarize the following")


def test_preprocess_without_padding_leaves_labels_alone(t5, rows):
    _, tokenizer = t5
    batch = rows[:3]
    out = seq2seq.preprocess(batch, tokenizer, build_prompt, max_source_length=512, max_target_length=8)
    expected = tokenizer(text_target=batch["summary"], max_length=8, truncation=True)["input_ids"]
    assert out["labels"] == expected
    assert all(len(labels) <= 8 and -100 not in labels for labels in out["labels"])


def test_collator_pads_the_labels_of_preprocessed_rows_with_minus_100(t5, rows):
    from transformers import DataCollatorForSeq2Seq

    _, tokenizer = t5
    data = rows.map(seq2seq.preprocess, batched=True, remove_columns=rows.column_names,
                    fn_kwargs=dict(tokenizer=tokenizer, build_prompt=build_prompt, max_source_length=256,
                                   max_target_length=64))
    batch = DataCollatorForSeq2Seq(tokenizer, label_pad_token_id=-100)([data[i] for i in range(len(data))])
    lengths = [len(data[i]["labels"]) for i in range(len(data))]
    assert batch["labels"].shape == (len(data), max(lengths))
    assert int((batch["labels"] != -100).sum()) == sum(lengths)


# ---------------------------------------------------------------- evaluation


def test_evaluate_summaries_scores_what_generate_batched_returns(t5, rows):
    """(Batched generation itself equals one-at-a-time generation: tests/test_generation.py.)"""
    from helpers.generation import generate_batched

    model, tokenizer = t5
    prompts = [build_prompt(d) for d in rows["dialogue"]]
    settings = dict(max_new_tokens=12, num_beams=1, do_sample=False)
    scores, predictions = seq2seq.evaluate_summaries(model, tokenizer, prompts, list(rows["summary"]), batch_size=4,
                                                     **settings)
    assert predictions == generate_batched(model, tokenizer, prompts, batch_size=4, **settings)
    assert scores == rouge(predictions, list(rows["summary"]))


def test_evaluate_summaries_scores_against_the_references(t5, rows):
    model, tokenizer = t5
    prompts = [build_prompt(d) for d in rows["dialogue"]][:3]
    _, predictions = seq2seq.evaluate_summaries(model, tokenizer, prompts, ["x"] * 3, max_new_tokens=8)
    perfect, _ = seq2seq.evaluate_summaries(model, tokenizer, prompts, predictions, max_new_tokens=8)
    assert all(len(p.split()) >= 2 for p in predictions), predictions  # so that every text has a bigram
    assert perfect == pytest.approx({"rouge1": 1.0, "rouge2": 1.0, "rougeL": 1.0, "rougeLsum": 1.0})


def test_evaluate_summaries_checks_lengths_before_generating(t5, rows, monkeypatch):
    from helpers import seq2seq as module

    model, tokenizer = t5
    monkeypatch.setattr(module, "generate_batched", lambda *a, **k: pytest.fail("generated before checking"))
    with pytest.raises(ValueError, match="references"):
        seq2seq.evaluate_summaries(model, tokenizer, ["a", "b", "c"], ["only one reference"], max_new_tokens=4)


# ---------------------------------------------------------------- parameters, memory, sizes


def test_memory_breakdown():
    mb = 2**20
    sizes = measure.memory_breakdown(total_params=mb, trainable_params=mb // 4)
    assert sizes == {"weights": 4.0, "gradients": 1.0, "optimizer state": 2.0, "total": 7.0}


def test_changed_base_weights_sees_base_changes_and_ignores_lora(t5):
    import copy

    from peft import LoraConfig, TaskType, get_peft_model

    model, _ = t5
    reference = copy.deepcopy(model)
    lora = get_peft_model(copy.deepcopy(model), LoraConfig(task_type=TaskType.SEQ_2_SEQ_LM, r=2,
                                                          target_modules=["q", "v"]))
    with torch.no_grad():
        for name, parameter in lora.named_parameters():
            if "lora_B" in name:
                parameter.add_(1.0)  # training the adapter is allowed
    assert seq2seq.changed_base_weights(lora, reference) == []
    with torch.no_grad():
        lora.get_base_model().encoder.block[0].layer[0].SelfAttention.q.base_layer.weight.add_(1e-3)
        lora.get_base_model().decoder.final_layer_norm.weight.mul_(2.0)
    assert sorted(seq2seq.changed_base_weights(lora, reference)) == [
        "decoder.final_layer_norm.weight", "encoder.block.0.layer.0.SelfAttention.q.weight"]


def test_figures_are_returned():
    import matplotlib.pyplot as plt

    for fig in [seq2seq.lora_diagram(d=64, r=4, alpha=32),
                seq2seq.length_histograms([10, 20, 30], [3, 4, 5], source_cut=32, target_cut=4)]:
        assert isinstance(fig, plt.Figure)
        plt.close(fig)
