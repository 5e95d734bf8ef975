"""What the lessons need to know about DialogSum: its layout, its request, its words and details. Used by lessons 02,
06, 07 and 08 (05 through recipes).

DialogSum's test split lists each of its 500 dialogues three times, once per reference summary written by a
different person: ids test_<i>_1, test_<i>_2 and test_<i>_3 (Chen et al., 2021, collected three summaries per test
dialogue). Taking "the first 20 rows" therefore gives about 7 dialogues, shown three times each. The course
evaluates each distinct dialogue once, against all of its references (the best-matching one counts in ROUGE),
which gives higher numbers than scoring against one reference, as most published DialogSum results do.
"""

import re

from . import validate
from .errors import InputError

REFERENCE_ID = re.compile(r"^(test_\d+)_\d+$")  # test_12_3: dialogue test_12, its third reference

# The request of every summarizing lesson: lesson 02's templates add a cue after it ("Summary:"), lesson 06's chat
# request sends it as the user's turn (the chat template marks where the answer starts).
INSTRUCTION = "Summarize the following conversation.\n\n{dialogue}"

# A word of a dialogue or summary: a speaker tag, letters (with an apostrophe: "don't"), or a number ("3:30", "1,000").
WORD = re.compile(r"#Person\d#|[A-Za-z]+(?:'[a-z]+)?|\d+(?:[.,:]\d+)*")
# The details a summary can get wrong that the course checks (helpers.metrics) and swaps (helpers.preferences).
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
NUMBER_WORDS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
                "fifteen", "twenty", "thirty", "forty", "fifty", "hundred", "thousand", "million")
CLOCK_WORDS = ("noon", "midnight")
SPEAKER = re.compile(r"#Person([12])#")  # DialogSum names its two speakers #Person1# and #Person2#


def first_speaker(text):
    """The first speaker tag of a text ("#Person2#"), or None: in DialogSum's summaries, the main actor."""
    match = SPEAKER.search(text)
    return match.group() if match else None


def distinct_dialogues(rows, n=None):
    """The distinct dialogues of a split, in order of first appearance: [{"id", "dialogue", "references"}].

    `rows`: a DialogSum split (a datasets.Dataset or a list of rows with "id", "dialogue" and "summary").
    Rows that repeat a dialogue add their summary to its references. `n`: keep only the first n dialogues.
    """
    if n is not None:
        validate.positive_int("n", n)
    if isinstance(rows, (str, dict)) or not hasattr(rows, "__iter__"):
        raise InputError("distinct_dialogues() needs the rows of a DialogSum split, e.g. dialogues['test'].",
                         "pass the split itself, not one row or one column.")
    found = {}
    for row in rows:
        if row["dialogue"] not in found:
            match = REFERENCE_ID.match(row["id"])
            found[row["dialogue"]] = {"id": match.group(1) if match else row["id"], "dialogue": row["dialogue"],
                                      "references": []}
        found[row["dialogue"]]["references"].append(row["summary"])
    return list(found.values())[:n]
