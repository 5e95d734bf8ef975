"""Errors that speak to a learner: what happened, the one thing to do next, and where to read more."""

from .config import REPO_URL, REPO_BRANCH

TROUBLESHOOTING_PATH = "docs/troubleshooting.md"


def troubleshooting_url(topic):
    return f"{REPO_URL}/blob/{REPO_BRANCH}/{TROUBLESHOOTING_PATH}#{topic}"


class CourseError(RuntimeError):
    """An error a learner can fix. `topic` is the anchor of an entry in docs/troubleshooting.md."""

    def __init__(self, what, fix, topic):
        self.what, self.fix, self.topic = what, fix, topic
        super().__init__(f"{what}\n\nWhat to do: {fix}\n\nMore help: {troubleshooting_url(topic)}")


class InputError(CourseError, ValueError):
    """A helper was called with an argument it cannot use. Still a ValueError, as Python code expects."""

    def __init__(self, what, fix="check the arguments against the function's help: run help(<function>) in a cell.",
                 topic="wrong-input-to-a-helper"):
        super().__init__(what, fix, topic)
