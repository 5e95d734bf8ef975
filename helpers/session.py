"""The setup call every notebook starts with: decide online or offline and the profile, check the libraries, seed
everything, build the tiny fixtures when `tiny` needs them, and print the run table. Returns a `Run`: what this
notebook run uses (the profile's settings, the ids to load, the dtype, a folder for its files)."""

import errno
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import cache, checks, config, env, hub, precision, profiles, results, validate
from .config import MAX_ROWS_ENV, MAX_STEPS_ENV, OUTPUT_ENV
from .errors import CourseError

SEED = 42
# Room the course needs in HF_HOME for what it downloads or prepares there (models and datasets of `full`).
HF_SPACE_MB = 4000


TINY_BANNER = """\
==============================================================================
  TINY PROFILE: tiny models and synthetic data, no network needed.
  Everything runs, but the outputs are NOT meaningful: the models are a few
  hundred thousand parameters trained for seconds on made-up text.
  For the real course: open this notebook in Colab with a GPU, or, online,
  run `python -m helpers prefetch` once and set COURSE_PROFILE=quick.
=============================================================================="""

STAND_IN_BANNER = """\
==============================================================================
  STAND-IN WEIGHTS: real-size models with random weights (a smoke run).
  Code paths, sizes and times are real; every output is meaningless, and the
  checks that need pretrained weights report "skipped" instead of failing.
=============================================================================="""


@dataclass
class Run:
    """What this notebook run uses. `settings` is this lesson's row of the profiles table."""

    lesson: str
    profile: str
    why: str
    device: str
    settings: dict = field(repr=False)
    seed: int = SEED
    stand_in_weights: bool = False

    @property
    def show_progress(self):
        """Progress bars on long loops and training: in quick and full; tiny (and so the tests) stays silent."""
        return self.profile != "tiny"

    def model_id(self, role):
        """The id to load for a model role of this lesson (e.g. 'mlm', 'seq2seq')."""
        return profiles.model_id(self._name("models", role), self.profile)

    def dataset_id(self, role):
        return profiles.dataset_id(self._name("datasets", role), self.profile)

    def dtype(self, role, training=False):
        """The compute dtype for a model role on this device (see helpers.precision.pick_dtype; `training`: the
        dtype its training autocasts to), unless the lesson's settings fix one (e.g. "dtype": "float32")."""
        import torch

        if "dtype" in self.settings:
            return getattr(torch, self.settings["dtype"])
        family = config.MODELS[self._name("models", role)]["family"]
        return precision.pick_dtype(self.device, family, self.profile, training)

    def precision_args(self, role):
        """Trainer flags for this model on this device: {'bf16': True}, {'fp16': True} or {} for mixed precision
        (with use_cpu=True when a CPU trains under autocast: its own bf16, or a GPU's policy under COURSE_PRECISION),
        and on a Mac {'use_cpu': True}, since the Trainer would otherwise move the model to the Apple GPU, which the
        course leaves unused (helpers.env.pick_device says why)."""
        flags = precision.precision_args(self.dtype(role, training=True), self.device)
        if self.device == "cpu" and env.apple_gpu_available():
            flags["use_cpu"] = True
        return flags

    def generation_autocast(self):
        """bf16 autocast for generation where this run trains in bf16, else nothing (helpers.precision)."""
        return precision.generation_autocast(self.device, self.profile)

    def load_dataset(self, role, **kwargs):
        """`datasets.load_dataset` on this lesson's dataset, with a learner-sized error if it fails."""
        from datasets import load_dataset

        from datasets import config as datasets_config

        ident = self.dataset_id(role)
        variable = "HF_HOME"
        if self.profile == "tiny":
            # The tiny data's own cache, one per fixture version: datasets keys the cache of a local folder by its
            # name and files pattern, so a rebuilt fixture would otherwise be served from an older version's cache.
            kwargs.setdefault("cache_dir", str(cache.tiny_datasets_cache()))
            variable = config.CACHE_ENV
        try:
            return load_dataset(ident, **kwargs)
        except OSError as error:
            folder = Path(kwargs.get("cache_dir") or datasets_config.HF_DATASETS_CACHE)
            raise dataset_error(self.profile, ident, error, folder, variable) from error

    def fresh_workdir(self):
        """Empties this lesson's folder of files (checkpoints, adapters, saved models) and returns it; see output_root().
        Call it once, at the top of a lesson: a second call deletes what the first run saved."""
        folder = output_root() / f"lesson{self.lesson}"
        shutil.rmtree(folder, ignore_errors=True)
        return cache.ensure_writable(folder, OUTPUT_ENV, 100)

    def seconds(self, key="total"):
        return self.settings.get("seconds", {}).get(key)

    def estimate(self, key):
        """Print how long this cell takes in this profile, before its long work starts.

        A headless run (`python -m helpers run`) compares it with the cell's measured time in build/report.md.
        """
        seconds = self.seconds(key)
        if seconds is None:
            return
        note = ""
        if self.trains_slower_than_timed(key):
            seconds *= config.FP32_TRAINING_SLOWDOWN
            note = (f" (timed under bf16 autocast; this CPU trains in fp32, about {config.FP32_TRAINING_SLOWDOWN}x "
                    "slower)")
        print(f"⏱  This step takes {profiles.time_note(self.profile, seconds)} in the `{self.profile}` profile"
              f"{note}.")

    def trains_slower_than_timed(self, key):
        """True for a training step of `quick` on a CPU that trains in fp32: quick's times come from a CPU with
        native bf16, where training runs under bf16 autocast."""
        return (self.profile == "quick" and self.device == "cpu" and key in config.TRAINING_STEPS
                and precision.precision_policy(self.device, self.profile)[0] == "fp32")

    def _name(self, kind, role):
        roles = self.settings[kind]
        return roles[validate.choice(f"{kind[:-1]} role of lesson {self.lesson}", role, list(roles), profiles.TROUBLESHOOTING_ANCHOR)]


