"""Plumbing for the LLM course notebooks. What is being taught stays in the notebooks.

The modules here are what lessons import. Maintainers' tools live apart, and lessons never import them:
helpers.tools (the command line, the headless runner, notebook authoring, prefetching) and helpers.tiny (the
tiny models and synthetic data of the `tiny` profile, which the setup call builds when they are missing).
"""

import os

# Tokenizers' own threads and DataLoader worker processes do not mix (a fork after the Rust thread pool
# started deadlocks, and transformers warns about it in every cell). The course tokenizes in batches,
# so one thread per process loses little.
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from .config import COURSE_VERSION, DATASETS, LESSONS, MODELS, PROFILES, REPO_URL  # noqa: E402
from .profiles import dataset_id, lesson_settings, model_id  # noqa: E402
from .session import Run, setup  # noqa: E402
from .errors import CourseError  # noqa: E402

__version__ = COURSE_VERSION
__all__ = ["setup", "Run", "model_id", "dataset_id", "lesson_settings", "CourseError",
           "PROFILES", "LESSONS", "MODELS", "DATASETS", "REPO_URL", "__version__"]
