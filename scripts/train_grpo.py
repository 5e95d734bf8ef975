#!/usr/bin/env python
"""Lesson 08's reinforcement learning as a script: GRPO with LoRA on SmolLM2, four checkable rewards for summaries of
DialogSum dialogues, on one process or many.

    python scripts/train_grpo.py --profile tiny
    accelerate launch --num_processes 2 --cpu scripts/train_grpo.py --profile tiny
    accelerate launch --num_processes 2 scripts/train_grpo.py --profile full     # two GPUs

The same recipe as the notebook (helpers.rewards: the prompts, the guarded rewards, the GRPOConfig settings; the LoRA
adapter of lesson 07), with the sizes of the chosen profile unless an argument overrides them. The policy starts from
the instruct model, or from lesson 06's SFT model with --sft_adapter. With --reward no_unsupported_detail it trains
on that reward alone: the lesson's controlled run of a reward that can be gamed. Needs the course's `align` extra
(TRL). Writes metrics.json (each reward's mean on held-out prompts, sampled as in training, before and after) and the
adapter to --output_dir.
"""

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # a clone without `pip install -e .` works too

from datasets import Dataset  # noqa: E402
from transformers import AutoTokenizer  # noqa: E402

from helpers import chat, launch, preferences, rewards  # noqa: E402
from helpers.dialogsum import distinct_dialogues  # noqa: E402
from helpers.profiles import lesson_settings  # noqa: E402

REWARD_CHOICES = ["all", "no_unsupported_detail"]


@dataclass
class Arguments(launch.ScriptArguments):  # profile, sizes (validation rows drawn for prompts), steps, rate, batch, ...
    sft_adapter: Optional[str] = field(default=None, metadata={
        "help": "lesson 06's adapter folder: start from that SFT model (default: the instruct model)"})
    reward: str = field(default="all", metadata={
        "help": "the lesson's four rewards, or the details reward alone (the gamed run)", "choices": REWARD_CHOICES})
    num_generations: Optional[int] = field(default=None, metadata={"help": "G, completions per prompt"})
    output_dir: str = "build/scripts/grpo"


def settings_for(args, run):
    """The per-device batch is counted in prompts here (each brings G completions)."""
    return launch.with_overrides(run.settings, train_size=args.train_size, train_steps=args.max_steps,
                                 lr=args.learning_rate, prompts_per_step=args.per_device_batch_size,
                                 num_generations=args.num_generations)


def held_out_rewards(trainer, names):
    """Each reward's mean over the held-out prompts, G completions sampled per prompt as in training."""
    found = trainer.evaluate()
    return {name: found.get(f"eval_rewards/{name}/mean") for name in names} | {"total": found.get("eval_reward")}


def main():
    args, run, settings, processes, main_process = launch.begin(Arguments, "08", settings_for)
    from trl import GRPOConfig, GRPOTrainer  # after setup, which says how to install the extra when it is missing

    tokenizer = AutoTokenizer.from_pretrained(run.model_id("chat"))
    dialogues = run.load_dataset("dialogues")
    first_row = lesson_settings("07", args.profile)["val_size"]  # lesson 07's held-out pairs came from those rows
    train = rewards.prompts(rewards.prompt_rows(dialogues, settings, args.seed, first_row), tokenizer,
                            settings["max_prompt_length"])
    held_out = rewards.prompts(distinct_dialogues(dialogues["test"], settings["eval_size"]), tokenizer,
                               settings["max_prompt_length"])
    low, high = rewards.human_length_range(dialogues["train"]["summary"])
    functions = rewards.reward_functions(tokenizer.convert_tokens_to_ids("<|im_end|>"), low, high)
    if args.reward != "all":
        functions = [f for f in functions if f.__name__ == args.reward]
    names = [f.__name__ for f in functions]

    config = GRPOConfig(**launch.trainer_arguments(args, run), **rewards.grpo_settings(settings),
                        per_device_eval_batch_size=settings["num_generations"] * settings["prompts_per_step"],
                        **{"bf16": False, **run.precision_args("chat")})  # TRL's configs default to bf16
    policy = chat.start_model(run, args.sft_adapter).to(run.device)
    trainer = GRPOTrainer(model=policy, args=config, processing_class=tokenizer,
                          reward_funcs=functions, peft_config=preferences.lora_config(settings),
                          train_dataset=Dataset.from_list(train), eval_dataset=Dataset.from_list(held_out))
    before = held_out_rewards(trainer, names)
    trainer.train()
    after = held_out_rewards(trainer, names)
    trainer.accelerator.wait_for_everyone()
    if not main_process:
        return
    saved = Path(args.output_dir) / "adapter"
    trainer.model.save_pretrained(saved)
    tokenizer.save_pretrained(saved)
    logged = [h for h in trainer.state.log_history if "reward" in h and "eval_reward" not in h]
    facts = {"batches": launch.batch_facts(trainer, len(train), max_steps=settings["train_steps"]),
             "prompts": {"training": len(train), "held-out": len(held_out)}, "rewards": names,
             "length range (words)": [low, high], "held-out rewards before": before, "held-out rewards after": after,
             "training reward, first and last log": [logged[0]["reward"], logged[-1]["reward"]] if logged else None,
             "start": "lesson 06's SFT model" if args.sft_adapter else run.model_id("chat"), "saved": str(saved)}
    path = launch.write_results(args.output_dir, args, settings, facts)
    batches = facts["batches"]
    print(f"\nGRPO ({', '.join(names)}): {batches['optimizer steps']} optimizer steps on {processes} process(es), "
          f"{batches['global batch']} completions a step ({settings['num_generations']} per prompt)")
    print(f"held-out reward on {len(held_out)} prompts: {before['total']:.3f} -> {after['total']:.3f}\n"
          f"wrote {path} and {saved}")


if __name__ == "__main__":
    main()
