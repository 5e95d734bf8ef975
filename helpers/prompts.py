"""Dialogue-summarization prompts that fit the model's input limit. Used by lessons 02, 06 and 07 (05 through recipes).

A prompt is plain text: an instruction template with the dialogue put in, optionally preceded by
worked examples (a dialogue and its human summary, in the same template). What counts against the
model's limit is the number of *tokens* the tokenizer makes of that text, special tokens included.

    from helpers.prompts import TEMPLATES, build_prompt, count_tokens, fit_prompt, check_fits

    build_prompt(dialogue)                                  # zero-shot, default template
    build_prompt(dialogue, examples=[row])                  # one-shot; row = {"dialogue": ..., "summary": ...}
    build_prompt(dialogue, examples=rows[:3])               # few-shot (3 examples), no budget check
    count_tokens(tokenizer, prompt)                         # tokens the model would see (int, or a list)
    fitted = fit_prompt(dialogue, pool, tokenizer, shots=3) # 3-shot that fits tokenizer.model_max_length
    fitted.text, fitted.examples, fitted.n_tokens
    fit_prompt(dialogue, pool, tokenizer, shots=3, fewer_shots=True, cut_dialogue=True)  # always fits
    fit_dialogue(dialogue, tokenizer, max_tokens=256)       # zero-shot; a long dialogue cut inside the template
    check_fits(tokenizer, prompts)                          # raise a CourseError instead of truncating silently

Examples may be dicts with "dialogue" and "summary" keys (rows of DialogSum) or (dialogue, summary) pairs.
"""

import warnings
from dataclasses import dataclass, field

from . import validate
from .errors import CourseError, InputError

DIALOGUE = "{dialogue}"
TEMPLATES = {
    "summarize": "Summarize the following conversation.\n\n{dialogue}\n\nSummary:",
    "what_was_going_on": "Dialogue:\n\n{dialogue}\n\nWhat was going on?",
}
DEFAULT_TEMPLATE = TEMPLATES["summarize"]
EXAMPLE_SEPARATOR = "\n\n\n"
OVERFLOW_POLICIES = ("shorter", "warn", "error")
# What stands in for the turns of a dialogue cut to fit: the model (and whoever reads the prompt) sees that
# something is missing, and the instruction and its cue after the dialogue are kept.
CUT_NOTE = "[... the rest of the dialogue was cut to fit the model's input ...]"
# Tokenizers that do not know their model's limit report a huge placeholder (int(1e30)).
_NO_LIMIT = 10**9
TOPIC = "prompt-too-long"


class PromptBudgetWarning(UserWarning):
    """A prompt is longer than the model's input limit: code that truncates would cut its end."""


def _check_template(template):
    if not isinstance(template, str) or DIALOGUE not in template:
        raise InputError(f"The prompt template {template!r} has no {DIALOGUE} placeholder, so the dialogue "
                         "would not appear in the prompt.",
                         f"write the template as a string with {DIALOGUE} where the dialogue goes, e.g. "
                         f"{DEFAULT_TEMPLATE!r}.")
    return template


def _pair(example):
    """(dialogue, summary) from a dict with those keys or from a pair."""
    if isinstance(example, dict) and {"dialogue", "summary"} <= set(example):
        pair = example["dialogue"], example["summary"]
    elif isinstance(example, (tuple, list)) and len(example) == 2:
        pair = tuple(example)
    else:
        raise InputError(f"An example must be a row with 'dialogue' and 'summary' (e.g. pool[0]) or a (dialogue, "
                         f"summary) pair; got {type(example).__name__} {str(example)[:60]!r}.",
                         "pass examples=[pool[0], pool[1]] or examples=[(dialogue, summary)].")
    if not all(isinstance(part, str) for part in pair):
        raise InputError("An example's dialogue and summary must be strings.", "pass rows of DialogSum.")
    return pair


def _examples(examples):
    """A list of examples; a single row or a string instead of a list is an error, not a loop over its keys."""
    if isinstance(examples, (str, dict)) or examples is None or not hasattr(examples, "__iter__"):
        raise InputError(f"examples must be a list of examples, not {type(examples).__name__}: a single row would "
                         "be read key by key.", "wrap one example in a list: examples=[pool[0]].")
    return [_pair(example) for example in examples]


