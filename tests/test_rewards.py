"""Lesson 08's rewards and their guards: each reward on hand-made answers, and the guards failing on broken rewards."""

import pytest

from helpers import rewards
from helpers.errors import InputError

DIALOGUE = ("#Person1#: Can we meet on Monday at the library?\n#Person2#: Yes, Monday at ten works for me.\n"
            "#Person1#: Great, see you there.")
SUMMARY = "#Person1# and #Person2# will meet at the library on Monday at ten."
END = 7  # a made-up end-of-turn id
ROW = {"dialogue": DIALOGUE, "summary": SUMMARY}


def batch(texts, stopped=True):
    ids = [[1, 2, 3] + ([END] if stopped else []) for _ in texts]
    return {"completions": list(texts), "dialogue": [DIALOGUE] * len(texts), "completion_ids": ids}


def functions():
    return {f.__name__: f for f in rewards.reward_functions(END, 8, 30)}


def test_each_reward_passes_the_human_summary_and_fails_the_answer_made_worse_in_what_it_checks():
    made = rewards.hand_made(ROW)
    found = functions()
    assert found["no_unsupported_detail"](**batch([made["good"], made["invented detail"]])) == [1.0, 0.0]
    assert found["right_speakers"](**batch([made["good"], made["wrong speaker"], made["no speaker"]])) == [1, 0, 0]
    assert found["stops"](**batch([made["good"]])) == [1.0]
    assert found["stops"](**batch([made["good"]], stopped=False)) == [0.0]
    length = found["length_in_range"](**batch([made["good"], made["too long"], made["too short"]]))
    assert length[0] == 1.0 and length[1] < 1.0 and length[2] < 1.0


def test_the_details_reward_alone_is_satisfied_by_an_empty_answer():
    """The loophole lesson 08 trains into on purpose; the length reward closes it."""
    assert rewards.no_unsupported_detail(["", "   "], dialogue=[DIALOGUE] * 2) == [1.0, 1.0]
    assert functions()["length_in_range"](**batch([""])) == [0.0]


def test_a_speaker_the_dialogue_does_not_have_fails_the_speakers_reward():
    assert rewards.right_speakers(["#Person3# pays."], dialogue=[DIALOGUE]) == [0.0]
    assert rewards.right_speakers(["#Person3# pays #Person1#."], dialogue=[DIALOGUE + "\n#Person3#: Hi."]) == [1.0]


@pytest.mark.parametrize("words, expected", [(0, 0.0), (4, 0.5), (8, 1.0), (30, 1.0), (45, 0.5), (60, 0.0), (99, 0.0)])
def test_the_length_reward_is_one_inside_the_range_and_falls_off_outside(words, expected):
    assert rewards.length_reward(words, 8, 30) == pytest.approx(expected)


def test_completions_are_read_as_messages_or_strings_and_nothing_else():
    assert rewards.text_of([{"role": "assistant", "content": "hi"}]) == "hi"
    assert rewards.text_of("hi") == "hi"
    with pytest.raises(InputError, match="a string or a list of messages"):
        rewards.text_of(42)


@pytest.mark.parametrize("broken, message", [
    (lambda completions, **_: [1.0], "returned 1 values for 3 completions"),  # one number for the batch
    (lambda completions, **_: [1.0, float("nan"), 0.0], "finite number"),
    (lambda completions, **_: [1.0, None, 0.0], "finite number"),
    (lambda completions, **_: [True, False, True], "finite number"),
    (lambda completions, **_: 1.0, "returned float values"),
])
def test_the_guard_stops_a_reward_without_one_finite_number_per_completion(broken, message):
    broken.__name__ = "broken"
    with pytest.raises(InputError, match=message):
        rewards.guarded(broken)(**batch(["a", "b", "c"]))


def test_the_guard_keeps_the_function_s_name_for_the_trainer_s_logs():
    assert [f.__name__ for f in rewards.reward_functions(END, 8, 30)] == [
        "no_unsupported_detail", "right_speakers", "stops", "length_in_range"]


def test_a_reward_with_the_wrong_sign_does_not_rise_with_quality():
    made = rewards.hand_made(ROW)

    def wrong_sign(completions, dialogue, **_):
        return [1.0 - r for r in rewards.no_unsupported_detail(completions, dialogue)]

    good, worse = batch([made["good"]]), batch([made["invented detail"]])
    assert rewards.rises_with_quality(rewards.no_unsupported_detail, good, worse) == ([1.0], [0.0])
    with pytest.raises(InputError, match="does not rise with quality"):
        rewards.rises_with_quality(wrong_sign, good, worse)


def test_the_length_range_must_be_whole_words_in_order():
    with pytest.raises(InputError):
        rewards.reward_functions(END, 30, 8)


def test_prompts_leave_out_a_dialogue_too_long_for_the_budget_and_say_when_none_fits(tiny_fixtures):
    from transformers import AutoTokenizer

    from helpers import cache

    tokenizer = AutoTokenizer.from_pretrained(cache.model_path("llama-instruct"))  # the chat template of 06-08
    rows = [{"dialogue": "#Person1#: Hi."}, {"dialogue": " ".join(["#Person1#: Hello there."] * 100)}]
    short = len(tokenizer.apply_chat_template(rewards.chat_request(rows[0]["dialogue"]), add_generation_prompt=True,
                                              return_dict=False))
    kept = rewards.prompts(rows, tokenizer, max_prompt_length=short)
    assert [p["dialogue"] for p in kept] == [rows[0]["dialogue"]]
    assert kept[0]["prompt"] == rewards.chat_request(rows[0]["dialogue"])
    with pytest.raises(InputError, match="max_prompt_length"):
        rewards.prompts(rows, tokenizer, max_prompt_length=short - 1)


def test_prompt_rows_come_after_lesson_07_s_held_out_rows_and_refuse_too_many():
    from datasets import Dataset, DatasetDict

    split = Dataset.from_dict({"dialogue": [f"d{i}" for i in range(10)], "summary": ["s"] * 10})
    dialogues = DatasetDict({"validation": split})
    rows = rewards.prompt_rows(dialogues, {"train_size": 4}, seed=0, first_row=6)
    seen_by_07 = set(split.shuffle(seed=0).select(range(6))["dialogue"])
    assert len(rows) == 4 and not seen_by_07 & set(rows["dialogue"])
    with pytest.raises(InputError, match="lower train_size"):
        rewards.prompt_rows(dialogues, {"train_size": 5}, seed=0, first_row=6)


@pytest.mark.align
def test_the_recipe_writes_out_trl_s_own_loss_defaults():
    """The lesson's hand-written loss follows these; a TRL that changes a default shows up here first."""
    from trl import GRPOConfig

    from helpers.profiles import lesson_settings

    recipe = rewards.grpo_settings(lesson_settings("08", "tiny"))
    defaults = GRPOConfig(output_dir="unused", bf16=False, use_cpu=True)  # TRL switches bf16 on unless told
    for name in ("loss_type", "scale_rewards", "beta", "epsilon", "num_iterations", "temperature"):
        assert getattr(defaults, name) == recipe[name], name
    assert recipe["per_device_train_batch_size"] % recipe["num_generations"] == 0


def test_the_length_range_is_the_human_summaries_5th_to_95th_percentile():
    summaries = [" ".join(["w"] * n) for n in range(1, 101)]
    assert rewards.human_length_range(summaries) == (5, 95)
