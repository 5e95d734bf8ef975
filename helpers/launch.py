"""What the training scripts share when `accelerate launch` runs them on several processes (scripts/).

Under data parallelism every process holds a full copy of the model and reads its own shard of each global batch;
the gradients are averaged before every optimizer step, so the copies stay equal. These helpers let a script show
that this is what happened: which rows each process read (disjoint within a step), how large the global batch
was, and how many optimizer steps one process with that batch would have taken.
"""

import json
import math
import os
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Optional

from .config import PROFILE_NAMES

_WORLD_SIZE_VARIABLES = ("WORLD_SIZE", "PMI_SIZE", "OMPI_COMM_WORLD_SIZE", "MV2_COMM_WORLD_SIZE")


@dataclass
class ScriptArguments:
    """The arguments of every training script; each script's own dataclass adds its lesson's. Left at None, a size
    or a setting takes the profile's value."""

    profile: str = field(default="tiny", metadata={"help": "the lesson's sizes", "choices": PROFILE_NAMES})
    train_size: Optional[int] = field(default=None, metadata={"help": "training rows (default: the profile's)"})
    val_size: Optional[int] = field(default=None, metadata={"help": "validation rows"})
    max_steps: Optional[int] = field(default=None, metadata={"help": "a cap on optimizer steps"})
    learning_rate: Optional[float] = field(default=None, metadata={"help": "default: the profile's"})
    per_device_batch_size: Optional[int] = field(default=None, metadata={"help": "batch size of each process"})
    gradient_accumulation_steps: int = 1
    output_dir: str = "build/scripts"
    seed: int = 42


@dataclass
class MethodArguments(ScriptArguments):
    """The scripts that fine-tune a model fully or with LoRA (lessons 04 and 05)."""

    method: str = field(default="lora", metadata={"help": "what trains", "choices": ["lora", "full"]})
    model_id: Optional[str] = field(default=None, metadata={"help": "a Hub id or a folder (default: the profile's)"})


def begin(arguments_class, lesson, settings_for):
    """The opening every script shares: read the command line, start the processes, set up the lesson's run (it
    prints on the first process only) and its settings, `settings_for(args, run)`.
    Returns (args, run, settings, processes, main_process)."""
    from transformers import HfArgumentParser

    from .session import setup

    args = HfArgumentParser(arguments_class).parse_args_into_dataclasses()[0]
    rank, processes = start_processes()
    run = setup(lesson, profile=args.profile, seed=args.seed, quiet=rank != 0)
    return args, run, settings_for(args, run), processes, rank == 0


def with_overrides(settings, **values):
    """The lesson's settings with what the command line gave (None leaves the profile's value)."""
    return {**settings, **{name: value for name, value in values.items() if value is not None}}


def trainer_arguments(args, run):
    """The Trainer arguments every script sets the same way, as a plain dict."""
    return dict(output_dir=str(Path(args.output_dir) / "checkpoints"), seed=args.seed,
                gradient_accumulation_steps=args.gradient_accumulation_steps, remove_unused_columns=False,
                dataloader_pin_memory=run.device == "cuda", disable_tqdm=args.profile == "tiny")


def _requested_processes(parent_command):
    """The N of `--num_processes N` (or `=N`) in the command line of `accelerate launch`, else None."""
    for i, word in enumerate(parent_command):
        if word.startswith("--num_processes="):
            return int(word.split("=", 1)[1])
        if word == "--num_processes" and i + 1 < len(parent_command):
            return int(parent_command[i + 1])
    return None


def start_processes():
    """Call first in a script. Makes `accelerate launch --cpu --num_processes N` start N processes, and makes every
    multi-process run without a GPU train on the CPU together (gloo) rather than as N separate runs.

    accelerate starts several CPU processes only through `mpirun`; without MPI installed its `--cpu` launcher starts
    one process (it still sets MASTER_ADDR, for the N processes it was asked for). Then the script restarts itself
    under `torch.distributed.run` (what `accelerate launch --multi_gpu` uses) with the N processes requested.
    Returns this process's rank and the number of processes.
    """
    on_cpu = os.environ.get("ACCELERATE_USE_CPU", "").lower() in ("1", "true")
    launched = any(name in os.environ for name in _WORLD_SIZE_VARIABLES)
    if on_cpu and not launched and "MASTER_ADDR" in os.environ:
        import psutil

        processes = _requested_processes(psutil.Process().parent().cmdline())
        if processes and processes > 1:
            command = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", str(processes),
                       "--master_port", os.environ.get("MASTER_PORT", "29500"), sys.argv[0], *sys.argv[1:]]
            print(f"accelerate launch --cpu started one process (it needs mpirun for more); starting {processes} "
                  "with torch.distributed.run", flush=True)
            os.execv(sys.executable, command)
    processes = int(os.environ.get("WORLD_SIZE", "1"))
    if processes > 1:
        import torch

        if not torch.cuda.is_available():  # else TrainingArguments sees no GPU and trains each process alone
            os.environ["ACCELERATE_USE_CPU"] = "true"
    return int(os.environ.get("RANK", "0")), processes


