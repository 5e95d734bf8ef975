"""Dialogue-summarization prompts that fit the model's input limit. Used by lessons 02, 05, 06 and 07.

A prompt is plain text: an instruction template with the dialogue put in, optionally preceded by
worked examples (a dialogue and its human summary, in the same template). What counts against the
model's limit is the number of *tokens* the tokenizer makes of that text, special tokens included.

    from helpers.prompts import TEMPLATES, build_prompt, count_tokens, fit_dialogue, check_fits

    build_prompt(dialogue)                                  # zero-shot, the summarize template
    build_prompt(dialogue, examples=[row])                  # one-shot; row = {"dialogue": ..., "summary": ...}
    build_prompt(dialogue, examples=rows[:3])               # few-shot (3 examples), no budget check
    count_tokens(tokenizer, prompt)                         # tokens the model would see (int, or a list)
    fit_dialogue(dialogue, tokenizer, max_tokens=256)       # zero-shot; a long dialogue cut inside the template
    check_fits(tokenizer, prompts)                          # raise a CourseError instead of truncating silently

Examples may be dicts with "dialogue" and "summary" keys (rows of DialogSum) or (dialogue, summary) pairs. Which
examples go into a prompt that must fit a budget is lesson 02's to teach: its greedy is written in the notebook.
"""

from dataclasses import dataclass

from . import validate
from .dialogsum import INSTRUCTION
from .errors import CourseError, InputError

DIALOGUE = "{dialogue}"
TEMPLATES = {
    "summarize": INSTRUCTION + "\n\nSummary:",
    "what_was_going_on": "Dialogue:\n\n{dialogue}\n\nWhat was going on?",
}
EXAMPLE_SEPARATOR = "\n\n\n"
# What stands in for the turns of a dialogue cut to fit: the model (and whoever reads the prompt) sees that
# something is missing, and the instruction and its cue after the dialogue are kept.
CUT_NOTE = "[... the rest of the dialogue was cut to fit the model's input ...]"
# Tokenizers that do not know their model's limit report a huge placeholder (int(1e30)).
_NO_LIMIT = 10**9
TROUBLESHOOTING_ANCHOR = "prompt-too-long"


def _check_template(template):
    if not isinstance(template, str) or DIALOGUE not in template:
        raise InputError(f"The prompt template {template!r} has no {DIALOGUE} placeholder, so the dialogue "
                         "would not appear in the prompt.",
                         f"write the template as a string with {DIALOGUE} where the dialogue goes, e.g. "
                         f"{TEMPLATES['summarize']!r}.")
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


def build_prompt(dialogue, examples=(), template=TEMPLATES["summarize"], separator=EXAMPLE_SEPARATOR):
    """The prompt text: each example as `template` filled in and followed by its summary, then the dialogue.

    No examples gives a zero-shot prompt, one a one-shot prompt, several a few-shot prompt. The dialogue
    to summarize always comes last, so the model's answer continues the pattern. Nothing is counted here:
    count_tokens and check_fits count (lesson 02 writes how to choose examples that fit).
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
                              TROUBLESHOOTING_ANCHOR)
    return validate.positive_int("max_tokens", max_tokens)


@dataclass
class FittedPrompt:
    """What `fit_dialogue` built: the text, its size in tokens against the budget, whether the dialogue was cut."""

    text: str
    n_tokens: int
    max_tokens: int
    dialogue_cut: bool = False  # True when the dialogue's last turns were replaced by CUT_NOTE to fit

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
                      "use a shorter template or a larger budget.", TROUBLESHOOTING_ANCHOR)


def fit_dialogue(dialogue, tokenizer, max_tokens=None, template=TEMPLATES["summarize"]):
    """A zero-shot prompt for `dialogue` that fits `max_tokens`: the template with the dialogue put in, its last
    turns cut (and CUT_NOTE in their place) when the whole would be too long. Returns a FittedPrompt."""
    dialogue = validate.text("dialogue", dialogue)
    limit = input_limit(tokenizer, max_tokens)
    _check_template(template)
    text, cut = cut_dialogue(dialogue, lambda texts: count_tokens(tokenizer, [build_prompt(t, (), template)
                                                                              for t in texts]), limit)
    prompt = build_prompt(text, (), template)
    return FittedPrompt(prompt, count_tokens(tokenizer, prompt), limit, cut)


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
                          "use fewer or shorter examples, or cut the dialogue with helpers.prompts.fit_dialogue.",
                          TROUBLESHOOTING_ANCHOR)
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
