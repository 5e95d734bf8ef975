"""Where the course keeps what it builds itself, and whether a build there is whole.

The tiny fixtures (helpers.tiny) live in one folder per version, `tiny-v<TINY_VERSION>`, with a manifest that
lists every file with its size and SHA-256. A folder counts as built only when every listed file is there with its
size and hash. This module is light on purpose (no torch): `import helpers` uses it.
"""

import errno
import hashlib
import json
import os
import shutil
import time
from pathlib import Path

from .config import CACHE_ENV
from .errors import CourseError

# Bump when helpers/tiny changes what gets built: a new version is a fresh build in a new
# folder. tests/test_tiny.py fails when either file changes and this number does not.
TINY_VERSION = "10"
MANIFEST = "manifest.json"
BUILDING = ".building-"  # suffix of a build in progress: tiny-v<N>.building-<pid>
TINY_SPACE_MB = 50  # the fixtures take about 4 MB; room for the build's temporary files too
TROUBLESHOOTING_ANCHOR = "cannot-write-a-course-folder"


def cache_root():
    """Where course files are cached: $COURSE_CACHE, else $XDG_CACHE_HOME/llm-course, else ~/.cache/llm-course."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base).expanduser() / "llm-course"


def tiny_dir():
    return cache_root() / f"tiny-v{TINY_VERSION}"


def _preferred_datasets_cache():
    return tiny_dir() / "datasets-cache"


def tiny_datasets_cache():
    """Where `datasets` keeps its prepared copy of the tiny data: beside the fixtures, one per fixture version, or,
    when that folder cannot be written (a read-only copy of the cache handed out at a workshop), in a folder of this
    user's under the system's temporary folder. The fixtures themselves are only read."""
    try:
        return ensure_writable(_preferred_datasets_cache(), CACHE_ENV, TINY_SPACE_MB)
    except CourseError:
        import getpass
        import tempfile

        try:
            user = getpass.getuser()
        except (KeyError, OSError):  # a container without a user name
            user = "user"
        fallback = Path(tempfile.gettempdir()) / f"llm-course-{user}" / f"tiny-v{TINY_VERSION}-datasets"
        return ensure_writable(fallback, CACHE_ENV, TINY_SPACE_MB)


def model_path(name):
    return tiny_dir() / "models" / name


def dataset_path(name):
    return tiny_dir() / "data" / name


# ---------------------------------------------------------------- manifests


def file_records(folder):
    """{relative path: {"bytes": size, "sha256": hash}} for every file below `folder`, in sorted order."""
    folder = Path(folder)
    return {str(p.relative_to(folder)): {"bytes": p.stat().st_size, "sha256": hashlib.sha256(p.read_bytes()).hexdigest()}
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != MANIFEST}


def write_manifest(folder, **facts):
    manifest = {**facts, "files": file_records(folder)}
    (Path(folder) / MANIFEST).write_text(json.dumps(manifest, indent=1))
    return manifest


def read_manifest(folder):
    try:
        return json.loads((Path(folder) / MANIFEST).read_text())
    except (OSError, ValueError):
        return None


def problems(folder, hashes=False):
    """What is wrong with a built folder, as sentences ([] when it is whole). `hashes=True` reads every file."""
    folder = Path(folder)
    manifest = read_manifest(folder)
    if manifest is None or not isinstance(manifest.get("files"), dict):
        return [f"{folder / MANIFEST} is missing or unreadable"]
    found = []
    for name, record in manifest["files"].items():
        path = folder / name
        if not path.is_file():
            found.append(f"{name} is missing")
        elif path.stat().st_size != record["bytes"]:
            found.append(f"{name} has {path.stat().st_size} bytes instead of {record['bytes']}")
        elif hashes and hashlib.sha256(path.read_bytes()).hexdigest() != record["sha256"]:
            found.append(f"{name} does not match its recorded SHA-256")
    return found


def is_built(folder=None):
    """True when every file the manifest lists is there with its recorded size and SHA-256. Reading the tiny
    fixtures (about 7 MB) costs a few hundredths of a second; a size check alone let a same-size damaged file (a
    corrupted safetensors header, say) load, or fail, on every run without ever being rebuilt."""
    return not problems(folder or tiny_dir(), hashes=True)


# ---------------------------------------------------------------- leftovers


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's live process
    return True


def remove_stale_builds(final):
    """Delete `<final>.building-<pid>` folders whose process is gone (a build that was killed)."""
    removed = []
    for leftover in Path(final).parent.glob(Path(final).name + BUILDING + "*"):
        pid = leftover.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(leftover, ignore_errors=True)
            removed.append(leftover)
    return removed


def move_aside(folder):
    """Rename an invalid folder out of the way (then delete it), so that a fresh build can take its place."""
    folder = Path(folder)
    if not folder.exists():
        return None
    aside = folder.with_name(f"{folder.name}.invalid-{os.getpid()}-{int(time.time())}")
    os.replace(folder, aside)
    shutil.rmtree(aside, ignore_errors=True)
    return aside


# ---------------------------------------------------------------- writable, with room


def writable_folder_error(folder, variable, needed_mb, error):
    """A CourseError for a folder the course cannot write: read-only, not permitted, or a full disk."""
    if getattr(error, "errno", None) == errno.ENOSPC:
        what = f"The disk holding {folder} is full: the course needs about {needed_mb} MB there."
        fix = f"free some space on that disk, or point {variable} to a folder on another disk."
    elif variable == "HF_HOME":  # it may hold prefetched models and data: a new, empty one would leave them behind
        what = f"The course cannot write to {folder} ({getattr(error, 'strerror', None) or error})."
        fix = ("copy your Hugging Face cache to a folder you can write to and point HF_HOME there, e.g. "
               "cp -r \"$HF_HOME\" $HOME/hf-cache, then HF_HOME=$HOME/hf-cache (an empty new HF_HOME would leave "
               "the prefetched models and data behind), or make the folder writable.")
    else:
        what = f"The course cannot write to {folder} ({getattr(error, 'strerror', None) or error})."
        fix = (f"point the environment variable {variable} to a folder you can write to (for example "
               f"{variable}=$HOME/llm-course-cache), or make {folder} writable.")
    return CourseError(what, fix, TROUBLESHOOTING_ANCHOR)


def ensure_writable(folder, variable, needed_mb):
    """Create `folder` if needed and check that it is writable and has `needed_mb` MB free; else a CourseError."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / f".write-test-{os.getpid()}"
        probe.write_bytes(b"ok")
        probe.unlink()
    except OSError as error:
        raise writable_folder_error(folder, variable, needed_mb, error) from error
    free_mb = shutil.disk_usage(folder).free / 2**20
    if free_mb < needed_mb:
        raise writable_folder_error(folder, variable, needed_mb, OSError(errno.ENOSPC, "No space left on device"))
    return folder
