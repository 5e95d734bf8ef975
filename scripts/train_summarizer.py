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
from transformers import (AutoModelForSeq2SeqLM, AutoTokenizer, DataCollatorForSeq2Seq, HfArgumentParser,  # noqa: E402
                          Seq2SeqTrainer, Seq2SeqTrainingArguments)

import helpers  # noqa: E402
from helpers.config import PROFILE_NAMES  # noqa: E402
from helpers import launch, recipes  # noqa: E402
from helpers.batching import IGNORE_INDEX, token_lengths  # noqa: E402
from helpers.seq2seq import evaluate_summaries, preprocess  # noqa: E402


@dataclass
class Arguments:
    profile: str = field(default="tiny", metadata={"help": "the sizes of lesson 05", "choices": PROFILE_NAMES})
    method: str = field(default="lora", metadata={"help": "what trains", "choices": ["lora", "full"]})
    model_id: Optional[str] = field(default=None, metadata={"help": "a Hub id or a folder (default: the profile's)"})
    train_size: Optional[int] = field(default=None, metadata={"help": "training dialogues (default: the profile's)"})
    val_size: Optional[int] = field(default=None, metadata={"help": "validation dialogues"})
    eval_size: Optional[int] = field(default=None, metadata={"help": "distinct test dialogues scored with ROUGE"})
    max_steps: Optional[int] = field(default=None, metadata={"help": "optimizer steps (default: the profile's)"})
    learning_rate: Optional[float] = field(default=None, metadata={"help": "default: the profile's, per method"})
    per_device_batch_size: Optional[int] = field(default=None, metadata={"help": "batch size of each process"})
    gradient_accumulation_steps: int = 1
    output_dir: str = "build/scripts/summarizer"
    seed: int = 42


def settings_for(args, run):
    settings = dict(run.settings)
    overrides = {"train_size": args.train_size, "val_size": args.val_size, "eval_size": args.eval_size,
                 "batch_size": args.per_device_batch_size, "train_steps": args.max_steps}
    settings.update({k: v for k, v in overrides.items() if v is not None})
    settings["learning_rate"] = args.learning_rate or settings["lora_lr" if args.method == "lora" else "full_lr"]
    return settings


def main():
    args = HfArgumentParser(Arguments).parse_args_into_dataclasses()[0]
    rank, processes = launch.start_processes()
    main_process = rank == 0  # one process of several does the printing
    run = helpers.setup("05", profile=args.profile, seed=args.seed, quiet=not main_process)
    settings = settings_for(args, run)
    model_id = args.model_id or run.model_id("seq2seq")
    output = Path(args.output_dir)

    tokenizer = AutoTokenizer.from_pretrained(model_id)
    rows = recipes.dialogsum_rows(run.load_dataset("dialogues"), settings, args.seed)
    source_lengths = token_lengths(tokenizer, [recipes.SUMMARY_TEMPLATE.format(dialogue=d)
                                               for d in rows["train"]["dialogue"]])
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
        output_dir=str(output / "checkpoints"), learning_rate=settings["learning_rate"], seed=args.seed,
        gradient_accumulation_steps=args.gradient_accumulation_steps, remove_unused_columns=False,
        dataloader_pin_memory=run.device == "cuda", disable_tqdm=args.profile == "tiny",
        **launch.sampling_for(recipes.summarizer_trainer_settings(settings), processes),
        **run.precision_args("seq2seq"))
    trainer = Seq2SeqTrainer(model=model, args=training_args, train_dataset=train, eval_dataset=validation,
                             data_collator=recorder, processing_class=tokenizer)
    trainer.train()

    sharding = launch.check_sharding(recorder, trainer, output / "shards", len(train))
    if not trainer.is_world_process_zero():
        return
    batches = launch.batch_facts(trainer, len(train), max_steps=settings["train_steps"])
    trained = score(trainer.model)
    saved = output / ("adapter" if args.method == "lora" else "model")
    trainer.model.save_pretrained(saved)
    tokenizer.save_pretrained(saved)
    facts = {"batches": batches, "sharding": sharding, "saved": str(saved), "test dialogues": len(references),
             "training dialogues left out (cut to fit)": cut,
             "zero-shot (test)": zero_shot, "trained (test)": trained}
    path = launch.write_results(output, args, settings, facts)
    print(f"\n{args.method}: {batches['optimizer steps']} optimizer steps on {batches['processes']} process(es), "
          f"global batch {batches['global batch']} = {batches['per-device batch']} per process × "
          f"{batches['processes']} × {batches['gradient accumulation']} accumulation")
    print(f"rows read within each step disjoint: {sharding['disjoint within every step']}")
    print(f"ROUGE-1 on {len(references)} test dialogues: zero-shot {zero_shot['rouge1']:.3f} -> trained "
          f"{trained['rouge1']:.3f}\nwrote {path} and {saved}")


if __name__ == "__main__":
    main()
