"""Lesson 07's preference pairs (helpers.preferences) and its script, scripts/train_preferences.py."""

import random
import re
from pathlib import Path

import pytest

from helpers import config, dialogsum, metrics, preferences

ROOT = Path(__file__).resolve().parent.parent
DIALOGUE = "#Person1#: A table for two on Thursday, please.\n#Person2#: At eight? Fine, booked."


@pytest.mark.parametrize("seed", range(5))
def test_a_detail_is_swapped_for_one_the_dialogue_never_mentions(seed):
    summary = "#Person1# books a table for two on Thursday at eight."
    rejected, kind = preferences.rejected_summary(summary, DIALOGUE, random.Random(seed))
    assert kind == preferences.DETAIL_SWAPPED
    changed = [(a, b) for a, b in zip(summary.split(), rejected.split()) if a != b]
    assert len(changed) == 1 and len(summary.split()) == len(rejected.split())
    assert metrics.unsupported_details(rejected, DIALOGUE) and not metrics.unsupported_details(summary, DIALOGUE)


def test_digits_keep_their_form_and_capitals_stay():
    rejected, _ = preferences.rejected_summary("It costs 35 dollars.", "#Person1#: 35 dollars.", random.Random(0))
    assert rejected.split()[2].isdigit() and rejected.split()[2] != "35"
    rejected, _ = preferences.rejected_summary("Monday is busy.", "#Person1#: Hi.", random.Random(0))
    assert rejected.split()[0] in dialogsum.WEEKDAYS and rejected.split()[0] != "Monday"


def test_without_a_detail_the_speakers_are_swapped():
    rejected, kind = preferences.rejected_summary("#Person1# asks #Person2# for help.", DIALOGUE, random.Random(0))
    assert (rejected, kind) == ("#Person2# asks #Person1# for help.", preferences.SPEAKERS_SWAPPED)
    assert preferences.rejected_summary("They talk about the weather.", DIALOGUE, random.Random(0)) == (None, None)


@pytest.mark.parametrize("summary", [
    "#Person1# and #Person2# talk about the trip.",  # about 35 of DialogSum's validation summaries look like this
    "#Person2# and #Person1# are planning a party.",
    "#Person2# talks with #Person1# about the weather.",
    "#Person1# is arguing with #Person2# about money.",
    "#Person1# thanks #Person2#. #Person2# thanks #Person1#.",  # the same sentences in another order
])
def test_a_summary_true_with_the_speakers_either_way_gets_no_pair(summary):
    assert preferences.rejected_summary(summary, DIALOGUE, random.Random(0)) == (None, None)


def test_a_symmetric_phrase_stays_and_the_rest_is_swapped():
    rejected, _ = preferences.rejected_summary("#Person1# and #Person2# meet. #Person2# pays the bill.", DIALOGUE,
                                               random.Random(0))
    assert rejected == "#Person1# and #Person2# meet. #Person1# pays the bill."  # no "#Person2# and #Person1#" tell


@pytest.mark.parametrize("seed", range(20))
def test_a_number_keeps_its_size_so_the_sentence_stays_plausible(seed):
    rng = random.Random(seed)
    flat, _ = preferences.rejected_summary("#Person1# rents a two-bedroom flat.", "#Person1#: Hi.", rng)
    assert flat.split()[3].split("-")[0] in preferences.DETAIL_KINDS["number"]  # never "a thirty-bedroom flat"
    age, _ = preferences.rejected_summary("#Person1# is thirty.", "#Person1#: Hi.", rng)
    assert age.split()[2].rstrip(".") in preferences.DETAIL_KINDS["tens"]
    price, _ = preferences.rejected_summary("It costs 40 dollars.", "#Person1#: Hi.", rng)
    assert 20 <= int(price.split()[2]) <= 60 and price.split()[2] != "40"


def opening_tag_reader(pair):
    """A reader who never sees the dialogue: prefers the answer that opens with #Person1# (a coin on ties)."""
    chosen, rejected = (dialogsum.first_speaker(pair[k][0]["content"]) for k in ("chosen", "rejected"))
    return 0.5 if chosen == rejected else float(chosen == "#Person1#")


