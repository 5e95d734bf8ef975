"""Lesson 07 (preference tuning with DPO): preference pairs made from DialogSum, and the recipe that the lesson and
scripts/train_preferences.py share.

A pair is a prompt (lesson 06's chat request, helpers.chat), a chosen answer (the human summary) and a rejected one:
the same summary with one fact made wrong. The DPO loss and the sequence log-probabilities are written in the notebook,
where they are taught; here is only what both the notebook and the script need.
"""

import random
import re

from . import validate
from .chat import chat_request
from .dialogsum import MONTHS, NUMBER_WORDS, WEEKDAYS, WORD
from .errors import InputError

TAGS = ("#Person1#", "#Person2#")
# DialogSum's details that a swap keeps grammatical: not "May" (also a verb), "one" (also a pronoun), nor
# "hundred", "thousand", "million" (they multiply the number before them).
DETAIL_KINDS = {"weekday": WEEKDAYS, "month": tuple(m for m in MONTHS if m != "May"),
                "number": tuple(n for n in NUMBER_WORDS if n not in ("one", "hundred", "thousand", "million"))}
DETAIL_SWAPPED, SPEAKERS_SWAPPED = "a detail swapped", "the speakers swapped"


def _details(summary):
    """[(start, end, kind, text)] of the summary's swappable details: weekdays, months, numbers (words or digits)."""
    found = []
    for match in WORD.finditer(summary):
        text = match.group()
        kind = next((k for k, names in DETAIL_KINDS.items() if text.lower() in {n.lower() for n in names}), None)
        if kind is None and text.isdigit():
            kind = "digits"
        if kind:
            found.append((match.start(), match.end(), kind, text))
    return found


def _replacement(kind, text, mentioned, rng):
    """Another value of the same kind that the dialogue never mentions, written the way `text` is."""
    if kind == "digits":
        value = int(text)
        options = [str(v) for v in range(max(1, value - 9), value + 11) if v != value and str(v) not in mentioned]
    else:
        options = [n for n in DETAIL_KINDS[kind] if n.lower() not in mentioned]
    if not options:
        return None
    new = rng.choice(options)
    return new.capitalize() if text[0].isupper() else new


def rejected_summary(summary, dialogue, rng):
    """(a worse summary, how it was made) or (None, None) when neither change applies.

    The worse summary is `summary` with one fact made wrong: one of its details (a weekday, a month, a number) replaced
    by another of the same kind that the dialogue never mentions; or, with no such detail, the speaker tags swapped
    (#Person1# <-> #Person2#), so that the wrong person did what the summary says.
    """
    summary, dialogue = validate.text("summary", summary), validate.text("dialogue", dialogue)
    if not isinstance(rng, random.Random):
        raise InputError(f"rejected_summary() needs a random.Random as rng, not {type(rng).__name__}.",
                         "pass rng=random.Random(seed), so that the pairs are the same on every run.")
    mentioned = {word.lower() for word in WORD.findall(dialogue)}
    candidates = _details(summary)
    rng.shuffle(candidates)
    for start, end, kind, text in candidates:
        new = _replacement(kind, text, mentioned, rng)
        if new is not None:
            return summary[:start] + new + summary[end:], DETAIL_SWAPPED
    if any(tag in summary for tag in TAGS):
        swapped = re.sub(r"#Person([12])#", lambda m: TAGS[2 - int(m.group(1))], summary)
        return swapped, SPEAKERS_SWAPPED
    return None, None


def fits(tokenizer, prompt, answers, max_length):
    """True when the prompt with the longest of `answers`, rendered by the chat template, fits `max_length` tokens."""
    answers = validate.texts("answers", answers)
    longest = max(len(tokenizer.apply_chat_template(prompt + [{"role": "assistant", "content": answer}],
                                                    return_dict=False)) for answer in answers)
    return longest <= max_length


def preference_pairs(rows, tokenizer, max_length, seed):
    """(pairs, counts) from DialogSum rows: conversational pairs {"prompt", "chosen", "rejected", "kind"}, the format
    TRL's DPOTrainer takes, and how many rows became pairs of each kind or were left out.

    A dialogue too long for `max_length` with its answers is left out rather than cut: a cut dialogue keeps a
    summary that may tell of the cut turns, and TRL would otherwise cut the answers' ends (it truncates from the end).
    """
    max_length = validate.positive_int("max_length", max_length)
    rng = random.Random(seed)
    pairs, counts = [], {DETAIL_SWAPPED: 0, SPEAKERS_SWAPPED: 0, "nothing to change: left out": 0,
                         f"over {max_length} tokens: left out": 0}
    for dialogue, summary in zip(rows["dialogue"], rows["summary"]):
        rejected, kind = rejected_summary(summary, dialogue, rng)
        if rejected is None:
            counts["nothing to change: left out"] += 1
            continue
        prompt = chat_request(dialogue)
        if not fits(tokenizer, prompt, [summary, rejected], max_length):
            counts[f"over {max_length} tokens: left out"] += 1
            continue
        counts[kind] += 1
        pairs.append({"prompt": prompt, "chosen": [{"role": "assistant", "content": summary}],
                      "rejected": [{"role": "assistant", "content": rejected}], "kind": kind})
    return pairs, counts


def dpo_settings(settings):
    """DPOConfig arguments of lesson 07 besides output_dir and seed, as a plain dict."""
    steps = settings["train_steps"]
    return dict(beta=settings["beta"], learning_rate=settings["lr"], max_steps=steps,
                per_device_train_batch_size=settings["batch_size"], per_device_eval_batch_size=settings["batch_size"],
                max_length=settings["max_length"], warmup_steps=0.1, lr_scheduler_type="linear",
                logging_steps=max(1, steps // 10), save_strategy="no", report_to="none")


def lora_config(settings):
    """The LoRA adapter of lesson 07: LoRA's own dropout is off (TRL switches every dropout off for DPO anyway)."""
    from peft import LoraConfig, TaskType

    targets = validate.texts("lora_targets", settings["lora_targets"])  # a string would reach peft as letters
    return LoraConfig(task_type=TaskType.CAUSAL_LM, r=settings["lora_r"], lora_alpha=settings["lora_alpha"],
                      lora_dropout=0.0, target_modules=targets)