def dataset_error(profile, ident, error, folder, variable):
    """The course error for a failed load_dataset: offline, a folder it cannot write (named, with the variable that
    moves it), or the error itself."""
    if isinstance(error, ConnectionError) or "offline" in str(error).lower() or "connect" in str(error).lower():
        return hub.offline_error(profile, [ident])
    if getattr(error, "errno", None) in (errno.EROFS, errno.EACCES, errno.EPERM, errno.ENOSPC):
        return cache.writable_folder_error(folder, variable, HF_SPACE_MB, error)
    return error


def output_root():
    """Where lessons write their files: $COURSE_OUTPUT_DIR, else build/runs in the course's checkout, else in the
    current folder (on Colab: /content/build/runs)."""
    if os.environ.get(OUTPUT_ENV):
        return Path(os.environ[OUTPUT_ENV]).expanduser()
    checkout = Path(__file__).resolve().parent.parent
    base = checkout if (checkout / "notebooks").is_dir() else Path.cwd()
    return base / "build" / "runs"


def _env_int(name):
    value = os.environ.get(name, "").strip()
    if not value:
        return None
    if not value.isdigit() or int(value) < 1:
        raise CourseError(f"{name}={value!r} is not a positive whole number.", f"set {name} to e.g. 2, or unset it.",
                          "smoke-runs-at-real-sizes")
    return int(value)


def run_table(run):
    """The rows the setup call prints, as (label, value) pairs."""
    summary = profiles.lesson_summary(run.lesson, run.profile)
    gpu = env.gpu_report()
    device = run.device if not gpu else f"cuda ({gpu['name']}, {gpu['memory_gb']} GB)"
    rows = [("lesson", f"{run.lesson} {summary['title']}"),
            ("profile", f"{run.profile} ({run.why})"),
            ("device", device),
            ("precision", "{} ({})".format(*precision.precision_policy(run.device, run.profile)))]
    for role in run.settings["models"]:
        dtype = str(run.dtype(role)).replace("torch.", "")
        rows.append((f"model: {role}", f"{run.model_id(role)}  [dtype {dtype}]"))
    for role in run.settings["datasets"]:
        rows.append((f"data: {role}", run.dataset_id(role)))
    sizes = {k: v for k, v in run.settings.items() if k not in ("models", "datasets", "seconds")}
    if sizes:
        rows.append(("settings", ", ".join(f"{k}={v}" for k, v in sizes.items())))
    if run.stand_in_weights:
        rows.append(("weights", "STAND-IN (random weights): checks that need pretrained weights are skipped"))
    rows.append(("versions", ", ".join(f"{k} {v}" for k, v in env.versions().items())))
    rows.append(("time", profiles.time_note(run.profile, summary["seconds"])))
    return rows


