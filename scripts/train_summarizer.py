#!/usr/bin/env python
"""Lesson 05's fine-tuning as a script: FLAN-T5 on DialogSum, with LoRA or fully, on one process or many.

    python scripts/train_summarizer.py --profile tiny --method lora
    accelerate launch --num_processes 2 --cpu scripts/train_summarizer.py --profile tiny --method lora
    accelerate launch --num_processes 2 scripts/train_summarizer.py --profile full --method lora   # two GPUs

The same recipe as the notebook (helpers.recipes: rows, length limits, prompts cut inside the template, Trainer
settings, LoRA targets), with the sizes of the chosen profile unless an argument overrides them. Under
`accelerate launch` the Trainer runs data-parallel by itself: no code changes. Writes metrics.json (ROUGE of the
zero-shot model and of the trained one, on the same distinct test dialogues), and the adapter (LoRA) or the model
(full), to --output_dir.
"""

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # a clone without `pip install -e .` works too

import torch  # noqa: E402
from peft import LoraConfig, TaskType, get_peft_model  # noqa: E402
from transformers import (AutoModelForSeq2SeqLM, AutoTokenizer, DataCollatorForSeq2Seq, Seq2SeqTrainer,  # noqa: E402
                          Seq2SeqTrainingArguments)

from helpers import launch, recipes  # noqa: E402
from helpers.batching import IGNORE_INDEX, token_lengths  # noqa: E402
from helpers.prompts import build_prompt  # noqa: E402
from helpers.seq2seq import evaluate_summaries, preprocess  # noqa: E402


@dataclass
class Arguments(launch.MethodArguments):  # method, model, sizes, steps, rate, batch, output_dir, seed
    eval_size: Optional[int] = field(default=None, metadata={"help": "distinct test dialogues scored with ROUGE"})
    output_dir: str = "build/scripts/summarizer"


def settings_for(args, run):
    """The lesson's settings for the profile, with what the command line overrides; the rate is the method's."""
    rate = run.settings["lora_lr" if args.method == "lora" else "full_lr"]
    return launch.with_overrides(run.settings, train_size=args.train_size, val_size=args.val_size,
                                 eval_size=args.eval_size, batch_size=args.per_device_batch_size,
                                 train_steps=args.max_steps, learning_rate=args.learning_rate or rate)


def main():
    args, run, settings, processes, main_process = launch.begin(Arguments, "05", settings_for)
    model_id = args.model_id or run.model_id("seq2seq")

    tokenizer = AutoTokenizer.from_pretrained(model_id)
    rows = recipes.dialogsum_rows(run.load_dataset("dialogues"), settings, args.seed)
    source_lengths = token_lengths(tokenizer, [build_prompt(d) for d in rows["train"]["dialogue"]])
    target_lengths = [len(ids) for ids in tokenizer(text_target=list(rows["train"]["summary"]))["input_ids"]]
    max_source = recipes.length_limit(source_lengths, settings["max_source_length"])
    max_target = recipes.length_limit(target_lengths, settings["max_target_length"])

    def prompt(dialogue):
        return recipes.summary_prompt(dialogue, tokenizer, max_source)

    def tokenize(split):
        return split.map(preprocess, batched=True, remove_columns=split.column_names,
                         fn_kwargs=dict(tokenizer=tokenizer, build_prompt=prompt, max_source_length=max_source,
                                        max_target_length=max_target))

    train_rows, cut = recipes.uncut_rows(rows["train"], tokenizer, max_source)  # cut dialogues teach invention
    if main_process:
        print(f"{cut} of {len(rows['train'])} training dialogues did not fit {max_source} tokens: left out")
    train, validation = tokenize(train_rows), tokenize(rows["validation"])
    train = train.add_column("idx", list(range(len(train))))  # to see which process read which row
    test_prompts = [prompt(row["dialogue"]) for row in rows["test"]]
    references = [row["references"] for row in rows["test"]]
    generation = recipes.summary_generation(settings)

    def score(model):
        scores, _ = evaluate_summaries(model, tokenizer, test_prompts, references,
                                       batch_size=settings["generation_batch_size"], max_input_tokens=max_source,
                                       **generation)
        return scores

    model = AutoModelForSeq2SeqLM.from_pretrained(model_id, dtype=torch.float32).to(run.device)
    zero_shot = score(model) if main_process else None  # the baseline: the model before any training
    if args.method == "lora":
        model = get_peft_model(model, LoraConfig(task_type=TaskType.SEQ_2_SEQ_LM, r=settings["lora_r"],
                                                 lora_alpha=settings["lora_alpha"],
                                                 lora_dropout=settings["lora_dropout"],
                                                 target_modules=list(settings["lora_targets"])))

    recorder = launch.ShardRecorder(DataCollatorForSeq2Seq(tokenizer, label_pad_token_id=IGNORE_INDEX))
    training_args = Seq2SeqTrainingArguments(
        learning_rate=settings["learning_rate"], **launch.trainer_arguments(args, run),
        **launch.sampling_for(recipes.summarizer_trainer_settings(settings), processes),
        **run.precision_args("seq2seq"))
    trainer = Seq2SeqTrainer(model=model, args=training_args, train_dataset=train, eval_dataset=validation,
                             data_collator=recorder, processing_class=tokenizer)
    trainer.train()

    saved_name = "adapter" if args.method == "lora" else "model"
    facts = launch.finish(trainer, recorder, tokenizer, args, len(train), saved_name, max_steps=settings["train_steps"])
    if facts is None:  # not the main process
        return
    trained = score(trainer.model)
    facts.update({"test dialogues": len(references), "training dialogues left out (cut to fit)": cut,
                  "zero-shot (test)": zero_shot, "trained (test)": trained})
    path = launch.write_results(args.output_dir, args, settings, facts)
    print("\n" + launch.describe(args.method, facts))
    print(f"ROUGE-1 on {len(references)} test dialogues: zero-shot {zero_shot['rouge1']:.3f} -> trained "
          f"{trained['rouge1']:.3f}\nwrote {path} and {facts['saved']}")


if __name__ == "__main__":
    main()
