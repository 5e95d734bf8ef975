"""Download everything a profile needs into the Hugging Face caches, for offline use afterwards."""

from .. import config, env, hub, profiles
from ..errors import CourseError

# Weights as safetensors only (the course never loads pickled .bin weights), plus configs and tokenizers.
MODEL_FILES = ["*.json", "*.safetensors", "*.model", "*.txt"]
HUB_METRIC = "rouge"  # evaluate-metric/rouge on the Hub


def prefetch(profile):
    profiles.check_profile(profile)
    if profile == "tiny":
        from ..tiny import ensure_built

        print(f"`tiny` needs no download; building its tiny models and data in {ensure_built()}.")
        return
    if hub.hub_state()[0] == "offline":
        raise CourseError("Prefetching needs the Hugging Face Hub, and it cannot be reached from here.",
                          "run this on a machine that is online, then copy its Hugging Face cache "
                          f"({env.hf_hub_cache().parent}) to this one, or use COURSE_PROFILE=tiny.",
                          "offline-or-hub-errors")
    from datasets import load_dataset
    from huggingface_hub import snapshot_download

    models, datasets = profiles.needs(list(config.LESSONS), profile)
    for name in models:
        print(f"model   {config.hub_id(name)} ...", flush=True)
        snapshot_download(config.hub_id(name), allow_patterns=MODEL_FILES)
    for name in datasets:
        # datasets loads offline only what load_dataset itself prepared, so call it, not snapshot_download
        print(f"dataset {config.DATASETS[name]} ...", flush=True)
        load_dataset(config.DATASETS[name])
    # The course computes ROUGE with its own module (helpers/course_rouge.py, no download). Lesson 02 compares it
    # with evaluate's Hub module, whose code evaluate.load downloads once into HF_MODULES_CACHE and finds there
    # offline afterwards.
    print(f"metric  {HUB_METRIC} (evaluate's module, for lesson 02's comparison) ...", flush=True)
    import evaluate

    evaluate.load(HUB_METRIC)
    print(f"Done. The `{profile}` profile now runs offline: set HF_HUB_OFFLINE=1 and COURSE_PROFILE={profile}.")