VERSION_WARNING = """\
⚠  This notebook was written for version {wanted} of the course's `helpers` package, but version {loaded} is
   loaded. In Colab: Runtime > Restart session, then run this cell again. Locally: update your clone
   (git pull) and reinstall it (pip install -e .)."""


def check_libraries(lesson):
    """Stop early, with the one thing to do, when a library the lesson needs is missing or loaded in an old version."""
    stale = env.stale_modules()
    if stale:
        listed = ", ".join(f"{name} {loaded} (now {installed})" for name, loaded, installed in stale)
        raise CourseError(f"An install changed libraries this session had already loaded: {listed}. Their old code "
                          "would run mixed with the new.",
                          "restart the kernel (Colab: Runtime > Restart session), then run this cell again; it "
                          "will not install again.", "restart-runtime-after-installs")
    extra = config.LESSONS[lesson].get("extra")
    if extra:
        import importlib.util

        module = config.EXTRAS[extra]["module"]
        if importlib.util.find_spec(module) is None:
            raise CourseError(f"Lesson {lesson} needs `{module}`, from the course's optional `{extra}` part, and it is "
                              "not installed.", f'pip install -e ".[{extra}]" in your clone of the course (or '
                              f'pip install "llm-course[{extra}]"), then restart the kernel.',
                              "an-optional-part-is-missing")


def setup(lesson, profile=None, seed=SEED, quiet=False, course_version=None):
    """Start a lesson: pick the profile, seed everything, make sure the models are there, print the run table.

    Safe to call twice. Returns a `Run` whose `.settings` is this lesson's row of the profiles table.
    `course_version`: the version the notebook was written for; a different loaded version is announced.
    """
    started = time.perf_counter()
    seed = validate.whole_number("seed", seed, example=SEED)
    if course_version and course_version != config.COURSE_VERSION:
        print(VERSION_WARNING.format(wanted=course_version, loaded=config.COURSE_VERSION))
    lesson = profiles.check_lesson(lesson)
    check_libraries(lesson)
    chosen, why, _, _ = hub.decide([lesson], profile)
    stand_in = checks.stand_in_weights()
    if stand_in and chosen == "tiny":
        raise CourseError("Stand-in weights are for real-size smoke runs, and this run uses the `tiny` profile, "
                          "whose checks must all hold.", f"unset {config.STAND_IN_ENV}, or choose quick or full.",
                          "smoke-runs-at-real-sizes")
    if chosen == "tiny":
        if not cache.is_built():
            from .tiny import ensure_built

            ensure_built(verbose=not quiet)
        env.use_one_thread()
    from transformers import set_seed

    set_seed(seed)  # Python's, NumPy's and PyTorch's generators (every GPU's too)
    env.quiet_known_warnings()
    results.start_lesson(lesson)
    settings = profiles.capped(profiles.lesson_settings(lesson, chosen), _env_int(MAX_ROWS_ENV),
                               _env_int(MAX_STEPS_ENV))
    run = Run(lesson=lesson, profile=chosen, why=why, device=env.pick_device(), settings=settings, seed=seed,
              stand_in_weights=stand_in)
    if not quiet:
        banner = TINY_BANNER if chosen == "tiny" else STAND_IN_BANNER if stand_in else None
        if banner:
            print(banner)
        rows = run_table(run)
        width = max(len(label) for label, _ in rows)
        for label, value in rows:
            print(f"{label:>{width}} : {value}")
        print(f"{'':>{width}}   (setup took {time.perf_counter() - started:.1f} s)")
    return run
