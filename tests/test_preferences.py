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


def test_the_rng_must_be_given():
    with pytest.raises(ValueError, match="random.Random"):
        preferences.rejected_summary("#Person1# waves.", DIALOGUE, 3)


@pytest.fixture(scope="module")
def chat_tokenizer(tiny_fixtures):
    from transformers import AutoTokenizer

    from helpers import cache

    return AutoTokenizer.from_pretrained(cache.model_path("llama-instruct"))


def test_pairs_fit_the_budget_and_are_counted(chat_tokenizer):
    from helpers import chat

    rows = {"dialogue": [DIALOGUE, DIALOGUE, DIALOGUE * 20],
            "summary": ["#Person1# books a table for two.", "They talk.", "#Person1# books a table on Thursday."]}
    pairs, counts = preferences.preference_pairs(rows, chat_tokenizer, max_length=120, seed=0)
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
