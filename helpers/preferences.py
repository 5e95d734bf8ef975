"""Lesson 07 (preference tuning with DPO): preference pairs made from DialogSum, and the recipe that the lesson and
scripts/train_preferences.py share; lesson 08 and scripts/train_grpo.py train the same LoRA adapter (lora_config).

A pair is a prompt (lesson 06's chat request, helpers.chat), a chosen answer (the human summary) and a rejected one:
the same summary with one fact made wrong. The DPO loss and the sequence log-probabilities are written in the notebook,
where they are taught; here is only what both the notebook and the script need.
"""

import random
import re

from . import validate
from .chat import chat_request
from .dialogsum import MONTHS, NUMBER_WORDS, SPEAKER, WEEKDAYS, WORD, first_speaker
from .errors import InputError

TAGS = ("#Person1#", "#Person2#")
# Constructions as true with the speakers either way round ("#Person1# and #Person2# ...", "#Person2# talks with
# #Person1# ..."): a swap leaves them as they are, and a summary with no other tag gets no speaker swap.
SYMMETRIC = re.compile(r"#Person([12])# (?:and |(?:is |are )?(?:talk|chat|argu|meet|sit|quarrel)\w* "
                       r"(?:next to |with )?)#Person(?!\1)[12]#")
# DialogSum's details that a swap keeps grammatical and plausible: not "May" (also a verb), "one" (also a pronoun),
# "hundred", "thousand", "million" (they multiply the number before them); a number word becomes one of its own
# size ("a two-bedroom flat" may become "a five-bedroom flat", never "a thirty-bedroom flat").
SMALL_NUMBERS = tuple(n for n in NUMBER_WORDS if n not in ("one", "hundred", "thousand", "million")
                      and not n.endswith("ty"))
DETAIL_KINDS = {"weekday": WEEKDAYS, "month": tuple(m for m in MONTHS if m != "May"), "number": SMALL_NUMBERS,
                "tens": tuple(n for n in NUMBER_WORDS if n.endswith("ty"))}
DETAIL_SWAPPED, SPEAKERS_SWAPPED = "a detail swapped", "the speakers swapped"
BALANCE_LEFT_OUT = "speakers swapped: left out to balance the openings"


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


def familiar_details(summaries):
    """The details (lower-cased) that appear in these summaries: the values a replacement is drawn from."""
    return {text.lower() for summary in summaries for _, _, _, text in _details(summary)}


