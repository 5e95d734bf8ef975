"""The course as plain data: where it lives, its lessons, and the ONE profiles table.

Changing the size of the course is an edit in PROFILES below, never in a notebook.
Print any of these in a notebook to see what a run will use.
"""

# The course's git repository. Notebooks' setup cells and README badges are generated
# from this value, and a test checks that nothing else in the repository spells it differently.
REPO_URL = "https://github.com/llm-course-org/llm-course"
REPO_BRANCH = "main"

PROFILE_NAMES = ("full", "quick", "tiny")

# What each profile is for, and the hardware its time estimates refer to.
PROFILE_INFO = {
    "full": {"for": "a GPU (Colab T4 16 GB and up)", "timed_on": "Colab T4 GPU", "measured": False},
    "quick": {"for": "CPU laptops and short workshops", "timed_on": "4-core laptop CPU", "measured": False},
    "tiny": {"for": "tests and offline use: tiny models, synthetic data", "timed_on": "2-core CPU",
             "measured": True},
}

# Logical model names -> the real Hugging Face Hub checkpoints used by `quick` and `full`.
# In `tiny` the same logical name resolves to a tiny checkpoint of the same class, built by helpers.tiny.
MODELS = {
    "bert": "bert-base-uncased",
    "distilbert": "distilbert-base-uncased",
    "gpt2": "gpt2",
    "flan-t5": "google/flan-t5-base",
    "flan-t5-small": "google/flan-t5-small",
}

# Which tiny checkpoint stands in for each logical model in `tiny`.
TINY_MODELS = {
    "bert": "bert",
    "distilbert": "distilbert",
    "gpt2": "gpt2",
    "flan-t5": "flan-t5",
    "flan-t5-small": "flan-t5",
}

# Architecture family of each model, for the dtype policy (helpers.env.pick_dtype).
MODEL_FAMILY = {"bert": "encoder", "distilbert": "encoder", "gpt2": "decoder",
                "flan-t5": "t5", "flan-t5-small": "t5"}

# Logical dataset names -> Hub dataset ids (namespaced).
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
}