def test_balanced_pairs_leave_the_opening_tag_reader_at_a_coin_flip(chat_tokenizer):
    summaries = ["#Person1# asks #Person2# to help.", "#Person1# asks #Person2# for a pen.",
                 "#Person1# asks #Person2# the way.", "#Person2# asks #Person1# to wait.",
                 "#Person1# tells #Person2# a joke.", "#Person2# tells #Person1# the time."]
    rows = {"dialogue": [DIALOGUE] * len(summaries), "summary": summaries}
    unbalanced, _ = preferences.preference_pairs(rows, chat_tokenizer, 200, seed=0, balance=False)
    pairs, counts = preferences.preference_pairs(rows, chat_tokenizer, 200, seed=0)
    assert sum(map(opening_tag_reader, unbalanced)) / len(unbalanced) > 0.6  # the premise: 4 of 6
    assert counts[preferences.BALANCE_LEFT_OUT] == 2 and counts[preferences.SPEAKERS_SWAPPED] == 4
    assert sum(map(opening_tag_reader, pairs)) / len(pairs) == 0.5
    openings = sorted(preferences.opening(p["chosen"][0]["content"]) for p in pairs)
    assert openings == [("#Person1#", "asks"), ("#Person1#", "tells"), ("#Person2#", "asks"), ("#Person2#", "tells")]


def test_preference_rows_come_after_lesson_06_s_training_rows(tiny_fixtures):
    from helpers import profiles, session

    run = session.setup("06", profile="tiny", quiet=True)  # 07's setup needs TRL; its rows do not
    dialogues, settings = run.load_dataset("dialogues"), profiles.lesson_settings("07", "tiny")
    sft_rows = run.settings["train_size"]
    rows = preferences.pair_rows(dialogues, settings, run.seed, sft_rows)
    sft = set(dialogues["train"].shuffle(seed=run.seed).select(range(sft_rows))["id"])
    assert len(rows["train"]) == settings["train_size"] and not sft & set(rows["train"]["id"])
    assert len(rows["validation"]) == settings["val_size"]
    with pytest.raises(ValueError, match="train_size"):
        preferences.pair_rows(dialogues, {**settings, "train_size": 10**6}, run.seed, sft_rows)


def test_the_rng_must_be_given():
    with pytest.raises(ValueError, match="random.Random"):
        preferences.rejected_summary("#Person1# waves.", DIALOGUE, 3)


@pytest.fixture(scope="module")
def chat_tokenizer(tiny_fixtures):
    from transformers import AutoTokenizer

    from helpers import cache

    return AutoTokenizer.from_pretrained(cache.model_path("llama-instruct"))


def test_a_replacement_is_a_value_other_summaries_use():
    familiar = preferences.familiar_details(["It costs 35 dollars.", "It costs 45 dollars on Monday."])
    assert familiar == {"35", "45", "monday"}
    for seed in range(10):
        rejected, _ = preferences.rejected_summary("It costs 35 dollars.", "#Person1#: Hi.", random.Random(seed),
                                                   familiar)
        assert rejected == "It costs 45 dollars."  # never "27 dollars", which no summary uses


def test_pairs_fit_the_budget_and_are_counted(chat_tokenizer):
    from helpers import chat

    rows = {"dialogue": [DIALOGUE, DIALOGUE, DIALOGUE * 20],
            "summary": ["#Person1# books a table for two.", "They talk.", "#Person1# books a table on Thursday."]}
    pairs, counts = preferences.preference_pairs(rows, chat_tokenizer, max_length=120, seed=0, balance=False)
    assert len(pairs) == 1 and sum(counts.values()) == 3
    assert counts["nothing to change: left out"] == 1 and counts["over 120 tokens: left out"] == 1
    pair = pairs[0]
    assert pair["prompt"] == chat.chat_request(DIALOGUE)  # lesson 06's request, word for word
    assert preferences.fits(chat_tokenizer, pair["prompt"], [pair["chosen"][0]["content"],
                                                              pair["rejected"][0]["content"]], 120)


def test_the_dpo_settings_are_the_profiles():
    from helpers.profiles import lesson_settings

    settings = lesson_settings("07", "quick")
    dpo = preferences.dpo_settings(settings)
    assert (dpo["beta"], dpo["learning_rate"], dpo["max_steps"], dpo["max_length"]) == \
        (settings["beta"], settings["lr"], settings["train_steps"], settings["max_length"])
    assert preferences.lora_config(settings).lora_dropout == 0.0


def test_lessons_06_and_07_send_one_request():
    """The request is written once, in helpers.chat (lesson 06's module): both notebooks and the pairs take it from
    there, so 07 cannot tune 06's model on a request 06 never trained it on."""
    import nbformat

    for lesson in ("06", "07"):
        notebook = nbformat.read(ROOT / "notebooks" / config.LESSONS[lesson]["notebook"], as_version=4)
        code = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "code")
        assert "from helpers.chat import" in code and "chat_request" in code
        assert not re.search(r"^(INSTRUCTION =|def chat_request)", code, re.M), f"lesson {lesson} writes its own"
