"""The profiles table read by lesson and profile: the settings of a run, the ids to load, and one summary record
per lesson and profile from which every table of the course is drawn (the run table, `python -m helpers info`,
lesson 00's overview, the README's course map). The table itself is plain data in helpers.config."""

from . import cache, config, validate

# Settings that count rows of data (capped in smoke runs by COURSE_MAX_ROWS); batch sizes are not among them.
ROW_SETTINGS = ("train_size", "val_size", "test_size", "eval_size", "sensitivity_size",
                "padding_sample", "show_size", "sample_size", "mlm_train_size", "mlm_eval_size")
# Row counts left whole on purpose: lesson 02's pool_size, the training dialogues few-shot examples are chosen from,
# costs only tokenization, and its size decides whether short enough examples exist (a 16-row pool has none).
UNCAPPED_ROW_SETTINGS = ("pool_size",)
# Settings that count optimizer steps (capped in smoke runs by COURSE_MAX_STEPS). -1 means "the epochs decide".
STEP_SETTINGS = ("max_steps", "train_steps", "mlm_steps")
TROUBLESHOOTING_ANCHOR = "unknown-name"  # the troubleshooting entry of a name that is not in the table


def check_profile(name):
    return validate.choice("profile", name, config.PROFILE_NAMES, TROUBLESHOOTING_ANCHOR)


def check_lesson(lesson):
    return validate.choice("lesson", str(lesson).zfill(2), list(config.LESSONS), TROUBLESHOOTING_ANCHOR)


def lesson_settings(lesson, profile):
    """The row of the profiles table for this lesson and profile (a plain dict you can print)."""
    return config.PROFILES[check_lesson(lesson)][check_profile(profile)]


def model_id(name, profile):
    """What to pass to `from_pretrained`: a Hub id, or in `tiny` the folder of the tiny stand-in."""
    validate.choice("model", name, list(config.MODELS), TROUBLESHOOTING_ANCHOR)
    if check_profile(profile) == "tiny":
        return str(cache.model_path(config.MODELS[name]["tiny"]))
    return config.hub_id(name)


def dataset_id(name, profile):
    """What to pass to `load_dataset`: a Hub id, or in `tiny` the folder of the synthetic stand-in."""
    validate.choice("dataset", name, list(config.DATASETS), TROUBLESHOOTING_ANCHOR)
    if check_profile(profile) == "tiny":
        return str(cache.dataset_path(name))
    return config.DATASETS[name]


def needs(lessons, profile):
    """(logical model names, logical dataset names) that these lessons load in this profile."""
    models = sorted({m for lesson in lessons for m in config.PROFILES[lesson][profile]["models"].values()})
    datasets = sorted({d for lesson in lessons for d in config.PROFILES[lesson][profile]["datasets"].values()})
    return models, datasets


def capped(settings, max_rows=None, max_steps=None):
    """The settings of a smoke run: row counts at most `max_rows`, training at most `max_steps` optimizer steps.

    Everything else (batch sizes, lengths, LoRA targets, precision) stays as the profile has it.
    """
    settings = dict(settings)
    if max_rows:
        for key in ROW_SETTINGS:
            if key in settings:
                settings[key] = min(settings[key], max_rows)
    if max_steps:
        for key in STEP_SETTINGS:
            if key in settings:
                settings[key] = max_steps if settings[key] < 0 else min(settings[key], max_steps)
    return settings


# ---------------------------------------------------------------- one record per lesson and profile


# A step shorter than this prints "under 10 s": its time is mostly loading and start-up, which vary between runs
# and machines by more than the 1.3x a printed time is held to (helpers.tools.report).
SHORT_STEP_S = 10


def format_seconds(seconds):
    if seconds < SHORT_STEP_S:
        return f"under {SHORT_STEP_S} s"
    if seconds < 90:
        return f"about {seconds:.0f} s"
    return f"about {seconds / 60:.0f} min"


def time_note(profile, seconds):
    """'about 3 min on a 2-core CPU (measured)': how every printed time of the course reads."""
    info = config.PROFILE_INFO[profile]
    return f"{format_seconds(seconds)} on a {info['timed_on']} ({'measured' if info['measured'] else 'estimate'})"


def model_label(name, profile):
    return f"tiny {config.MODELS[name]['tiny']}" if profile == "tiny" else config.hub_id(name)


def dataset_label(name, profile):
    return f"tiny {name}" if profile == "tiny" else config.DATASETS[name]


def lesson_summary(lesson, profile):
    """What a lesson uses in a profile, as one plain record: the source of every table that shows the profiles."""
    settings = lesson_settings(lesson, profile)
    info = config.PROFILE_INFO[profile]
    return {"lesson": lesson, "title": config.LESSONS[lesson]["title"], "notebook": config.LESSONS[lesson]["notebook"],
            "outcome": config.LESSONS[lesson]["outcome"], "profile": profile, "for": info["for"],
            "models": [model_label(m, profile) for m in settings["models"].values()],
            "datasets": [dataset_label(d, profile) for d in settings["datasets"].values()],
            "seconds": settings["seconds"]["total"], "time": format_seconds(settings["seconds"]["total"]),
            "timed_on": f"{info['timed_on']} ({'measured' if info['measured'] else 'estimate'})"}


def profiles_table():
    """Every lesson in every profile: models, data and time, as a pandas DataFrame."""
    import pandas as pd

    rows = [lesson_summary(lesson, profile) for lesson in config.LESSONS for profile in config.PROFILE_NAMES]
    frame = pd.DataFrame({"lesson": f"{r['lesson']} {r['title']}", "profile": r["profile"],
                          "models": ", ".join(r["models"]), "time": r["time"]} for r in rows)
    return frame.pivot(index="lesson", columns="profile", values=["models", "time"])
