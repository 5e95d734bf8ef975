"""The course as plain data: where it lives, its lessons, its models, and PROFILES, the profiles table merged.

Changing the size of the course is an edit in helpers/profiles_table.py (LESSON_SETTINGS), never in a notebook.
Print any of these in a notebook to see what a run will use.
"""

from .profiles_table import EVAL_DIALOGUES, LESSON_SETTINGS  # plain data, importing nothing

# The course's git repository and the version of its `helpers` package. Notebooks' setup cells and README
# badges are generated from these values (python -m helpers sync), and tests check that nothing else in the
# repository spells them differently. pyproject.toml reads COURSE_VERSION from here.
REPO_URL = "https://github.com/llm-course-org/llm-course"
REPO_BRANCH = "main"
COURSE_VERSION = "0.8.0"
# Colab's setup cell installs the course from this tag: a notebook runs with the helpers it was written for.
RELEASE_TAG = f"v{COURSE_VERSION}"

# Environment variables the course reads. Names only here; helpers.env.env_flag parses the true/false ones.
PROFILE_ENV = "COURSE_PROFILE"  # full | quick | tiny
PROFILE_REASON_ENV = "COURSE_PROFILE_REASON"  # set by the runner beside COURSE_PROFILE: why it chose that profile
CACHE_ENV = "COURSE_CACHE"  # where the tiny fixtures are built (default: ~/.cache/llm-course)
OUTPUT_ENV = "COURSE_OUTPUT_DIR"  # where lessons write checkpoints and adapters (default: build/runs)
RESULTS_ENV = "COURSE_RESULTS_DIR"  # set by headless runs: where notebooks record results and exercise outcomes
HEADLESS_ENV = "COURSE_HEADLESS"  # 1: nobody is looking, so no sliders
STAND_IN_ENV = "COURSE_STAND_IN_WEIGHTS"  # 1: real-size models with random weights (a maintainer's smoke run)
MAX_STEPS_ENV = "COURSE_MAX_STEPS"  # a cap on training steps, for smoke runs of `full` on a CPU
MAX_ROWS_ENV = "COURSE_MAX_ROWS"  # a cap on data rows (train, validation, evaluation sets), likewise
HUB_ENV = "COURSE_HUB"  # online | offline: decided once by `python -m helpers run` and passed to every kernel
PRECISION_ENV = "COURSE_PRECISION"  # fp32 | fp16 | bf16: follow that GPU precision policy on any device (tests)
# The precision policies of helpers.precision.pick_dtype: what a CPU does, what a T4 does, what an A100/L4/H100 does.
PRECISIONS = ("fp32", "fp16", "bf16")

PROFILE_NAMES = ("full", "quick", "tiny")

# What each profile is for, and the hardware its times refer to ("measured": False means an estimate).
PROFILE_INFO = {
    "full": {"for": "a GPU (Colab T4 16 GB and up)", "timed_on": "Colab T4 GPU", "measured": False},
    "quick": {"for": "CPU laptops and short workshops", "timed_on": "2-core CPU with native bf16, real-size stand-ins",
              "measured": True},
    "tiny": {"for": "tests and offline use: tiny models, synthetic data", "timed_on": "2-core CPU",
             "measured": True},
}

# Logical model names. "hub": the real checkpoint `quick` and `full` load; "tiny": the tiny stand-in of the same
# class that helpers.tiny builds for `tiny`; "family": the architecture, for the dtype policy (helpers.env).
MODELS = {
    "bert": {"hub": "bert-base-uncased", "tiny": "bert", "family": "encoder"},
    "distilbert": {"hub": "distilbert-base-uncased", "tiny": "distilbert", "family": "encoder"},
    "gpt2": {"hub": "gpt2", "tiny": "gpt2", "family": "decoder"},
    "flan-t5": {"hub": "google/flan-t5-base", "tiny": "flan-t5", "family": "t5"},
    "flan-t5-small": {"hub": "google/flan-t5-small", "tiny": "flan-t5", "family": "t5"},
    "smollm2": {"hub": "HuggingFaceTB/SmolLM2-135M", "tiny": "llama", "family": "decoder"},
    "smollm2-instruct": {"hub": "HuggingFaceTB/SmolLM2-135M-Instruct", "tiny": "llama-instruct", "family": "decoder"},
}

# The families the dtype policy knows (helpers.precision.pick_dtype): T5 is the one that overflows in fp16.
FAMILIES = ("encoder", "decoder", "t5")

# Logical dataset names -> Hub dataset ids (namespaced). In `tiny`, helpers.tiny builds a synthetic stand-in
# with the same splits and columns under the same logical name.
DATASETS = {
    "imdb": "stanfordnlp/imdb",
    "dialogsum": "knkarthick/dialogsum",
}

