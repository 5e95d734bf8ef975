"""The fine-tuning recipes of lessons 04 and 05, shared by the notebooks and by scripts/ (never copied).

Each recipe is plain data or a short step: which rows make the splits, how they are tokenized, what the Trainer is
told, which modules LoRA adapts, how the result is scored. The notebooks show these values and explain them; the
scripts call the same functions, so a script trained with `--profile quick` is lesson 04's or 05's run.
"""


import numpy as np

from . import validate
from .dialogsum import distinct_dialogues
from .metrics import classification_metrics
from .prompts import fit_dialogue

CLASSIFIER_LORA_TARGETS = ["q_lin", "v_lin"]  # DistilBERT's query and value projections
LENGTH_PERCENTILE, LENGTH_MULTIPLE = 95, 32  # lesson 05's rule for max lengths


# ---------------------------------------------------------------- lesson 04: sentiment classification


def imdb_splits(reviews, settings, seed):
    """Train and validation cut from IMDB's train split, test from its test split: the same rows for every method."""
    pool = reviews["train"].shuffle(seed=seed)
    train_size, val_size = settings["train_size"], settings["val_size"]
    return {"train": pool.select(range(train_size)),
            "validation": pool.select(range(train_size, train_size + val_size)),
            "test": reviews["test"].shuffle(seed=seed).select(range(settings["test_size"]))}


def tokenize_reviews(split, tokenizer, max_length):
    """Token ids of every review, truncated to `max_length` and not padded (the collator pads each batch)."""
    return split.map(lambda batch: tokenizer(batch["text"], truncation=True, max_length=max_length), batched=True,
                     remove_columns=["text"])


def classifier_metrics(eval_pred):
    """The Trainer's compute_metrics: accuracy, precision, recall, F1 and ROC-AUC from logits and labels."""
    import torch

    logits, label_ids = eval_pred
    probabilities = torch.tensor(logits).float().softmax(-1).numpy()
    return classification_metrics(label_ids, probabilities.argmax(-1), probabilities[:, 1])


def classifier_trainer_settings(settings):
    """TrainingArguments of lesson 04 besides output_dir, epochs, learning rate and seed, as a plain dict."""
    return dict(
        max_steps=settings["max_steps"],  # -1: the epochs decide; smoke runs cap the steps
        weight_decay=0.01, warmup_steps=0.1,  # the first 10% of the steps warm the learning rate up
        per_device_train_batch_size=settings["batch_size"], per_device_eval_batch_size=2 * settings["batch_size"],
        train_sampling_strategy="group_by_length",  # batches of similar lengths: little padding
        eval_strategy="epoch", logging_strategy="epoch", save_strategy="epoch",
        load_best_model_at_end=True, metric_for_best_model="f1",  # keep the checkpoint with the best validation F1
        save_total_limit=1, save_only_model=True, label_names=["labels"], report_to="none")


# ---------------------------------------------------------------- lesson 05: dialogue summarization


def dialogsum_rows(dialogues, settings, seed):
    """Seeded training and validation rows, and the first `eval_size` distinct test dialogues with all references."""
    return {"train": dialogues["train"].shuffle(seed=seed).select(range(settings["train_size"])),
            "validation": dialogues["validation"].shuffle(seed=seed).select(range(settings["val_size"])),
            "test": distinct_dialogues(dialogues["test"], settings["eval_size"])}


def round_up(value, multiple):
    """The smallest multiple of `multiple` that is >= value."""
    return int(-(-value // multiple) * multiple)


def length_limit(lengths, cap):
    """Lesson 05's rule: the 95th percentile of the token lengths, rounded up to a multiple of 32, at most `cap`."""
    lengths = validate.counts("lengths", lengths)
    cap = validate.positive_int("cap", cap)
    value = np.percentile(lengths, LENGTH_PERCENTILE)
    return min(cap, round_up(value, LENGTH_MULTIPLE))


def summary_prompt(dialogue, tokenizer, max_source_length):
    """Lesson 02's summarize template with the dialogue; a dialogue too long is cut inside it, never the cue."""
    return fit_dialogue(dialogue, tokenizer, max_source_length).text


def uncut_rows(rows, tokenizer, max_source_length):
    """The rows whose dialogue fits `max_source_length` uncut, and how many did not.

    A cut dialogue keeps its full summary, which may tell of the turns that were cut: training on such pairs teaches
    a model to write what it was not shown. So lesson 05 trains on the uncut rows only (it still evaluates on every
    test dialogue, cut ones included: a model in use gets what fits).
    """
    cut = [fit_dialogue(d, tokenizer, max_source_length).dialogue_cut for d in rows["dialogue"]]
    return rows.select([i for i, was_cut in enumerate(cut) if not was_cut]), sum(cut)


def summary_generation(settings):
    """generate() settings of lesson 05, the same for every model: greedy, at most `max_new_tokens` new tokens.

    No `no_repeat_ngram_size`: a ban on repeated 3-grams forbids a summary to name a speaker twice when the tag is
    three tokens or more ("#Person1# asks ... #Person1# ..."), and 38% of DialogSum's human test summaries do.
    """
    return dict(max_new_tokens=settings["max_new_tokens"], num_beams=1, do_sample=False)


def summarizer_trainer_settings(settings):
    """Seq2SeqTrainingArguments of lesson 05 besides output_dir, learning rate and seed, as a plain dict."""
    steps = settings["train_steps"]
    return dict(
        max_steps=steps,  # the same number of optimizer steps for every method
        per_device_train_batch_size=settings["batch_size"], per_device_eval_batch_size=settings["batch_size"],
        eval_strategy="steps", eval_steps=max(1, steps // 4), logging_steps=max(1, steps // 12),
        train_sampling_strategy="group_by_length",  # dialogues of similar lengths together: little padding
        save_strategy="no", report_to="none")
