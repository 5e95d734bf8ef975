"""The instructor guide's timing plans hold what each lesson takes: its compute in `quick` (the profiles table)
plus the time to teach it (its prose read at 150 words a minute, 5 minutes an exercise)."""

import json
import re
from pathlib import Path

import pytest

from helpers import config

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "instructor-guide.md"
SLOT = re.compile(r"^\| (\d+):(\d\d) - (\d+):(\d\d) \| (\d\d) ", re.MULTILINE)
WORDS_PER_MINUTE = 150
EXERCISE_MINUTES = 5


def teaching_minutes(lesson):
    nb = json.loads((ROOT / "notebooks" / config.LESSONS[lesson]["notebook"]).read_text())
    prose = " ".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    exercises = sum("@title Solution" in "".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    return len(re.findall(r"\w+", prose)) / WORDS_PER_MINUTE + EXERCISE_MINUTES * exercises


def lesson_minutes(lesson):
    return config.PROFILES[lesson]["quick"]["seconds"]["total"] / 60 + teaching_minutes(lesson)


def slots():
    for match in SLOT.finditer(GUIDE.read_text()):
        h1, m1, h2, m2, lesson = match.groups()
        yield lesson, (int(h2) * 60 + int(m2)) - (int(h1) * 60 + int(m1))


def test_the_timing_plans_name_lessons():
    assert {lesson for lesson, _ in slots()} >= {"00", "01", "04"}


@pytest.mark.parametrize("lesson, minutes", list(slots()))
def test_each_slot_holds_its_lessons_compute_and_teaching(lesson, minutes):
    needed = lesson_minutes(lesson)
    assert minutes >= needed, (f"lesson {lesson} has a {minutes}-minute slot in the instructor guide but takes about "
                               f"{needed:.0f} (quick's compute plus teaching): re-cut the timing plan")