# THE profiles table: lesson -> profile -> settings.
# "models" and "datasets" map a role in the lesson to a logical name above.
# "seconds" holds time estimates: "total" for the whole notebook, other keys for single long cells.
# tiny times are measured on a 2-core CPU; quick/full times are estimates until measured on the named hardware.
PROFILES = {
    "00": {
        "full": {"models": {"encoder": "bert", "decoder": "gpt2", "seq2seq": "flan-t5"},
                 "datasets": {"reviews": "imdb", "dialogues": "dialogsum"}, "sample_size": 3,
                 "seconds": {"total": 120}},
        "quick": {"models": {"encoder": "bert", "decoder": "gpt2", "seq2seq": "flan-t5"},
                  "datasets": {"reviews": "imdb", "dialogues": "dialogsum"}, "sample_size": 3,
                  "seconds": {"total": 180}},
        "tiny": {"models": {"encoder": "bert", "decoder": "gpt2", "seq2seq": "flan-t5"},
                 "datasets": {"reviews": "imdb", "dialogues": "dialogsum"}, "sample_size": 3,
                 "seconds": {"total": 10}},
    },
    "01": {
        # attention_layer: the layer (counted from 0) whose heads section 5 inspects; collator_repeats: how many
        # times the masking collator is applied to one batch to measure its 15% and 80/10/10 shares.
        "full": {"models": {"mlm": "bert"}, "datasets": {}, "top_k": 5, "attention_layer": 5,
                 "collator_repeats": 300, "seconds": {"total": 90, "load": 30}},
        "quick": {"models": {"mlm": "bert"}, "datasets": {}, "top_k": 5, "attention_layer": 5,
                  "collator_repeats": 300, "seconds": {"total": 150, "load": 60}},
        "tiny": {"models": {"mlm": "bert"}, "datasets": {}, "top_k": 5, "attention_layer": 1,
                 "collator_repeats": 300, "seconds": {"total": 15, "load": 5}},
    },
    "02": {
        # eval_size: test dialogues scored with ROUGE (one batched pass per prompting setting);
        # max_query_tokens: only dialogues whose zero-shot prompt is this short are evaluated, so that
        # `shots` examples from a pool of `pool_size` training dialogues still fit in the 512-token input.
        "full": {"models": {"seq2seq": "flan-t5"}, "datasets": {"dialogues": "dialogsum"},
                 "eval_size": 200, "max_query_tokens": 200, "pool_size": 500, "shots": 3, "show_size": 3,
                 "samples": 5, "sensitivity_size": 50, "max_new_tokens": 60, "batch_size": 16,
                 "seconds": {"total": 330, "load": 40, "rouge": 150, "sensitivity": 50}},
        "quick": {"models": {"seq2seq": "flan-t5"}, "datasets": {"dialogues": "dialogsum"},
                  "eval_size": 20, "max_query_tokens": 200, "pool_size": 200, "shots": 3, "show_size": 3,
                  "samples": 5, "sensitivity_size": 4, "max_new_tokens": 50, "batch_size": 10,
                  "seconds": {"total": 420, "load": 60, "rouge": 150, "sensitivity": 45}},
        "tiny": {"models": {"seq2seq": "flan-t5"}, "datasets": {"dialogues": "dialogsum"},
                 "eval_size": 16, "max_query_tokens": 200, "pool_size": 100, "shots": 5, "show_size": 3,
                 "samples": 5, "sensitivity_size": 4, "max_new_tokens": 20, "batch_size": 16,
                 "seconds": {"total": 15, "load": 7, "rouge": 3, "sensitivity": 1}},
    },
    "03": {
        # max_new_tokens: every compared text has exactly this many new tokens (>= 20 for the greedy-by-hand check);
        # n_samples: samples per sampling strategy in the comparison (drawn in one batched generate() call).
        # dtype: GPT-2 stays in float32 everywhere: the token-for-token checks compare close probabilities.
        "full": {"models": {"lm": "gpt2"}, "datasets": {}, "dtype": "float32", "max_new_tokens": 60,
                 "num_beams": 5, "n_samples": 20, "show_top": 10, "seconds": {"total": 120, "comparison": 20}},
        "quick": {"models": {"lm": "gpt2"}, "datasets": {}, "dtype": "float32", "max_new_tokens": 40,
                  "num_beams": 4, "n_samples": 5, "show_top": 10, "seconds": {"total": 180, "comparison": 30}},
        "tiny": {"models": {"lm": "gpt2"}, "datasets": {}, "dtype": "float32", "max_new_tokens": 24,
                 "num_beams": 4, "n_samples": 8, "show_top": 10, "seconds": {"total": 15, "comparison": 5}},
    },
    "04": {
        # The same split for all three methods: train and validation cut from IMDB's train split, test from its
        # test split. pooling: how a frozen review becomes one vector ("mean" of the token states, or "cls").
        # lr / lora_lr: the tiny model starts from a barely pretrained state and needs far larger steps than the
        # real DistilBERT. padding_length / padding_sample: the fixed-padding pitfall (512 = the model's limit).
        "full": {"models": {"encoder": "distilbert"}, "datasets": {"reviews": "imdb"},
                 "train_size": 5000, "val_size": 1000, "test_size": 2000, "max_length": 512,
                 "batch_size": 16, "pooling": "cls", "head_epochs": 20, "head_lr": 1e-3, "overfit_epochs": 60,
                 "folds": 5, "epochs": 2, "lr": 5e-5, "lora_r": 8, "lora_alpha": 16, "lora_epochs": 2,
                 "lora_lr": 5e-4, "padding_length": 512, "padding_sample": 512,
                 "seconds": {"total": 900, "features": 60, "full_ft": 240, "lora": 200, "padding": 30}},
        "quick": {"models": {"encoder": "distilbert"}, "datasets": {"reviews": "imdb"},
                  "train_size": 400, "val_size": 100, "test_size": 200, "max_length": 128,
                  "batch_size": 16, "pooling": "cls", "head_epochs": 20, "head_lr": 1e-3, "overfit_epochs": 60,
                  "folds": 5, "epochs": 1, "lr": 1e-4, "lora_r": 8, "lora_alpha": 16, "lora_epochs": 2,
                  "lora_lr": 1e-3, "padding_length": 512, "padding_sample": 64,
                  "seconds": {"total": 480, "features": 35, "full_ft": 110, "lora": 120, "padding": 40}},
        "tiny": {"models": {"encoder": "distilbert"}, "datasets": {"reviews": "imdb"},
                 "train_size": 400, "val_size": 100, "test_size": 200, "max_length": 256,
                 "batch_size": 16, "pooling": "cls", "head_epochs": 20, "head_lr": 1e-3, "overfit_epochs": 60,
                 "folds": 5, "epochs": 3, "lr": 2e-3, "lora_r": 4, "lora_alpha": 16, "lora_epochs": 3,
                 "lora_lr": 5e-3, "padding_length": 512, "padding_sample": 200,
                 "seconds": {"total": 30, "features": 1, "full_ft": 5, "lora": 5, "padding": 2}},
    },
    "05": {
        # quick uses flan-t5-small (77M parameters): on a CPU a flan-t5-base LoRA step takes ~6 s and a full
        # fine-tuning step ~10 s on a 4-core laptop (design brief §7), too slow for enough steps in 10 min.
        # *_size: rows of train / validation (loss during training) / test (ROUGE). max_*_length: upper caps;
        # the notebook picks the lengths from the data's token-length distribution under these caps.
        # full_epochs: full fine-tuning for comparison, shorter than LoRA's run in quick and tiny.
        "full": {"models": {"seq2seq": "flan-t5"}, "datasets": {"dialogues": "dialogsum"},
                 "train_size": 2000, "val_size": 100, "eval_size": 200,
                 "max_source_length": 512, "max_target_length": 128, "batch_size": 8,
                 "lora_r": 32, "lora_alpha": 32, "lora_dropout": 0.05, "lora_lr": 1e-3, "lora_epochs": 1,
                 "full_lr": 3e-4, "full_epochs": 1, "max_new_tokens": 100, "generation_batch_size": 32,
                 "seconds": {"total": 780, "zero_shot": 40, "lora_train": 150, "full_train": 220,
                             "evaluate": 80, "deploy": 60}},
        "quick": {"models": {"seq2seq": "flan-t5-small"}, "datasets": {"dialogues": "dialogsum"},
                  "train_size": 800, "val_size": 32, "eval_size": 50,
                  "max_source_length": 256, "max_target_length": 64, "batch_size": 8,
                  "lora_r": 32, "lora_alpha": 32, "lora_dropout": 0.05, "lora_lr": 2e-3, "lora_epochs": 1,
                  "full_lr": 3e-4, "full_epochs": 0.25, "max_new_tokens": 60, "generation_batch_size": 25,
                  "seconds": {"total": 480, "zero_shot": 20, "lora_train": 220, "full_train": 90,
                              "evaluate": 45, "deploy": 20}},
        "tiny": {"models": {"seq2seq": "flan-t5"}, "datasets": {"dialogues": "dialogsum"},
                 "train_size": 400, "val_size": 40, "eval_size": 40,
                 "max_source_length": 256, "max_target_length": 64, "batch_size": 16,
                 "lora_r": 4, "lora_alpha": 32, "lora_dropout": 0.05, "lora_lr": 1e-2, "lora_epochs": 4,
                 "full_lr": 3e-3, "full_epochs": 1, "max_new_tokens": 40, "generation_batch_size": 40,
                 "seconds": {"total": 25, "zero_shot": 2, "lora_train": 15, "full_train": 5,
                             "evaluate": 2, "deploy": 2}},
    },
}


def lesson_ids():
    return list(LESSONS)
