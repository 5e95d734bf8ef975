#!/usr/bin/env python
"""Lesson 07's preference tuning as a script: DPO with LoRA on SmolLM2, pairs made from DialogSum, on one process
or many.

    python scripts/train_preferences.py --profile tiny
    accelerate launch --num_processes 2 --cpu scripts/train_preferences.py --profile tiny
    accelerate launch --num_processes 2 scripts/train_preferences.py --profile full     # two GPUs

The same recipe as the notebook (helpers.preferences: the pairs, the budget they fit, the DPOConfig settings, the
LoRA targets), with the sizes of the chosen profile unless an argument overrides them. The policy starts from the
instruct model, or from lesson 06's SFT model with --sft_adapter; the reference is the same network with the LoRA
adapter off. Needs the course's `align` extra (TRL). Writes metrics.json (TRL's held-out DPO loss, reward accuracy
and margin, before and after training) and the adapter to --output_dir.
"""

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # a clone without `pip install -e .` works too

from datasets import Dataset  # noqa: E402
from transformers import AutoTokenizer  # noqa: E402

from helpers import chat, launch, preferences  # noqa: E402
from helpers.profiles import lesson_settings  # noqa: E402


@dataclass
class Arguments(launch.ScriptArguments):  # profile, sizes (DialogSum rows drawn for pairs), steps, rate, batch, ...
    sft_adapter: Optional[str] = field(default=None, metadata={
        "help": "lesson 06's adapter folder: start from that SFT model (default: the instruct model)"})
    beta: Optional[float] = field(default=None, metadata={"help": "DPO's beta (default: the profile's)"})
    output_dir: str = "build/scripts/preferences"


def settings_for(args, run):
    return launch.with_overrides(run.settings, train_size=args.train_size, val_size=args.val_size,
                                 train_steps=args.max_steps, lr=args.learning_rate, beta=args.beta,
                                 batch_size=args.per_device_batch_size)


def main():
    args, run, settings, processes, main_process = launch.begin(Arguments, "07", settings_for)
    from trl import DPOConfig, DPOTrainer  # after setup, which says how to install the extra when it is missing

    tokenizer = AutoTokenizer.from_pretrained(run.model_id("chat"))
    dialogues = run.load_dataset("dialogues")
    sft_rows = lesson_settings("06", args.profile)["train_size"]  # lesson 06 trained on those: pairs come after them
    rows = preferences.pair_rows(dialogues, settings, args.seed, sft_rows)
    train_pairs, counts = preferences.preference_pairs(rows["train"], tokenizer, settings["max_length"], args.seed)
    val_pairs, _ = preferences.preference_pairs(rows["validation"], tokenizer, settings["max_length"], args.seed + 1)
    columns = ["prompt", "chosen", "rejected"]
    train = Dataset.from_list(train_pairs).select_columns(columns)
    train = train.add_column("idx", list(range(len(train))))  # to see which process read which row

    config = DPOConfig(**launch.trainer_arguments(args, run), **preferences.dpo_settings(settings),
                       **{"bf16": False, **run.precision_args("chat")})  # TRL's configs default to bf16
    policy = chat.start_model(run, args.sft_adapter).to(run.device)
    trainer = DPOTrainer(model=policy, args=config, processing_class=tokenizer,
                         peft_config=preferences.lora_config(settings), train_dataset=train,
                         eval_dataset=Dataset.from_list(val_pairs).select_columns(columns))
    recorder = launch.ShardRecorder(trainer.data_collator)
    trainer.data_collator = recorder
    before = trainer.evaluate()  # the policy is the reference: every pair costs log 2
    trainer.train()
    after = trainer.evaluate()

    facts = launch.finish(trainer, recorder, tokenizer, args, len(train), "adapter", max_steps=settings["train_steps"])
    if facts is None:  # not the main process
        return
    keys = ("eval_loss", "eval_rewards/accuracies", "eval_rewards/margins")
    facts.update({"pairs": counts, "held-out pairs": len(val_pairs),
                  "before (held-out)": {k: before.get(k) for k in keys},
                  "after (held-out)": {k: after.get(k) for k in keys},
                  "start": "lesson 06's SFT model" if args.sft_adapter else run.model_id("chat")})
    path = launch.write_results(args.output_dir, args, settings, facts)
    print("\n" + launch.describe("DPO", facts))
    print(f"held-out DPO loss on {len(val_pairs)} pairs: {before['eval_loss']:.4f} -> {after['eval_loss']:.4f}, "
          f"reward accuracy {after['eval_rewards/accuracies']:.2f}\nwrote {path} and {facts['saved']}")


if __name__ == "__main__":
    main()
