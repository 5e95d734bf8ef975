"""Checks of what a notebook passes to a helper, before any work is done.

Each check returns the value (normalised: a list of texts, an int) or raises the course's InputError, whose
message names the argument, says what it got and what to pass instead. Without them, a bare string is processed
character by character, and a wrong size fails deep inside a library, or not at all.
"""

import numbers
from pathlib import Path

from .errors import InputError


def _shown(value, width=60):
    text = repr(value)
    return text if len(text) <= width else text[:width - 3] + "..."


def texts(name, value, allow_empty=False):
    """A list of strings from a list, tuple, dataset column or other iterable; never a single string."""
    if isinstance(value, str):
        raise InputError(f"{name} must be a list of texts, but got a single string ({_shown(value)}): it would be "
                         "processed one character at a time.", f"wrap it in a list: [{_shown(value, 30)}].")
    if value is None or isinstance(value, (dict, bytes)) or not hasattr(value, "__iter__"):
        raise InputError(f"{name} must be a list of texts, not {type(value).__name__} ({_shown(value)}).",
                         f"pass a list of strings as {name}, e.g. list(dataset['text']).")
    items = list(value)
    wrong = [item for item in items if not isinstance(item, str)]  # a list, so that a None item is found too
    if wrong:
        raise InputError(f"{name} must hold only strings; it holds a {type(wrong[0]).__name__} ({_shown(wrong[0])}).",
                         f"pass the texts themselves as {name}, e.g. [row['dialogue'] for row in rows].")
    if not items and not allow_empty:
        raise InputError(f"{name} is empty: there is nothing to process.", f"pass at least one text as {name}.")
    return items


def text(name, value):
    """One non-empty string."""
    if not isinstance(value, str):
        raise InputError(f"{name} must be a string, not {type(value).__name__} ({_shown(value)}).",
                         f"pass one text as {name}.")
    if not value.strip():
        raise InputError(f"{name} is empty: there is nothing to score.", f"pass a text with some words as {name}.")
    return value


def whole_number(name, value, minimum=0, example=None):
    """An int of at least `minimum` (a bool is not a number here)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise InputError(f"{name} must be a whole number of at least {minimum}; got {_shown(value)}.",
                         f"pass e.g. {name}={example if example is not None else max(minimum, 16)}.")
    return int(value)


def positive_int(name, value):
    return whole_number(name, value, minimum=1)


def positive_number(name, value, hint=""):
    """A float above 0; `hint` adds what to do instead (e.g. for a temperature of 0)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not value > 0:
        raise InputError(f"{name} must be a number above 0; got {_shown(value)}.", hint or f"pass e.g. {name}=0.7.")
    return float(value)


def counts(name, value):
    """A non-empty list of whole numbers of at least 0 (token lengths, one per example)."""
    if isinstance(value, (str, bytes, dict)) or value is None or not hasattr(value, "__iter__"):
        raise InputError(f"{name} must be a non-empty list of token counts; got {_shown(value)}.",
                         "pass one count per example, e.g. [len(ids) for ids in dataset['input_ids']].")
    items = list(value)
    if not items:
        raise InputError(f"{name} is empty: it must hold token counts, one per example.", "pass at least one count.")
    for item in items:
        if isinstance(item, bool) or not isinstance(item, numbers.Integral) or item < 0:
            raise InputError(f"{name} must hold token counts, whole numbers of at least 0; it holds {_shown(item)}.",
                             "pass one count per example, e.g. len(ids).")
    return [int(item) for item in items]


def fraction(name, value, low_open=False, high_open=False):
    """A number in [0, 1]; `low_open`/`high_open` exclude the ends (e.g. top_p must be above 0)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InputError(f"{name} must be a number between 0 and 1; got {_shown(value)}.", f"pass e.g. {name}=0.9.")
    too_low = value <= 0 if low_open else value < 0
    too_high = value >= 1 if high_open else value > 1
    if too_low or too_high:
        interval = f"{'(' if low_open else '['}0, 1{')' if high_open else ']'}"
        raise InputError(f"{name} must lie in {interval}; got {value}.", f"pass e.g. {name}=0.9.")
    return float(value)


def choice(name, value, choices, topic="wrong-input-to-a-helper"):
    """One of `choices`: an option of a helper, or (topic "unknown-name") a name of the course's profiles table."""
    if value not in choices:
        listed = ", ".join(repr(c) for c in choices)
        raise InputError(f"Unknown {name} {_shown(value)}: it must be one of {listed}.", f"use one of: {listed}.",
                         topic)
    return value


def same_length(first_name, first, second_name, second):
    if len(first) != len(second):
        raise InputError(f"{first_name} has {len(first)} items but {second_name} has {len(second)}; they are "
                         "matched one to one.", f"pass one item of {second_name} for each item of {first_name}.")


def existing_path(name, value):
    path = Path(value)
    if not path.exists():
        raise InputError(f"{name}: {path} does not exist.", "check the path (a typo, or a folder not created yet).")
    return path


def token_limit(name, value, model=None):
    """A positive token count that the model's position embeddings can hold (when the model has a limit)."""
    value = positive_int(name, value)
    limit = model_max_positions(model) if model is not None else None
    if limit is not None and value > limit:
        raise InputError(f"{name}={value} is more tokens than this model can read: it has positions for {limit}.",
                         f"pass {name} of at most {limit}.")
    return value


def model_max_positions(model):
    """How many positions the model has (BERT, DistilBERT, GPT-2), or None when it has no fixed limit (T5)."""
    config = getattr(model, "config", None)
    for key in ("max_position_embeddings", "n_positions"):
        value = getattr(config, key, None)
        if isinstance(value, int):
            return value
    return None
