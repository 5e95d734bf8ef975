import os

import pytest

# Unit tests run offline in the tiny profile, like the notebooks (make test sets these too).
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("COURSE_PROFILE", "tiny")
os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture(scope="session")
def tiny_fixtures():
    """The tiny models and data, built once (make test builds them before pytest starts)."""
    from helpers import tiny

    return tiny.ensure_built(verbose=False)