def build_prompt(dialogue, examples=(), template=DEFAULT_TEMPLATE, separator=EXAMPLE_SEPARATOR):
    """The prompt text: each example as `template` filled in and followed by its summary, then the dialogue.

    No examples gives a zero-shot prompt, one a one-shot prompt, several a few-shot prompt. The dialogue
    to summarize always comes last, so the model's answer continues the pattern. Nothing is counted here:
    use `fit_prompt` when the prompt must fit a token budget.
    """
    if not isinstance(dialogue, str):  # "" is allowed: the template alone, to measure it
        raise InputError(f"dialogue must be a string, not {type(dialogue).__name__}.", "pass row['dialogue'].")
    _check_template(template)
    blocks = [template.replace(DIALOGUE, d) + " " + s for d, s in _examples(examples)]
    blocks.append(template.replace(DIALOGUE, dialogue))
    return separator.join(blocks)


def count_tokens(tokenizer, texts):
    """How many tokens the model sees for a text (an int), or for each of a list of texts (a list).

    Special tokens the tokenizer adds (T5's end-of-text `</s>`) count too: they take room in the input.
    """
    single = isinstance(texts, str)
    texts = [texts] if single else validate.texts("texts", texts)
    ids = tokenizer(texts, add_special_tokens=True, verbose=False)["input_ids"]
    counts = [len(row) for row in ids]
    return counts[0] if single else counts


def input_limit(tokenizer, max_tokens=None):
    """The token budget: `max_tokens` when given, else the tokenizer's `model_max_length` (512 for FLAN-T5)."""
    if max_tokens is None:
        max_tokens = getattr(tokenizer, "model_max_length", None)
        if not isinstance(max_tokens, int) or max_tokens >= _NO_LIMIT:
            raise CourseError("This tokenizer does not record its model's input limit (model_max_length is "
                              f"{max_tokens!r}).", "pass the limit yourself, e.g. max_tokens=512 for FLAN-T5.",
                              TOPIC)
    return validate.positive_int("max_tokens", max_tokens)


@dataclass
class FittedPrompt:
    """A prompt built by `fit_prompt`: its text, its examples as (dialogue, summary) pairs, its size in tokens."""

    text: str
    examples: list
    n_tokens: int
    max_tokens: int
    replaced: bool = False  # True when shorter examples were picked instead of the pool's first ones
    requested: list = field(default_factory=list, repr=False)  # the pool's first `shots` examples
    dialogue_cut: bool = False  # True when the dialogue's last turns were replaced by CUT_NOTE to fit

    @property
    def shots(self):
        return len(self.examples)

    @property
    def fits(self):
        return self.n_tokens <= self.max_tokens


def cut_dialogue(dialogue, count, limit):
    """The longest start of `dialogue`, in whole turns, whose prompt fits `limit` tokens, with CUT_NOTE after it.

    `count(texts)` gives the prompt's length in tokens for each candidate dialogue text (one batched call).
    Returns (text, cut): the dialogue unchanged when it fits, else its first turns and CUT_NOTE. Cutting keeps
    the instruction and the cue that come after the dialogue in the template, which truncating the prompt would
    cut instead. A first turn too long on its own is cut by words.
    """
    if count([dialogue])[0] <= limit:
        return dialogue, False
    turns = dialogue.split("\n")
    candidates = ["\n".join(turns[:k] + [CUT_NOTE]) for k in range(len(turns) - 1, 0, -1)]
    words = turns[0].split(" ")
    candidates += [" ".join(words[:k]) + " " + CUT_NOTE for k in range(len(words) - 1, 0, -1)] + [CUT_NOTE]
    for text, n in zip(candidates, count(candidates)):
        if n <= limit:
            return text, True
    raise CourseError(f"The template alone, with no dialogue in it, takes more than the budget of {limit} tokens.",
                      "use a shorter template or a larger budget.", TOPIC)