class ShardRecorder:
    """Wraps a data collator and remembers, batch by batch, the "idx" of every training row this process reads.

    The training set carries an "idx" column (the row's number); evaluation sets do not, and pass through untouched.
    """

    def __init__(self, collator):
        self.collator, self.batches = collator, []

    def __call__(self, features):
        features = [dict(f) for f in features]
        ids = [f.pop("idx") for f in features if "idx" in f]
        if ids:
            self.batches.append(ids)
        return self.collator(features)


def steps_per_epoch(rows, per_device_batch_size, processes=1, accumulation=1):
    """Optimizer steps of one epoch: each of `processes` reads its own ceil(rows / processes) rows, in batches of
    `per_device_batch_size`, and `accumulation` batches make one step. The one formula of the scripts and tests."""
    return math.ceil(math.ceil(rows / processes) / per_device_batch_size / accumulation)


def check_sharding(recorder, trainer, folder, rows):
    """Every process writes what it read; the main process checks that, step by step, the processes read disjoint
    rows, and that every complete epoch covered the training set. Returns the facts (main process) or None."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rank, world = trainer.args.process_index, trainer.args.world_size
    (folder / f"rank{rank}.json").write_text(json.dumps(recorder.batches))
    trainer.accelerator.wait_for_everyone()
    if not trainer.is_world_process_zero():
        return None
    per_rank = [json.loads((folder / f"rank{r}.json").read_text()) for r in range(world)]
    steps = min(len(batches) for batches in per_rank)
    disjoint = all(not set.intersection(*(set(batches[step]) for batches in per_rank)) for step in range(steps)) \
        if world > 1 else True
    per_epoch = steps_per_epoch(rows, len(per_rank[0][0]), world) if per_rank[0] else 0  # batches, not steps
    epochs = [{i for batches in per_rank for batch in batches[start:start + per_epoch] for i in batch}
              for start in range(0, steps - per_epoch + 1, per_epoch)] if per_epoch else []
    return {"processes": world, "batches read per process": [len(b) for b in per_rank],
            "rows read per process in the first epoch": [sum(map(len, b[:per_epoch])) for b in per_rank],
            "disjoint within every step": disjoint,
            "epochs checked": len(epochs),
            "every epoch covers every row": bool(epochs) and all(seen == set(range(rows)) for seen in epochs)}


def sampling_for(trainer_settings, processes):
    """The Trainer settings to use on `processes` processes.

    Several processes must draw the same order of rows, each taking its own batches of it. accelerate keeps a plain
    shuffled order in step on every process, but the Trainer's length-grouped order draws from each process's own
    random state, which drifts apart once dropout has drawn different numbers (measured: from the second epoch on,
    some rows were read twice in a step and others not at all). So several processes shuffle plainly.
    """
    if processes > 1 and trainer_settings.get("train_sampling_strategy") == "group_by_length":
        return {**trainer_settings, "train_sampling_strategy": "random"}
    return trainer_settings


def batch_facts(trainer, rows, epochs=None, max_steps=-1):
    """The global batch, and the optimizer steps taken against those one process with that batch would take."""
    args = trainer.args
    global_batch = args.per_device_train_batch_size * args.world_size * args.gradient_accumulation_steps
    one_process = max_steps if max_steps and max_steps > 0 else math.ceil(steps_per_epoch(rows, global_batch) * epochs)
    return {"per-device batch": args.per_device_train_batch_size, "processes": args.world_size,
            "gradient accumulation": args.gradient_accumulation_steps, "global batch": global_batch,
            "optimizer steps": trainer.state.global_step, "steps of one process with the global batch": one_process}


def finish(trainer, recorder, tokenizer, args, rows, saved_name, epochs=None, max_steps=-1):
    """The closing every script shares: check the sharding (every process), then, on the main process only, the
    batch facts and the saved model or adapter. Returns {"batches", "sharding", "saved"}, or None on the others,
    which have nothing more to do."""
    sharding = check_sharding(recorder, trainer, Path(args.output_dir) / "shards", rows)
    if not trainer.is_world_process_zero():
        return None
    saved = Path(args.output_dir) / saved_name
    trainer.model.save_pretrained(saved)
    tokenizer.save_pretrained(saved)
    return {"batches": batch_facts(trainer, rows, epochs, max_steps), "sharding": sharding, "saved": str(saved)}


def describe(name, facts):
    """One line on how the run trained, from finish()'s facts."""
    batches, sharding = facts["batches"], facts["sharding"]
    return (f"{name}: {batches['optimizer steps']} optimizer steps on {batches['processes']} process(es), global "
            f"batch {batches['global batch']} = {batches['per-device batch']} per process × {batches['processes']} × "
            f"{batches['gradient accumulation']} accumulation (one process with that batch: "
            f"{batches['steps of one process with the global batch']} steps); rows read within each step disjoint: "
            f"{sharding['disjoint within every step']}")


def write_results(folder, arguments, settings, facts):
    """metrics.json in the output folder: the arguments, the lesson's settings used, and what the run measured."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    payload = {"arguments": asdict(arguments), "settings": {k: v for k, v in settings.items() if k != "seconds"},
               **facts}
    (folder / "metrics.json").write_text(json.dumps(payload, indent=1, default=str))
    return folder / "metrics.json"
