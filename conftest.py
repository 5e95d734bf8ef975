"""Test order: unit tests, then the notebooks (nbval), then the checks of what the notebooks recorded."""

RUN_LAST = "tests/test_course_run.py"


def pytest_collection_modifyitems(session, config, items):
    items.sort(key=lambda item: item.nodeid.startswith(RUN_LAST))
