"""Prompt builders and token budgeting (helpers.prompts), on the tiny FLAN-T5 tokenizer."""

import warnings

import pytest

from helpers.errors import CourseError
from helpers.prompts import (DEFAULT_TEMPLATE, TEMPLATES, FittedPrompt, PromptBudgetWarning, budget_chart,
                             build_prompt, check_fits, count_tokens, fit_prompt, input_limit)

DIALOGUE = "#Person1#: Is there a train to Paris on Monday?\n#Person2#: Yes, there is one at nine."


@pytest.fixture(scope="module")
def tokenizer(t5_tokenizer):
    return t5_tokenizer


def example(i, words):
    """A training example whose dialogue has about `words` words; its summary names it by i."""
    return {"dialogue": "#Person1#: " + " ".join(["ticket"] * words), "summary": f"Example {i} summary."}


def test_zero_shot_is_the_template_filled_in():
    assert build_prompt(DIALOGUE) == DEFAULT_TEMPLATE.replace("{dialogue}", DIALOGUE)
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


def test_fit_prompt_keeps_the_first_examples_when_they_fit(tokenizer):
    pool = [example(i, 5) for i in range(6)]
    fitted = fit_prompt(DIALOGUE, pool, tokenizer, shots=3)
    assert isinstance(fitted, FittedPrompt)
    assert fitted.examples == [(p["dialogue"], p["summary"]) for p in pool[:3]]
    assert not fitted.replaced and fitted.fits
    assert fitted.text == build_prompt(DIALOGUE, pool[:3])
    assert fitted.n_tokens == count_tokens(tokenizer, fitted.text) <= 512


def test_zero_shots_is_the_zero_shot_prompt(tokenizer):
    fitted = fit_prompt(DIALOGUE, [], tokenizer, shots=0)
    assert fitted.text == build_prompt(DIALOGUE) and fitted.examples == []


def over_budget_pool():
    """Long examples (about 300 tokens) mixed with short ones: the first three do not fit in 512 tokens."""
    return [example(0, 150), example(1, 150), example(2, 5), example(3, 150), example(4, 6), example(5, 7)]


def test_over_budget_picks_shorter_examples_in_pool_order(tokenizer):
    pool = over_budget_pool()
    assert count_tokens(tokenizer, build_prompt(DIALOGUE, pool[:3])) > 512  # the premise
    fitted = fit_prompt(DIALOGUE, pool, tokenizer, shots=3)
    assert fitted.replaced and fitted.fits and len(fitted.examples) == 3
    summaries = [s for _, s in fitted.examples]
    # greedy in pool order: the first long example fits, then only short ones do
    assert summaries == ["Example 0 summary.", "Example 2 summary.", "Example 4 summary."]
    assert fitted.n_tokens == count_tokens(tokenizer, fitted.text) <= 512
    assert fitted.text.endswith(build_prompt(DIALOGUE))


def test_over_budget_falls_back_to_the_shortest_examples(tokenizer):
    # greedy in pool order takes the long example first, and then no short one fits beside it
    pool = [example(0, 25), example(1, 2), example(2, 2), example(3, 2)]
    budget = count_tokens(tokenizer, build_prompt(DIALOGUE, pool[1:]))
    assert count_tokens(tokenizer, build_prompt(DIALOGUE, pool[:1])) <= budget  # the premise
    assert count_tokens(tokenizer, build_prompt(DIALOGUE, pool[:2])) > budget
    fitted = fit_prompt(DIALOGUE, pool, tokenizer, shots=3, max_tokens=budget)
    assert fitted.replaced and fitted.fits and fitted.n_tokens == budget
    assert [s for _, s in fitted.examples] == [f"Example {i} summary." for i in (1, 2, 3)]


def test_over_budget_warn_keeps_the_prompt_and_warns(tokenizer):
    with pytest.warns(PromptBudgetWarning, match="over the budget of 512"):
        fitted = fit_prompt(DIALOGUE, over_budget_pool(), tokenizer, shots=3, on_overflow="warn")
    assert not fitted.fits and fitted.n_tokens > 512 and not fitted.replaced


