"""Online or offline, and the profile that can run: decided once, then passed on as a value.

`python -m helpers run` decides once for all its notebooks and hands the answer to every kernel in COURSE_HUB, so
no kernel probes the Hub again. A notebook opened by hand decides in its setup call: HF_HUB_OFFLINE=1 means
offline; otherwise a probe of at most 3 s (helpers.env.hub_reachable) answers.
"""

import os

from . import config, env, profiles, validate
from .errors import CourseError

HUB_STATES = ("online", "offline")


def hub_state():
    """('online' or 'offline', why): COURSE_HUB when a runner set it, else HF_HUB_OFFLINE, else one probe."""
    given = os.environ.get(config.HUB_ENV, "").strip().lower()
    if given:
        state = validate.choice(config.HUB_ENV, given, HUB_STATES, profiles.TROUBLESHOOTING_ANCHOR)
        return state, f"{config.HUB_ENV}={given}"
    if env.hub_offline_forced():
        return "offline", "HF_HUB_OFFLINE=1"
    if env.hub_reachable():
        return "online", "the Hub answered"
    return "offline", "the Hub did not answer, so offline mode is on"


def missing_from_cache(lessons, profile):
    """Hub models and datasets these lessons need in this profile that are not cached locally."""
    models, datasets = profiles.needs(lessons, profile)
    return ([config.hub_id(m) for m in models if not env.model_cached(config.hub_id(m))]
            + [config.DATASETS[d] for d in datasets if not env.dataset_cached(config.DATASETS[d])])


def offline_error(profile, missing):
    listed = ", ".join(missing)
    return CourseError(
        f"The `{profile}` profile needs {listed}, which are not in your Hugging Face cache, "
        "and the Hugging Face Hub cannot be reached from here.",
        "either download them once while online (`python -m helpers prefetch --profile "
        f"{profile}`) and run offline afterwards, or run the offline `tiny` profile: "
        f"set the environment variable {config.PROFILE_ENV}=tiny (or call helpers.setup(..., profile='tiny')).",
        "offline-or-hub-errors")


CACHE_NOTE = "using the local cache"


def choose_profile(lessons, explicit, state):
    """(profile, why it was chosen) for these lessons, given the hub `state` ('online' or 'offline').

    An explicit choice (the argument, else COURSE_PROFILE) is checked against the cache when offline; an automatic
    one takes `full` on a GPU, `quick` on a CPU, and `tiny` when offline without the real models cached.
    """
    validate.choice("hub state", state, HUB_STATES)
    online = state == "online"
    chosen = explicit or os.environ.get(config.PROFILE_ENV, "").strip() or None
    if chosen:
        profiles.check_profile(chosen)
        # A runner that chose the profile passes its reason on with it (config.PROFILE_REASON_ENV).
        why = "chosen by you" if explicit else (os.environ.get(config.PROFILE_REASON_ENV, "").strip()
                                                or f"set by {config.PROFILE_ENV}")
        if chosen != "tiny" and not online:
            missing = missing_from_cache(lessons, chosen)
            if missing:
                raise offline_error(chosen, missing)
            if CACHE_NOTE not in why:  # a runner's reason, handed on to its kernels, already says it
                why += f"; {CACHE_NOTE}"
        return chosen, why
    wanted = "full" if env.pick_device() == "cuda" else "quick"
    if online:
        return wanted, "automatic: " + ("GPU found" if wanted == "full" else "no GPU, so the CPU-sized profile")
    if not missing_from_cache(lessons, wanted):
        return wanted, "automatic: everything needed is cached"
    return "tiny", "automatic: offline, and the real models are not cached"


def decide(lessons, explicit=None):
    """(profile, why, hub state, the profile's reason alone): the hub state once, then the profile; offline, this
    process goes offline too. `why` is both reasons: "automatic: GPU found; online (the Hub answered)"; a runner
    hands the profile's reason alone to its kernels, which decide the hub state from COURSE_HUB."""
    state, hub_why = hub_state()
    if state == "offline":
        env.go_offline()
    profile, profile_why = choose_profile(lessons, explicit, state)
    return profile, f"{profile_why}; {state} ({hub_why})", state, profile_why
