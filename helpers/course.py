"""The setup call every notebook starts with: choose the profile, check the machine, print the run table."""

import os
import time
from dataclasses import dataclass, field

from . import checks, config, env, tiny
from .errors import CourseError, unknown_choice

PROFILE_ENV = "COURSE_PROFILE"
SEED = 42


def check_profile(name):
    if name not in config.PROFILE_NAMES:
        raise unknown_choice("profile", name, config.PROFILE_NAMES)
    return name


def check_lesson(lesson):
    lesson = str(lesson).zfill(2)
    if lesson not in config.LESSONS:
        raise unknown_choice("lesson", lesson, list(config.LESSONS))
    return lesson


def lesson_settings(lesson, profile):
    """The row of the profiles table for this lesson and profile (a plain dict you can print)."""
    return config.PROFILES[check_lesson(lesson)][check_profile(profile)]


def model_id(name, profile):
    """What to pass to `from_pretrained`: a Hub id, or in `tiny` the folder of the tiny stand-in."""
    if name not in config.MODELS:
        raise unknown_choice("model", name, list(config.MODELS))
    if check_profile(profile) == "tiny":
        return str(tiny.model_path(config.TINY_MODELS[name]))
    return config.MODELS[name]


def dataset_id(name, profile):
    """What to pass to `load_dataset`: a Hub id, or in `tiny` the folder of the synthetic stand-in."""
    if name not in config.DATASETS:
        raise unknown_choice("dataset", name, list(config.DATASETS))
    if check_profile(profile) == "tiny":
        return str(tiny.dataset_path(name))
    return config.DATASETS[name]


def _needs(lessons, profile):
    models = sorted({m for l in lessons for m in config.PROFILES[l][profile]["models"].values()})
    datasets = sorted({d for l in lessons for d in config.PROFILES[l][profile]["datasets"].values()})
    return models, datasets


def missing_from_cache(lessons, profile):
    """Hub models and datasets these lessons need in this profile that are not cached locally."""
    models, datasets = _needs(lessons, profile)
    return ([config.MODELS[m] for m in models if not env.model_cached(config.MODELS[m])]
            + [config.DATASETS[d] for d in datasets if not env.dataset_cached(config.DATASETS[d])])


def offline_error(profile, missing):
    listed = ", ".join(missing)
    return CourseError(
        f"The `{profile}` profile needs {listed}, which are not in your Hugging Face cache, "
        "and the Hugging Face Hub cannot be reached from here.",
        "either download them once while online (`python -m helpers prefetch --profile "
        f"{profile}`) and run offline afterwards, or run the offline `tiny` profile: "
        f"set the environment variable {PROFILE_ENV}=tiny (or call helpers.setup(..., profile='tiny')).",
        "offline-or-hub-errors")


def choose_profile(lessons, explicit=None):
    """(profile, why it was chosen). An explicit choice is checked; an automatic one falls back to tiny."""
    chosen = explicit or os.environ.get(PROFILE_ENV, "").strip() or None
    if chosen:
        check_profile(chosen)
        why = "chosen by you" if explicit else f"set by {PROFILE_ENV}"
        if chosen != "tiny" and not env.hub_reachable():
            missing = missing_from_cache(lessons, chosen)
            if missing:
                raise offline_error(chosen, missing)
            why += "; Hub offline, using the local cache"
        return chosen, why
    wanted = "full" if env.pick_device() == "cuda" else "quick"
    if env.hub_reachable():
        return wanted, "automatic: " + ("GPU found" if wanted == "full" else "no GPU, so the CPU-sized profile")
    if not missing_from_cache(lessons, wanted):
        return wanted, "automatic: Hub offline, but everything needed is cached"
    return "tiny", "automatic: the Hub is unreachable and the real models are not cached"