LESSONS = {
    "00": {"title": "Start here", "notebook": "00_start_here.ipynb",
           "outcome": "run the course in Colab or locally, pick a profile, and check your environment"},
    "01": {"title": "Pretraining and masked language modeling",
           "notebook": "01_pretraining_and_masked_language_modeling.ipynb",
           "outcome": "explain self-supervised pretraining and compute BERT's masked-LM loss by hand"},
    "02": {"title": "Prompting and in-context learning", "notebook": "02_prompting_and_in_context_learning.ipynb",
           "outcome": "build zero-, one- and few-shot prompts that fit the token budget and score them with ROUGE"},
    "03": {"title": "Decoding strategies", "notebook": "03_decoding_strategies.ipynb",
           "outcome": "choose and tune greedy, beam search and sampling, and write greedy and top-p by hand"},
    "04": {"title": "Sentiment fine-tuning three ways", "notebook": "04_sentiment_fine_tuning.ipynb",
           "outcome": "fine-tune a classifier by feature extraction, full fine-tuning and LoRA, and compare them"},
    "05": {"title": "Dialogue summarization with LoRA", "notebook": "05_dialogue_summarization_with_lora.ipynb",
           "outcome": "fine-tune FLAN-T5 with LoRA, evaluate with ROUGE, and ship the adapter"},
    "06": {"title": "Instruction-tuning a small chat model", "notebook": "06_instruction_tuning_a_chat_model.ipynb",
           "outcome": "fine-tune a decoder chat model on conversations with the loss on the answer only, and compare "
                      "it with FLAN-T5"},
    "07": {"title": "Preference tuning with DPO", "notebook": "07_preference_tuning_with_dpo.ipynb",
           "outcome": "build preference pairs, write the DPO loss by hand (equal to TRL's) and tune a chat model with "
                      "it", "extra": "align"},
    "08": {"title": "Reinforcement learning with a verifiable reward (GRPO)",
           "notebook": "08_reinforcement_learning_with_grpo.ipynb",
           "outcome": "write checkable rewards with guards, GRPO's advantages and loss by hand (equal to TRL's), train "
                      "with them and catch a reward being gamed", "extra": "align"},
}

# Optional parts of the course: the extra's name (pyproject.toml, `pip install "llm-course[align]"`), the file its
# requirements are in, one module it brings, which tells whether it is installed, and the bound Colab's setup cell
# installs it with. pip takes the newest version a requirement allows, not the smallest step: TRL needs datasets
# >= 4.7, and on Colab's 2026-08 runtime (datasets 4.0.0) the bare extra moved datasets to 5.2.0, huggingface-hub
# 1.27 -> 1.33 and pyarrow 18.1 -> 26.0.1. With "datasets<5", datasets goes to 4.8.5, pyarrow to 26.0.1 (datasets 4.7+
# needs pyarrow >= 21) and nothing else of Colab moves; `make test-colab` checks that, and fails when a new Colab
# freeze makes the bound move more (or downgrade a newer datasets).
EXTRAS = {"align": {"requirements": "requirements-align.txt", "module": "trl", "colab_bound": "datasets>=4.7,<5"}}


# quick's times are measured on a CPU with native bf16, where quick trains under bf16 autocast (helpers.precision).
# A CPU without it trains in fp32, slower by this factor: on a 2-core AMD EPYC, lesson 06's LoRA step (batch 4 x 256
# tokens) took 5.4-6.2 s in fp32 and 3.1-3.3 s under bf16 autocast, and its three 40-step training cells 1.2-1.9x
# longer in fp32. The steps below are the ones that train; Run.estimate prints them scaled on such a CPU.
FP32_TRAINING_SLOWDOWN = 1.6
TRAINING_STEPS = ("continued_pretraining", "full_ft", "lora", "lora_train", "full_train", "sft", "sft_prompt_counted",
                  "sft_pad_masked", "dpo", "grpo", "grpo_hacked")

# THE profiles table itself (lesson -> {"all", "full", "quick", "tiny"}) is helpers/profiles_table.py.
def _merged(spec, profile):
    return {**spec["all"], **spec[profile]}


# The same table with the shared settings filled in: PROFILES[lesson][profile] is one plain dict per run.
PROFILES = {lesson: {profile: _merged(spec, profile) for profile in PROFILE_NAMES}
            for lesson, spec in LESSON_SETTINGS.items()}


def hub_id(model):
    """The Hub checkpoint of a logical model name, e.g. hub_id("flan-t5") -> "google/flan-t5-base"."""
    return MODELS[model]["hub"]


# The tiny stand-ins helpers.tiny builds, one per model class (flan-t5 and flan-t5-small share one).
TINY_MODEL_NAMES = tuple(dict.fromkeys(record["tiny"] for record in MODELS.values()))
