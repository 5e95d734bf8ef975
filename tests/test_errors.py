"""Every error a learner can trigger from helpers names a troubleshooting entry that exists."""

import ast
import re
from pathlib import Path

from helpers import errors

ROOT = Path(__file__).resolve().parent.parent
HELPERS_FILES = sorted((ROOT / "helpers").rglob("*.py"))


def github_anchor(heading):
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^a-z0-9 -]", "", heading.strip().lower()).replace(" ", "-")


def anchors():
    text = (ROOT / errors.TROUBLESHOOTING_PATH).read_text()
    return {github_anchor(h) for h in re.findall(r"^## (.+)$", text, re.M)}


def error_topics():
    """(file, topic) for every CourseError(...) in helpers: the third argument or topic=."""
    found = []
    for path in HELPERS_FILES:
        tree = ast.parse(path.read_text())
        constants = {t.id: node.value.value for node in tree.body if isinstance(node, ast.Assign)
                     and isinstance(node.value, ast.Constant) for t in node.targets if isinstance(t, ast.Name)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == "InputError":
                topic = next((k.value for k in node.keywords if k.arg == "topic"), None)
                found.append((path.name, topic.value if topic else "wrong-input-to-a-helper"))
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == "CourseError":
                topic = node.args[2] if len(node.args) > 2 else next(k.value for k in node.keywords if k.arg == "topic")
                if isinstance(topic, ast.Name):
                    assert topic.id in constants, f"{path.name}: CourseError's topic {topic.id} is not a module constant"
                    found.append((path.name, constants[topic.id]))
                else:
                    assert isinstance(topic, ast.Constant), f"{path.name}: give CourseError a literal topic"
                    found.append((path.name, topic.value))
    return found


def test_course_errors_point_to_existing_entries():
    topics = error_topics()
    calls = sum(len(re.findall(r"\b(?:CourseError|InputError)\(", path.read_text())) for path in HELPERS_FILES)
    definitions = 2  # "class CourseError(" and "class InputError(" in helpers/errors.py
    assert len(topics) == calls - definitions, "an error call the topic reader missed (a topic it cannot read?)"
    missing = [(name, topic) for name, topic in topics if topic not in anchors()]
    assert missing == [], "add these entries to docs/troubleshooting.md"


def test_helpers_raise_only_learner_errors():
    """Bad input gets InputError (a ValueError that names the fix and an entry); exercise checks raise their own."""
    allowed = {"CourseError", "InputError", "ExerciseIncorrect", "offline_error", "writable_folder_error",
               "dataset_error"}
    for path in HELPERS_FILES:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
                name = getattr(node.exc.func, "id", getattr(node.exc.func, "attr", ""))
                # AssertionError is how an exercise's test function reports a specific mistake to check()
                # check_solution reports a reference solution that fails its own check as a failed assertion
                assert name in allowed or (name == "AssertionError" and path.name in ("mlm.py", "checks.py")), \
                    (path.name, name)


def test_input_errors_are_value_errors_with_a_fix():
    from helpers.metrics import rouge

    try:
        rouge(["a"], ["a", "b"])
    except ValueError as error:
        assert isinstance(error, errors.CourseError) and "What to do:" in str(error)
    else:
        raise AssertionError("rouge() accepted mismatched inputs")


def test_error_message_says_what_to_do_and_links_the_entry():
    error = errors.CourseError("Something broke.", "do this.", "offline-or-hub-errors")
    assert "What to do: do this." in str(error)
    assert str(error).endswith("docs/troubleshooting.md#offline-or-hub-errors")


def test_troubleshooting_covers_what_learners_hit():
    needed = {"no-gpu-on-colab", "cuda-out-of-memory", "bf16-and-fp16-on-a-t4", "nan-loss-with-t5",
              "restart-runtime-after-installs", "offline-or-hub-errors", "widgets-do-not-display",
              "removed-api-names", "unknown-name"}
    assert needed <= anchors()
    text = (ROOT / errors.TROUBLESHOOTING_PATH).read_text()
    for section in re.split(r"^## ", text, flags=re.M)[1:]:
        assert "**Symptom.**" in section and "**Cause.**" in section and "**Fix.**" in section, section[:40]
