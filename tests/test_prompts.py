"""Prompt builders and token budgeting (helpers.prompts), on the tiny FLAN-T5 tokenizer."""

import pytest

from helpers.errors import CourseError
from helpers.prompts import (CUT_NOTE, TEMPLATES, FittedPrompt, budget_chart, build_prompt, check_fits, count_tokens,
                             fit_dialogue, input_limit)

DIALOGUE = "#Person1#: Is there a train to Paris on Monday?\n#Person2#: Yes, there is one at nine."


@pytest.fixture(scope="module")
def tokenizer(t5_tokenizer):
    return t5_tokenizer


def example(i, words):
    """A training example whose dialogue has about `words` words; its summary names it by i."""
    return {"dialogue": "#Person1#: " + " ".join(["ticket"] * words), "summary": f"Example {i} summary."}


def test_zero_shot_is_the_template_filled_in():
    assert build_prompt(DIALOGUE) == TEMPLATES["summarize"].replace("{dialogue}", DIALOGUE)
    other = build_prompt(DIALOGUE, template=TEMPLATES["what_was_going_on"])
    assert other.startswith("Dialogue:\n\n#Person1#") and other.endswith("What was going on?")


def test_one_and_few_shot_put_examples_first_with_their_summaries():
    rows = [{"dialogue": "#Person1#: Hi.", "summary": "They greet."}, ("#Person1#: Bye.", "They part.")]
    one = build_prompt(DIALOGUE, rows[:1])
    few = build_prompt(DIALOGUE, rows)
    assert one.startswith("Summarize the following conversation.\n\n#Person1#: Hi.\n\nSummary: They greet.")
    assert one.endswith(build_prompt(DIALOGUE)) and few.endswith(build_prompt(DIALOGUE))
    assert few.index("They greet.") < few.index("They part.") < few.index(DIALOGUE)
    assert few.count("Summarize the following conversation.") == 3


def test_template_without_placeholder_is_a_course_error():
    with pytest.raises(CourseError, match=r"\{dialogue\}"):
        build_prompt(DIALOGUE, template="Summarize this:")


def test_count_tokens_counts_special_tokens_and_handles_lists(tokenizer):
    n = count_tokens(tokenizer, DIALOGUE)
    assert n == len(tokenizer(DIALOGUE)["input_ids"])
    assert tokenizer.convert_ids_to_tokens(tokenizer(DIALOGUE)["input_ids"])[-1] == "</s>"
    assert count_tokens(tokenizer, [DIALOGUE, "Hi."]) == [n, len(tokenizer("Hi.")["input_ids"])]


def test_input_limit(tokenizer):
    assert input_limit(tokenizer) == tokenizer.model_max_length == 512
    assert input_limit(tokenizer, 100) == 100
    for bad in (0, -5, 1.5, True):
        with pytest.raises(CourseError):
            input_limit(tokenizer, bad)


def test_input_limit_of_a_tokenizer_without_one():
    class NoLimit:
        model_max_length = int(1e30)

    with pytest.raises(CourseError, match="max_tokens"):
        input_limit(NoLimit())
    assert input_limit(NoLimit(), 64) == 64


def test_fit_dialogue_leaves_a_dialogue_that_fits_alone(tokenizer):
    fitted = fit_dialogue(DIALOGUE, tokenizer)
    assert isinstance(fitted, FittedPrompt) and fitted.fits and not fitted.dialogue_cut
    assert fitted.text == build_prompt(DIALOGUE) and fitted.n_tokens == count_tokens(tokenizer, fitted.text)


def test_fit_dialogue_cuts_whole_turns_and_keeps_the_cue(tokenizer):
    turns = [f"#Person{1 + i % 2}#: " + " ".join(["ticket"] * 20) for i in range(6)]
    dialogue = "\n".join(turns)
    budget = count_tokens(tokenizer, build_prompt("\n".join(turns[:3] + [CUT_NOTE])))
    fitted = fit_dialogue(dialogue, tokenizer, budget)
    assert fitted.dialogue_cut and fitted.n_tokens <= budget
    assert fitted.text == build_prompt("\n".join(turns[:3] + [CUT_NOTE]))  # the longest start that fits
    assert fitted.text.endswith(CUT_NOTE + "\n\nSummary:")


def test_fit_dialogue_cuts_a_long_first_turn_by_words_and_refuses_an_impossible_budget(tokenizer):
    dialogue = "#Person1#: " + " ".join(["ticket"] * 300)
    fitted = fit_dialogue(dialogue, tokenizer, 100)
    assert fitted.dialogue_cut and fitted.n_tokens <= 100 and fitted.text.startswith(TEMPLATES["summarize"][:20])
    with pytest.raises(CourseError, match="template alone") as error:
        fit_dialogue(dialogue, tokenizer, 5)
    assert "What to do:" in str(error.value)


def test_check_fits_counts_and_names_the_offenders(tokenizer):
    short = build_prompt(DIALOGUE)
    long = build_prompt(DIALOGUE, [example(i, 150) for i in range(3)])
    assert check_fits(tokenizer, [short, short]) == [count_tokens(tokenizer, short)] * 2
    assert check_fits(tokenizer, short) == [count_tokens(tokenizer, short)]
    with pytest.raises(CourseError, match=r"1 of 2 prompts .* #1 \("):
        check_fits(tokenizer, [short, long])
    with pytest.raises(CourseError):
        check_fits(tokenizer, [short], max_tokens=5)


def test_budget_chart_marks_over_budget_bars():
    fig = budget_chart([100, 300, 600], 512)
    bars = fig.axes[0].patches
    assert len(bars) == 3
    assert bars[2].get_facecolor() != bars[0].get_facecolor()
