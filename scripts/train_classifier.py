#!/usr/bin/env python
"""Lesson 04's fine-tuning as a script: DistilBERT on IMDB reviews, fully or with LoRA, on one process or many.

    python scripts/train_classifier.py --profile tiny --method lora
    accelerate launch --num_processes 2 --cpu scripts/train_classifier.py --profile tiny --method full
    accelerate launch --num_processes 2 scripts/train_classifier.py --profile full --method lora   # two GPUs

The same recipe as the notebook (helpers.recipes: splits, tokenization, Trainer settings, LoRA targets, metrics),
with the sizes of the chosen profile unless an argument overrides them. Under `accelerate launch` the Trainer runs
data-parallel by itself: no code changes. Writes metrics.json, and the model (full) or the adapter (LoRA), to
--output_dir.
"""

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # a clone without `pip install -e .` works too

from peft import LoraConfig, TaskType, get_peft_model  # noqa: E402
from transformers import (AutoModelForSequenceClassification, AutoTokenizer, DataCollatorWithPadding,  # noqa: E402
                          Trainer, TrainingArguments)

from helpers import classify, launch, recipes  # noqa: E402
from helpers.metrics import classification_metrics  # noqa: E402


@dataclass
class Arguments(launch.MethodArguments):  # method, model, sizes, steps (-1: the epochs decide), rate, batch, ...
    test_size: Optional[int] = field(default=None, metadata={"help": "test reviews, for the final metrics"})
    epochs: Optional[float] = field(default=None, metadata={"help": "training epochs"})
    output_dir: str = "build/scripts/classifier"


def settings_for(args, run):
    """The lesson's settings for the profile, with what the command line overrides."""
    settings = launch.with_overrides(run.settings, train_size=args.train_size, val_size=args.val_size,
                                     test_size=args.test_size, batch_size=args.per_device_batch_size,
                                     max_steps=args.max_steps)  # a smoke run's step cap stays
    full = args.method == "full"
    settings["epochs"] = args.epochs or (settings["epochs"] if full else settings["lora_epochs"])
    settings["learning_rate"] = args.learning_rate or (settings["lr"] if full else settings["lora_lr"])
    return settings


def main():
    args, run, settings, processes, main_process = launch.begin(Arguments, "04", settings_for)
    model_id = args.model_id or run.model_id("encoder")

    tokenizer = AutoTokenizer.from_pretrained(model_id)
    splits = recipes.imdb_splits(run.load_dataset("reviews"), settings, args.seed)
    train = recipes.tokenize_reviews(splits["train"], tokenizer, settings["max_length"])
    train = train.add_column("idx", list(range(len(train))))  # to see which process read which row
    validation = recipes.tokenize_reviews(splits["validation"], tokenizer, settings["max_length"])
    test_texts, test_labels = list(splits["test"]["text"]), list(splits["test"]["label"])

    names = splits["train"].features["label"].names
    model = AutoModelForSequenceClassification.from_pretrained(
        model_id, num_labels=2, id2label=dict(enumerate(names)), label2id={n: i for i, n in enumerate(names)})
    if main_process:  # the baseline: the new head before any training
        untrained = classify.predict_proba(model, tokenizer, test_texts, settings["max_length"], device=run.device)
    if args.method == "lora":
        model = get_peft_model(model, LoraConfig(task_type=TaskType.SEQ_CLS, r=settings["lora_r"],
                                                 lora_alpha=settings["lora_alpha"],
                                                 lora_dropout=settings["lora_dropout"],
                                                 target_modules=recipes.CLASSIFIER_LORA_TARGETS))

    recorder = launch.ShardRecorder(DataCollatorWithPadding(tokenizer))
    training_args = TrainingArguments(
        num_train_epochs=settings["epochs"], learning_rate=settings["learning_rate"],
        **launch.trainer_arguments(args, run),
        **launch.sampling_for(recipes.classifier_trainer_settings(settings), processes),
        **run.precision_args("encoder"))
    trainer = Trainer(model=model, args=training_args, train_dataset=train, eval_dataset=validation,
                      processing_class=tokenizer, data_collator=recorder,
                      compute_metrics=recipes.classifier_metrics)
    trainer.train()

    saved_name = "adapter" if args.method == "lora" else "model"
    facts = launch.finish(trainer, recorder, tokenizer, args, len(train), saved_name, settings["epochs"],
                          settings["max_steps"])
    if facts is None:  # not the main process
        return
    trained = classify.predict_proba(trainer.model, tokenizer, test_texts, settings["max_length"], device=run.device)
    facts["untrained head (test)"] = classification_metrics(test_labels, untrained.argmax(-1), untrained[:, 1])
    facts["trained (test)"] = classification_metrics(test_labels, trained.argmax(-1), trained[:, 1])
    path = launch.write_results(args.output_dir, args, settings, facts)
    print("\n" + launch.describe(args.method, facts))
    print(f"each of the {facts['sharding']['epochs checked']} epochs covered every row: "
          f"{facts['sharding']['every epoch covers every row']}")
    print(f"test accuracy: untrained head {facts['untrained head (test)']['accuracy']:.3f} -> trained "
          f"{facts['trained (test)']['accuracy']:.3f}\nwrote {path} and {facts['saved']}")


if __name__ == "__main__":
    main()