def fit_dialogue(dialogue, tokenizer, max_tokens=None, template=DEFAULT_TEMPLATE):
    """A zero-shot prompt for `dialogue` that fits `max_tokens`: the template with the dialogue put in, its last
    turns cut (and CUT_NOTE in their place) when the whole would be too long. Returns a FittedPrompt."""
    dialogue = validate.text("dialogue", dialogue)
    limit = input_limit(tokenizer, max_tokens)
    _check_template(template)
    text, cut = cut_dialogue(dialogue, lambda texts: count_tokens(tokenizer, [build_prompt(t, (), template)
                                                                              for t in texts]), limit)
    prompt = build_prompt(text, (), template)
    return FittedPrompt(prompt, [], count_tokens(tokenizer, prompt), limit, False, [], cut)


def fit_prompt(dialogue, pool, tokenizer, shots, max_tokens=None, template=DEFAULT_TEMPLATE,
               on_overflow="shorter", separator=EXAMPLE_SEPARATOR, fewer_shots=False, cut_dialogue=False):
    """A `shots`-shot prompt for `dialogue` with examples from `pool`, counted against the token budget.

    The pool's first `shots` examples are tried first (shuffle the pool, or sort it by relevance, before
    calling). When that prompt is over `max_tokens` (default: the tokenizer's limit), `on_overflow` decides:

    - "shorter" (default): walk the pool in order and keep each example that still fits, until `shots` are
      chosen; if that falls short, use the `shots` shortest examples of the pool.
    - "warn": keep the over-long prompt and warn (PromptBudgetWarning); `.fits` is False.
    - "error": raise a CourseError.

    With "shorter", two more ways out can be allowed: `fewer_shots=True` uses fewer examples (down to none) when
    no `shots` examples fit, and `cut_dialogue=True` cuts the dialogue's last turns (fit_dialogue) when even the
    zero-shot prompt is too long. With both, the prompt always fits; `.shots` and `.dialogue_cut` say what it took.

    Otherwise raises a CourseError when the budget is impossible: the dialogue alone does not fit, the pool has
    fewer than `shots` examples, or even the `shots` shortest examples do not fit.
    Returns a FittedPrompt (`.text`, `.examples`, `.n_tokens`, `.max_tokens`, `.replaced`, `.fits`, `.shots`).
    """
    validate.choice("on_overflow", on_overflow, OVERFLOW_POLICIES)
    validate.whole_number("shots", shots, minimum=0, example=3)
    dialogue = validate.text("dialogue", dialogue)
    limit = input_limit(tokenizer, max_tokens)
    _check_template(template)
    pool = _examples(pool)

    def build(examples):
        text = build_prompt(dialogue, examples, template, separator)
        return text, count_tokens(tokenizer, text)

    _, n_alone = build([])
    if n_alone > limit and cut_dialogue and on_overflow == "shorter":
        fitted = fit_dialogue(dialogue, tokenizer, limit, template)
        fitted.replaced, fitted.requested = shots > 0, pool[:shots]
        return fitted
    if n_alone > limit:
        raise CourseError(f"The dialogue to summarize takes {n_alone} tokens with this template, over the "
                          f"budget of {limit}: even a zero-shot prompt does not fit, and truncation would cut "
                          "the end of the dialogue and the instruction's cue.",
                          "use a shorter dialogue (or split it and summarize the parts), or a model with a "
                          "longer input limit.", TOPIC)
    if shots > len(pool):
        raise CourseError(f"Asked for {shots} examples but the pool holds only {len(pool)}.",
                          "pass a bigger pool of training examples, or ask for fewer shots.", TOPIC)

    requested = pool[:shots]
    text, n_tokens = build(requested)
    if n_tokens <= limit:
        return FittedPrompt(text, requested, n_tokens, limit, False, requested)
    over = (f"A {shots}-shot prompt with the pool's first {shots} examples takes {n_tokens} tokens, over the "
            f"budget of {limit}; truncation would cut its end: the dialogue to summarize and the instruction.")
    if on_overflow == "error":
        raise CourseError(over, "use fewer or shorter examples, or call fit_prompt with on_overflow='shorter'.",
                          TOPIC)
    if on_overflow == "warn":
        warnings.warn(PromptBudgetWarning(over), stacklevel=2)
        return FittedPrompt(text, requested, n_tokens, limit, False, requested)

    # Each example's size, from one batched tokenizer call: sizes add up (up to a token or so at the joins),
    # so candidates are screened by arithmetic and only the final prompt is counted exactly.
    empty = count_tokens(tokenizer, build_prompt("", (), template, separator))
    sizes = [n - empty for n in count_tokens(tokenizer, [build_prompt("", [e], template, separator) for e in pool])]
    chosen, total = [], n_alone
    for i, size in enumerate(sizes):  # keep the pool's order; skip the examples that do not fit any more
        if total + size <= limit:
            chosen.append(i)
            total += size
            if len(chosen) == shots:
                break
    shortest = sorted(sorted(range(len(pool)), key=sizes.__getitem__)[:shots])  # in pool order
    for indices in (chosen, shortest):
        if len(indices) == shots:
            examples = [pool[i] for i in indices]
            text, n_tokens = build(examples)
            if n_tokens <= limit:
                return FittedPrompt(text, examples, n_tokens, limit, True, requested)
    examples = _exact_greedy(pool, shots, limit, build)  # the estimates were off by a token or two
    if examples:
        text, n_tokens = build(examples)
        return FittedPrompt(text, examples, n_tokens, limit, True, requested)
    if fewer_shots and shots > 0:
        fitted = fit_prompt(dialogue, pool, tokenizer, shots - 1, limit, template, on_overflow, separator,
                            fewer_shots=True)
        fitted.replaced, fitted.requested = True, requested
        return fitted
    raise CourseError(f"No {shots} examples from this pool fit: even the {shots} shortest make a prompt of "
                      f"{n_tokens} tokens, over the budget of {limit} (the dialogue alone takes {n_alone}).",
                      "ask for fewer shots, use a shorter template, or add shorter examples to the pool.", TOPIC)