def test_over_budget_error_policy(tokenizer):
    with pytest.raises(CourseError, match="over the budget"):
        fit_prompt(DIALOGUE, over_budget_pool(), tokenizer, shots=3, on_overflow="error")


def test_fitting_prompt_gives_no_warning(tokenizer):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fit_prompt(DIALOGUE, [example(i, 5) for i in range(3)], tokenizer, shots=3, on_overflow="warn")


@pytest.mark.parametrize("case", ["dialogue too long", "pool too small", "shortest too long", "bad shots",
                                  "bad policy"])
def test_impossible_budgets_are_course_errors(tokenizer, case):
    pool = [example(i, 200) for i in range(4)]
    with pytest.raises(CourseError) as error:
        if case == "dialogue too long":
            fit_prompt(" ".join(["ticket"] * 600), pool, tokenizer, shots=0)
        elif case == "pool too small":
            fit_prompt(DIALOGUE, pool, tokenizer, shots=5)
        elif case == "shortest too long":
            fit_prompt(DIALOGUE, pool, tokenizer, shots=3)
        elif case == "bad shots":
            fit_prompt(DIALOGUE, pool, tokenizer, shots=-1)
        else:
            fit_prompt(DIALOGUE, pool, tokenizer, shots=1, on_overflow="truncate")
    assert "What to do:" in str(error.value)


def test_check_fits_counts_and_names_the_offenders(tokenizer):
    short = build_prompt(DIALOGUE)
    long = build_prompt(DIALOGUE, over_budget_pool()[:3])
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


class JoinCostTokenizer:
    """A fake tokenizer whose counts do not add up: one token per word, plus (number of blocks)**2.

    Summing the sizes of examples then underestimates a prompt, so fit_prompt must count the final
    prompt exactly (and fall back to an exact search) rather than trust the sum.
    """

    model_max_length = 10**30

    def __call__(self, texts, add_special_tokens=True, verbose=True):
        return {"input_ids": [[0] * (len(t.split()) + t.count("Summary:") ** 2) for t in texts]}


@pytest.mark.parametrize("budget", range(20, 90, 3))
def test_fit_prompt_never_returns_an_over_budget_prompt(budget):
    tokenizer = JoinCostTokenizer()
    pool = [example(0, 12), example(1, 2), example(2, 6), example(3, 1), example(4, 3)]
    try:
        fitted = fit_prompt(DIALOGUE, pool, tokenizer, shots=3, max_tokens=budget)
    except CourseError:
        smallest = min(count_tokens(tokenizer, build_prompt(DIALOGUE, [pool[i], pool[j], pool[k]]))
                       for i in range(5) for j in range(i + 1, 5) for k in range(j + 1, 5))
        assert smallest > budget  # raised only when no three examples fit
    else:
        assert len(fitted.examples) == 3 and fitted.n_tokens == count_tokens(tokenizer, fitted.text) <= budget


class CostlyPairsTokenizer(JoinCostTokenizer):
    """One token per word, plus (number of X's)**2: two X examples cost more together than apart."""

    def __call__(self, texts, add_special_tokens=True, verbose=True):
        return {"input_ids": [[0] * (len(t.split()) + t.count("X") ** 2) for t in texts]}


def test_fit_prompt_searches_exactly_when_the_estimates_are_wrong():
    tokenizer = CostlyPairsTokenizer()
    pool = [{"dialogue": "X", "summary": "s."}, {"dialogue": "X", "summary": "s."},
            {"dialogue": "a b c", "summary": "s."}]
    budget = count_tokens(tokenizer, build_prompt(DIALOGUE, pool[:2])) - 1  # the two X's do not fit together
    fitted = fit_prompt(DIALOGUE, pool, tokenizer, shots=2, max_tokens=budget)
    assert fitted.examples == [("X", "s."), ("a b c", "s.")]
    assert fitted.replaced and fitted.n_tokens == count_tokens(tokenizer, fitted.text) <= budget
