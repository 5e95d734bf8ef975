"""The test run, for tests/ and the notebooks (nbval) alike: offline, tiny, no network, no litter.

Everything below is set, not defaulted: whatever the environment says, the tests run offline in `tiny`. The
network guard (tests/netguard) is loaded by every Python process the tests start, notebook kernels included.
"""

import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent
RUN_LAST = "tests/test_course_run.py"
SCRATCH = Path(tempfile.mkdtemp(prefix="llm-course-tests-"))
NETWORK_LOG = SCRATCH / "network-attempts.log"

os.environ.update({
    "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "HF_EVALUATE_OFFLINE": "1",
    "COURSE_PROFILE": "tiny", "COURSE_STAND_IN_WEIGHTS": "0", "MPLBACKEND": "Agg",
    "HF_DATASETS_CACHE": str(SCRATCH / "datasets"),  # not the user's ~/.cache/huggingface/datasets
    "HF_MODULES_CACHE": str(SCRATCH / "modules"),  # evaluate copies metric modules here
    "COURSE_OUTPUT_DIR": str(SCRATCH / "runs"),  # lessons' checkpoints and adapters
    "COURSE_NETWORK_GUARD": "1", "COURSE_NETWORK_LOG": str(NETWORK_LOG),
    "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "tests" / "netguard"), str(ROOT),
                                                os.environ.get("PYTHONPATH")])),
})
for name in ("COURSE_MAX_STEPS", "COURSE_MAX_ROWS"):
    os.environ.pop(name, None)
sys.path.insert(0, str(ROOT / "tests" / "netguard"))
import netguard  # noqa: E402  (this process started before PYTHONPATH was set, so it installs the guard itself)

netguard.install()


def pytest_collection_modifyitems(session, config, items):
    items.sort(key=lambda item: item.nodeid.startswith(RUN_LAST))


def pytest_sessionfinish(session, exitstatus):
    attempts = NETWORK_LOG.read_text() if NETWORK_LOG.exists() else ""
    if attempts:
        print(f"\n\nNETWORK USED DURING THE TESTS (they must run offline):\n{attempts}", file=sys.stderr)
        session.exitstatus = 1
    shutil.rmtree(SCRATCH, ignore_errors=True)