def _exact_greedy(pool, shots, limit, build):
    """The first `shots` examples, in pool order, that fit when each prompt is counted exactly; else None."""
    chosen = []
    for example in pool:
        if build(chosen + [example])[1] <= limit:
            chosen.append(example)
            if len(chosen) == shots:
                return chosen
    return None


def check_fits(tokenizer, prompts, max_tokens=None):
    """Raise a CourseError if any prompt is over the budget; return the token count of each prompt.

    Call it before sending prompts to code that truncates (tokenizer(..., truncation=True),
    helpers.generation.generate_batched): truncation is silent, this is not.
    """
    limit = input_limit(tokenizer, max_tokens)
    prompts = [prompts] if isinstance(prompts, str) else validate.texts("prompts", prompts)
    counts = count_tokens(tokenizer, prompts)
    over = [(i, n) for i, n in enumerate(counts) if n > limit]
    if over:
        listed = ", ".join(f"#{i} ({n} tokens)" for i, n in over[:5]) + (" ..." if len(over) > 5 else "")
        raise CourseError(f"{len(over)} of {len(prompts)} prompts are over the budget of {limit} tokens: "
                          f"{listed}. The model would see them truncated: their end, with the dialogue to "
                          "summarize, would be cut.",
                          "build them with helpers.prompts.fit_prompt, or use fewer or shorter examples.", TOPIC)
    return counts


def budget_chart(counts, limit, title="Prompt length as examples are added", xlabel="examples in the prompt"):
    """Bars of prompt length in tokens (`counts[k]` for k examples), over-budget bars in red, the limit as a line."""
    import matplotlib.pyplot as plt

    counts = validate.counts("budget_chart(counts)", counts)
    limit = validate.positive_int("limit", limit)
    fig, ax = plt.subplots(figsize=(7, 3.2))
    xs = list(range(len(counts)))
    ax.bar(xs, counts, color=["tab:red" if n > limit else "tab:blue" for n in counts])
    ax.axhline(limit, color="black", linestyle="--", linewidth=1)
    ax.annotate(f"input limit: {limit} tokens", (xs[0] - 0.4, limit), xytext=(0, 4), textcoords="offset points",
                fontsize=8)
    for x, n in zip(xs, counts):
        ax.annotate(str(n), (x, n), ha="center", va="bottom", fontsize=8)
    ax.set_xticks(xs)
    ax.set(title=title, xlabel=xlabel, ylabel="tokens")
    ax.set_ylim(0, max(max(counts), limit) * 1.15)
    fig.tight_layout()
    return fig