TINY_BANNER = """\
==============================================================================
  TINY PROFILE: tiny models and synthetic data, no network needed.
  Everything runs, but the outputs are NOT meaningful: the models are a few
  hundred thousand parameters trained for seconds on made-up text.
  For the real course: open this notebook in Colab with a GPU, or, online,
  run `python -m helpers prefetch` once and set COURSE_PROFILE=quick.
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

    def model_id(self, role):
        """The id to load for a model role of this lesson (e.g. 'mlm', 'seq2seq')."""
        return model_id(self._name("models", role), self.profile)

    def dataset_id(self, role):
        return dataset_id(self._name("datasets", role), self.profile)

    def dtype(self, role):
        """The compute dtype for a model role on this device (see helpers.env.pick_dtype), unless the
        lesson's settings fix one (e.g. "dtype": "float32")."""
        import torch

        if "dtype" in self.settings:
            return getattr(torch, self.settings["dtype"])
        return env.pick_dtype(self.device, config.MODEL_FAMILY[self._name("models", role)])

    def precision_args(self, role):
        """Trainer mixed-precision flags for this model on this device: {'bf16': True}, {'fp16': True} or {}."""
        return env.precision_args(self.dtype(role))

    def load_dataset(self, role, **kwargs):
        """`datasets.load_dataset` on this lesson's dataset, with a learner-sized error if it fails."""
        from datasets import load_dataset

        ident = self.dataset_id(role)
        try:
            return load_dataset(ident, **kwargs)
        except (ConnectionError, OSError, FileNotFoundError) as error:
            raise offline_error(self.profile, [ident]) from error

    def seconds(self, key="total"):
        return self.settings.get("seconds", {}).get(key)

    def estimate(self, key):
        """Print how long the next cell should take in this profile, before a long cell starts."""
        seconds = self.seconds(key)
        if seconds is None:
            return
        info = config.PROFILE_INFO[self.profile]
        kind = "measured" if info["measured"] else "estimated"
        print(f"⏱  This step takes about {format_seconds(seconds)} in the `{self.profile}` profile "
              f"({kind} on a {info['timed_on']}).")

    def _name(self, kind, role):
        roles = self.settings[kind]
        if role not in roles:
            raise unknown_choice(f"{kind[:-1]} role of lesson {self.lesson}", role, list(roles))
        return roles[role]


def format_seconds(seconds):
    if seconds < 90:
        return f"{seconds:.0f} s"
    return f"{seconds / 60:.0f} min"


def run_table(run):
    """The rows the setup call prints, as (label, value) pairs."""
    settings = run.settings
    versions = env.versions()
    gpu = env.gpu_report()
    device = run.device if not gpu else f"cuda ({gpu['name']}, {gpu['memory_gb']} GB)"
    rows = [("lesson", f"{run.lesson} {config.LESSONS[run.lesson]['title']}"),
            ("profile", f"{run.profile} ({run.why})"),
            ("device", device)]
    for role, name in settings["models"].items():
        rows.append((f"model: {role}", f"{run.model_id(role)}  [dtype {str(run.dtype(role)).replace('torch.', '')}]"))
    for role, name in settings["datasets"].items():
        rows.append((f"data: {role}", run.dataset_id(role)))
    sizes = {k: v for k, v in settings.items() if k not in ("models", "datasets", "seconds")}
    if sizes:
        rows.append(("settings", ", ".join(f"{k}={v}" for k, v in sizes.items())))
    rows.append(("versions", ", ".join(f"{k} {v}" for k, v in versions.items())))
    info = config.PROFILE_INFO[run.profile]
    kind = "measured" if info["measured"] else "estimate"
    if run.seconds():
        rows.append(("time", f"about {format_seconds(run.seconds())} on a {info['timed_on']} ({kind})"))
    return rows


def setup(lesson, profile=None, seed=SEED, quiet=False):
    """Start a lesson: pick the profile, seed everything, make sure the models are there, print the run table.

    Safe to call twice. Returns a `Run` whose `.settings` is this lesson's row of the profiles table.
    """
    started = time.perf_counter()
    lesson = check_lesson(lesson)
    chosen, why = choose_profile([lesson], profile)
    if chosen == "tiny":
        tiny.ensure_built(verbose=not quiet)
        env.use_one_thread()
    env.seed_everything(seed)
    checks.current_lesson = lesson
    run = Run(lesson=lesson, profile=chosen, why=why, device=env.pick_device(),
              settings=lesson_settings(lesson, chosen), seed=seed)
    if not quiet:
        if chosen == "tiny":
            print(TINY_BANNER)
        width = max(len(label) for label, _ in run_table(run))
        for label, value in run_table(run):
            print(f"{label:>{width}} : {value}")
        print(f"{'':>{width}}   (setup took {time.perf_counter() - started:.1f} s)")
    return run


def profiles_table():
    """Every lesson in every profile: models, data and time, as a pandas DataFrame."""
    import pandas as pd

    rows = []
    for lesson, meta in config.LESSONS.items():
        for profile in config.PROFILE_NAMES:
            settings = config.PROFILES[lesson][profile]
            models = [config.MODELS[m] if profile != "tiny" else f"tiny {config.TINY_MODELS[m]}"
                      for m in settings["models"].values()]
            rows.append({"lesson": f"{lesson} {meta['title']}", "profile": profile, "models": ", ".join(models),
                         "time": format_seconds(settings["seconds"]["total"])})
    return pd.DataFrame(rows).pivot(index="lesson", columns="profile", values=["models", "time"])
