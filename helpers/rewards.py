"""Lesson 08 (reinforcement learning with a verifiable reward, GRPO): the rewards, their guards, and the recipe that
the lesson and scripts/train_grpo.py share.

A reward function here has the signature TRL's GRPOTrainer calls: `reward(completions, **columns) -> list[float]`,
one number per completion, where a completion is the assistant's message ([{"role": "assistant", "content": ...}])
or a plain string, and `columns` are the dataset's columns repeated for every completion (here `dialogue`), with
TRL's `completion_ids`. The advantages and the loss are written in the notebook, where they are taught.
"""

import functools
import math
import random
import re

from . import validate
from .chat import chat_request
from .dialogsum import SPEAKER
from .errors import InputError
from .metrics import unsupported_details

TAG = re.compile(r"#Person\d+#")  # any speaker tag, #Person3# too (a few DialogSum dialogues have three)


def text_of(completion):
    """The text of one completion: the assistant message's content, or the string itself."""
    if isinstance(completion, str):
        return completion
    if isinstance(completion, list) and completion and isinstance(completion[-1], dict):
        return completion[-1].get("content") or ""
    raise InputError(f"A completion is a string or a list of messages, not {type(completion).__name__}.",
                     "pass the `completions` TRL gives a reward function, or a list of strings.")


def no_unsupported_detail(completions, dialogue, **_):
    """1 when the summary names no detail the dialogue lacks (the course's fact check, helpers.metrics), else 0.
    An empty answer names none: this reward alone is easy to game."""
    texts = [text_of(c) for c in completions]
    return [0.0 if text.strip() and unsupported_details(text, source) else 1.0 for text, source in zip(texts, dialogue)]


def right_speakers(completions, dialogue, **_):
    """1 when the summary names at least one speaker and only speakers of its dialogue (#Person1#, #Person2#, ...)."""
    rewards = []
    for completion, source in zip(completions, dialogue):
        named, present = set(TAG.findall(text_of(completion))), set(TAG.findall(source))
        rewards.append(float(bool(named) and named <= present))
    return rewards


def length_reward(words, low, high):
    """1 inside [low, high] words; below, the share of `low` written; above, falling to 0 at twice `high`."""
    if words < low:
        return words / low
    return 1.0 if words <= high else max(0.0, 1.0 - (words - high) / high)


def human_length_range(summaries):
    """(low, high): the 5th and the 95th percentile of the human summaries' lengths in words."""
    import numpy as np

    words = np.array([len(validate.text("summary", s).split()) for s in summaries])
    return tuple(int(v) for v in np.percentile(words, [5, 95]))


def reward_functions(end_of_turn, low, high):
    """[no_unsupported_detail, right_speakers, stops, length_in_range]: the lesson's four rewards, each guarded.
    `end_of_turn`: the token id that ends an answer; `low`, `high`: the human summaries' length range in words."""
    validate.positive_int("low", low)
    if not isinstance(high, int) or high < low:
        raise InputError(f"high must be a whole number of words of at least low ({low}), not {high!r}.")

    def stops(completions, completion_ids, **_):
        """1 when the answer ended with its end-of-turn token, 0 when it was cut at max_completion_length."""
        return [float(len(ids) > 0 and int(ids[-1]) == end_of_turn) for ids in completion_ids]

    def length_in_range(completions, **_):
        """The summary's length against the human summaries' range (length_reward)."""
        return [length_reward(len(text_of(c).split()), low, high) for c in completions]

    return [guarded(f) for f in (no_unsupported_detail, right_speakers, stops, length_in_range)]


# ---------------------------------------------------------------- guards


def checked_rewards(name, rewards, count):
    """`rewards` as a list of floats, after checking that there is one finite number per completion."""
    if not isinstance(rewards, (list, tuple)) or len(rewards) != count:
        size = len(rewards) if isinstance(rewards, (list, tuple)) else type(rewards).__name__
        raise InputError(f"The reward function {name} returned {size} values for {count} completions.",
                         "return a list with one number per completion, in the order of `completions`.",
                         topic="a-reward-function-is-rejected")
    bad = [r for r in rewards if isinstance(r, bool) or not isinstance(r, (int, float)) or not math.isfinite(r)]
    if bad:
        raise InputError(f"The reward function {name} returned {bad[0]!r} among its rewards: each must be a finite "
                         "number.", "return a float for every completion (0.0 for a bad one, never None or NaN).",
                         topic="a-reward-function-is-rejected")
    return [float(r) for r in rewards]


