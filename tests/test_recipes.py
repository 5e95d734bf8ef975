"""Lesson 05's recipe steps that its notebook and scripts/train_summarizer.py share: the rows, the length rule, the
prompt and which rows train, and DialogSum's test split read as distinct dialogues."""

import pytest
from datasets import Dataset, DatasetDict

from helpers import recipes
from helpers.dialogsum import distinct_dialogues
from helpers.errors import InputError

SHORT = "#Person1#: Hi.\n#Person2#: Hello."
LONG = "\n".join(f"#Person{1 + i % 2}#: This is turn number {i} of a long talk about the weather." for i in range(40))


def test_round_up_goes_to_the_next_multiple_and_keeps_one():
    assert [recipes.round_up(v, 32) for v in (1, 32, 33, 64.5)] == [32, 32, 64, 96]


def test_length_limit_is_the_95th_percentile_rounded_up_to_32_and_capped():
    lengths = list(range(1, 101))  # 95th percentile 95.05 -> 96
    assert recipes.length_limit(lengths, cap=512) == 96
    assert recipes.length_limit(lengths, cap=64) == 64
    with pytest.raises(InputError, match="cap"):
        recipes.length_limit(lengths, cap=0)


def test_distinct_dialogues_gather_the_references_of_a_repeated_dialogue():
    rows = [{"id": "test_1_1", "dialogue": "A", "summary": "a1"}, {"id": "test_1_2", "dialogue": "A", "summary": "a2"},
            {"id": "test_2_1", "dialogue": "B", "summary": "b1"}]
    assert distinct_dialogues(rows) == [{"id": "test_1", "dialogue": "A", "references": ["a1", "a2"]},
                                        {"id": "test_2", "dialogue": "B", "references": ["b1"]}]
    assert [d["id"] for d in distinct_dialogues(rows, 1)] == ["test_1"]


def test_dialogsum_rows_are_seeded_and_sized_by_the_settings():
    split = lambda n, prefix: Dataset.from_dict({"id": [f"{prefix}_{i}" for i in range(n)],  # noqa: E731
                                                 "dialogue": [f"d{i}" for i in range(n)],
                                                 "summary": [f"s{i}" for i in range(n)]})
    dialogues = DatasetDict(train=split(20, "train"), validation=split(10, "dev"), test=split(10, "test"))
    settings = {"train_size": 5, "val_size": 3, "eval_size": 4}
    first, again = recipes.dialogsum_rows(dialogues, settings, seed=0), recipes.dialogsum_rows(dialogues, settings, 0)
    assert (len(first["train"]), len(first["validation"]), len(first["test"])) == (5, 3, 4)
    assert first["train"]["id"] == again["train"]["id"] != recipes.dialogsum_rows(dialogues, settings, 1)["train"]["id"]


def test_a_long_dialogue_is_cut_inside_the_template_and_left_out_of_training(t5_tokenizer):
    budget = 64
    prompt = recipes.summary_prompt(LONG, t5_tokenizer, budget)
    assert len(t5_tokenizer(prompt)["input_ids"]) <= budget
    assert prompt.rstrip().endswith("Summary:"), "the cue at the end survives the cut"
    assert recipes.summary_prompt(SHORT, t5_tokenizer, budget).count(SHORT) == 1
    rows = Dataset.from_dict({"dialogue": [SHORT, LONG, SHORT], "summary": ["a", "b", "c"]})
    kept, cut = recipes.uncut_rows(rows, t5_tokenizer, budget)
    assert cut == 1 and kept["summary"] == ["a", "c"]