def _replacement(kind, text, mentioned, rng, familiar=None):
    """Another value of the same kind and size that the dialogue never mentions, written the way `text` is. Digits
    stay within half the value either way and keep their number of digits ("35 dollars" may become "45 dollars").
    With `familiar` (familiar_details), only values other summaries use: a value no summary uses ("27 dollars" where
    prices are round) would tell the rejected answer by its strangeness alone."""
    if kind == "digits":
        value = int(text)
        spread = max(2, value // 2)
        options = [str(v) for v in range(max(1, value - spread), value + spread + 1)
                   if v != value and len(str(v)) == len(text) and str(v) not in mentioned]
    else:
        options = [n for n in DETAIL_KINDS[kind] if n.lower() != text.lower() and n.lower() not in mentioned]
    if familiar is not None:
        options = [option for option in options if option.lower() in familiar]
    if not options:
        return None
    new = rng.choice(options)
    return new.capitalize() if text[0].isupper() else new


def _sentences(text):
    return sorted(part.strip() for part in re.split(r"(?<=[.!?])\s+", text) if part.strip())


def swap_speakers(summary):
    """The summary with #Person1# and #Person2# exchanged outside the symmetric constructions, or None when that
    leaves it as true as before: no tag outside them, or the same sentences in another order ("A asks B. B asks A.")."""
    parts, last = [], 0
    for match in SYMMETRIC.finditer(summary):
        parts += [SPEAKER.sub(lambda m: TAGS[2 - int(m.group(1))], summary[last:match.start()]), match.group()]
        last = match.end()
    swapped = "".join(parts) + SPEAKER.sub(lambda m: TAGS[2 - int(m.group(1))], summary[last:])
    return None if _sentences(swapped) == _sentences(summary) else swapped


def rejected_summary(summary, dialogue, rng, familiar=None):
    """(a worse summary, how it was made) or (None, None) when neither change applies.

    The worse summary is `summary` with one fact made wrong: one of its details (a weekday, a month, a number) replaced
    by another of the same kind and size that the dialogue never mentions; or, with no such detail, the speaker tags
    swapped (#Person1# <-> #Person2#, swap_speakers), so that the wrong person did what the summary says.
    `familiar`: the detail values a replacement may take (familiar_details of the summaries the pairs come from).
    """
    summary, dialogue = validate.text("summary", summary), validate.text("dialogue", dialogue)
    if not isinstance(rng, random.Random):
        raise InputError(f"rejected_summary() needs a random.Random as rng, not {type(rng).__name__}.",
                         "pass rng=random.Random(seed), so that the pairs are the same on every run.")
    mentioned = {word.lower() for word in WORD.findall(dialogue)}
    candidates = _details(summary)
    rng.shuffle(candidates)
    for start, end, kind, text in candidates:
        new = _replacement(kind, text, mentioned, rng, familiar)
        if new is not None:
            return summary[:start] + new + summary[end:], DETAIL_SWAPPED
    swapped = swap_speakers(summary)
    return (swapped, SPEAKERS_SWAPPED) if swapped else (None, None)


def opening(text):
    """(the first speaker tag, the word after it): ("#Person2#", "asks") for "#Person2# asks #Person1# to ..."."""
    match = re.search(r"#Person([12])#(?:'s)? ([A-Za-z]+)", text)
    return (f"#Person{match.group(1)}#", match.group(2).lower()) if match else (first_speaker(text), None)


def balance_openings(pairs):
    """The pairs, with as many speaker swaps whose chosen answer opens with #Person1# as with #Person2#, verb by verb
    ("#Person1# asks" as often as "#Person2# asks"): the later ones of each larger group are left out. Returns
    (pairs, how many were left out).

    DialogSum's summaries open with #Person1# about twice as often, and some verbs go with one speaker ("#Person1#
    asks", "#Person2# tells"): without this, a reader who never sees the dialogue and prefers the usual opening wins
    most swaps (on DialogSum's validation split, 61% of the pairs by the opening tag alone)."""
    groups = {}
    for i, pair in enumerate(pairs):
        chosen, rejected = (opening(pair[key][0]["content"]) for key in ("chosen", "rejected"))
        if pair["kind"] == SPEAKERS_SWAPPED and chosen != rejected:  # the same opening tells nothing
            groups.setdefault(chosen[1], {t: [] for t in TAGS}).setdefault(chosen[0], []).append(i)
    dropped = set()
    for by_tag in groups.values():
        keep = min(len(by_tag[t]) for t in TAGS)
        dropped.update(i for indices in by_tag.values() for i in indices[keep:])
    return [p for i, p in enumerate(pairs) if i not in dropped], len(dropped)


def fits(tokenizer, prompt, answers, max_length):
    """True when the prompt with the longest of `answers`, rendered by the chat template, fits `max_length` tokens."""
    answers = validate.texts("answers", answers)
    longest = max(len(tokenizer.apply_chat_template(prompt + [{"role": "assistant", "content": answer}],
                                                    return_dict=False)) for answer in answers)
    return longest <= max_length


def preference_pairs(rows, tokenizer, max_length, seed, balance=True):
    """(pairs, counts) from DialogSum rows: conversational pairs {"prompt", "chosen", "rejected", "kind"}, the format
    TRL's DPOTrainer takes, and how many rows became pairs of each kind or were left out.

    A dialogue too long for `max_length` with its answers is left out rather than cut: a cut dialogue keeps a
    summary that may tell of the cut turns, and TRL would otherwise cut the answers' ends (it truncates from the end).
    `balance`: leave out speaker swaps until the opening no longer tells chosen from rejected (balance_openings).
    """
    max_length = validate.positive_int("max_length", max_length)
    rng = random.Random(seed)
    pairs, counts = [], {DETAIL_SWAPPED: 0, SPEAKERS_SWAPPED: 0, "nothing to change: left out": 0,
                         f"over {max_length} tokens: left out": 0}
    familiar = familiar_details(rows["summary"])
    for dialogue, summary in zip(rows["dialogue"], rows["summary"]):
        rejected, kind = rejected_summary(summary, dialogue, rng, familiar)
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
    if balance:
        pairs, counts[BALANCE_LEFT_OUT] = balance_openings(pairs)
        counts[SPEAKERS_SWAPPED] -= counts[BALANCE_LEFT_OUT]
    return pairs, counts


def pair_rows(dialogues, settings, seed, sft_rows):
    """{"train", "validation"}: the DialogSum rows preference pairs are made from. The training rows come after the
    first `sft_rows` of the same seeded shuffle, which lesson 06 trained on: a chosen answer that was an SFT target
    would be preferred because it was learned, not because it was read."""
    train = dialogues["train"].shuffle(seed=seed)
    if sft_rows + settings["train_size"] > len(train):
        raise InputError(f"The training split has {len(train)} rows; lesson 06 trained on the first {sft_rows} and "
                         f"these pairs need {settings['train_size']} more.", "lower train_size in the profiles table.")
    return {"train": train.select(range(sft_rows, sft_rows + settings["train_size"])),
            "validation": dialogues["validation"].shuffle(seed=seed).select(range(settings["val_size"]))}


def dpo_settings(settings):
    """DPOConfig arguments of lesson 07 besides output_dir and seed, as a plain dict."""
    steps = settings["train_steps"]
    return dict(beta=settings["beta"], learning_rate=settings["lr"], max_steps=steps,
                per_device_train_batch_size=settings["batch_size"], per_device_eval_batch_size=settings["batch_size"],
                eval_strategy="steps", eval_steps=max(1, steps // 3),  # held-out rewards, three times in training
                max_length=settings["max_length"], warmup_steps=0.1, lr_scheduler_type="linear",
                logging_steps=max(1, steps // 10), save_strategy="no", report_to="none")


def lora_config(settings):
    """The LoRA adapter of lessons 07 and 08: LoRA's own dropout is off (TRL switches every dropout off for DPO)."""
    from peft import LoraConfig, TaskType

    targets = validate.texts("lora_targets", settings["lora_targets"])  # a string would reach peft as letters
    return LoraConfig(task_type=TaskType.CAUSAL_LM, r=settings["lora_r"], lora_alpha=settings["lora_alpha"],
                      lora_dropout=0.0, target_modules=targets)