def guarded(reward):
    """The reward function itself, with checked_rewards on every call: a wrong length or a NaN stops training at
    once, with a message, instead of being broadcast or averaged away."""
    @functools.wraps(reward)  # TRL logs each reward under its function's __name__
    def checked(completions, **columns):
        return checked_rewards(reward.__name__, reward(completions, **columns), len(completions))
    return checked


def rises_with_quality(reward, better, worse):
    """Check that `reward` scores every completion of `better` above the one at the same place in `worse`: the same
    prompts, worse answers. Each is a batch as TRL passes it, {"completions": [...], and the columns the reward reads
    ("dialogue", "completion_ids")}. Returns the two lists of rewards."""
    high, low = reward(**better), reward(**worse)
    wrong = [i for i, (h, l) in enumerate(zip(high, low)) if not h > l]
    if wrong:
        raise InputError(f"{reward.__name__} does not rise with quality: example {wrong[0]} scores "
                         f"{high[wrong[0]]} for the better answer and {low[wrong[0]]} for the worse one.",
                         "check the reward's sign and what it measures against the hand-made examples.",
                         topic="a-reward-function-is-rejected")
    return high, low


# ---------------------------------------------------------------- the recipe


def prompt_rows(dialogues, settings, seed, first_row):
    """The DialogSum rows whose dialogues become training prompts: validation rows from `first_row` on, in the seeded
    shuffle lesson 07 drew its held-out pairs from (its first `first_row`). No lesson trained on them, and the test
    dialogues that lessons 05-08 score stay apart."""
    rows = dialogues["validation"].shuffle(seed=seed)
    if first_row + settings["train_size"] > len(rows):
        raise InputError(f"The validation split has {len(rows)} rows; lesson 07 used the first {first_row} and this "
                         f"lesson needs {settings['train_size']} more.", "lower train_size in the profiles table.")
    return rows.select(range(first_row, first_row + settings["train_size"]))


def prompts(rows, tokenizer, max_prompt_length):
    """[{"prompt": lesson 06's chat request, "dialogue": ...}] for the rows whose rendered prompt fits
    `max_prompt_length` tokens: a longer dialogue is left out, not cut (a cut one could not support its summary)."""
    kept = []
    for row in rows:
        prompt = chat_request(row["dialogue"])
        if len(tokenizer.apply_chat_template(prompt, add_generation_prompt=True, return_dict=False)) <= \
                max_prompt_length:
            kept.append({"prompt": prompt, "dialogue": row["dialogue"]})
    if not kept:
        raise InputError(f"No dialogue fits max_prompt_length = {max_prompt_length} tokens.",
                         "raise max_prompt_length in the profiles table.")
    return kept


def grpo_settings(settings):
    """GRPOConfig arguments of lesson 08 besides output_dir and seed, as a plain dict. The loss settings are TRL
    1.x's defaults, written out so that they print and the lesson's hand-written loss can follow them."""
    steps, group = settings["train_steps"], settings["num_generations"]
    return dict(learning_rate=settings["lr"], max_steps=steps, num_generations=group,
                per_device_train_batch_size=group * settings["prompts_per_step"],
                max_completion_length=settings["max_completion_length"], temperature=settings["temperature"],
                loss_type="dapo", scale_rewards="group", beta=settings["beta"], epsilon=settings["epsilon"],
                num_iterations=1, warmup_steps=0.1, lr_scheduler_type="linear",
                logging_steps=max(1, steps // 10),  # ten points on each curve
                save_strategy="no", report_to="none")


def hand_made(row, rng=None):
    """Hand-made completions for one DialogSum row, to check the rewards: {"good": the human summary, and one worse
    answer for each reward: "invented detail", "wrong speaker", "no speaker", "too long", "too short"}."""
    rng = rng or random.Random(0)
    summary = row["summary"]
    day = rng.choice([d for d in ("Sunday", "Tuesday", "Friday") if d not in row["dialogue"]])
    return {"good": summary,
            "invented detail": f"{summary.rstrip('.')} on {day} at 7 o'clock in Zanzibar.",
            "wrong speaker": SPEAKER.sub("#Person3#", summary) if SPEAKER.search(summary) else "#Person3# talks.",
            "no speaker": SPEAKER.sub("someone", summary),
            "too long": " ".join([summary] * 8),
            "too short": "Talk."}
