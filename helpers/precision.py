"""The precision policy: which dtype a model computes in and which mixed-precision flags the Trainer gets, on this
device or, with COURSE_PRECISION, as a GPU would (how the tests walk a Colab learner's path on a CPU)."""

import os

from . import config, env, validate
from .errors import InputError


def precision_override():
    """The precision policy COURSE_PRECISION asks for ('fp32', 'fp16' or 'bf16'), or None when it is unset."""
    value = os.environ.get(config.PRECISION_ENV, "").strip().lower()
    if not value:
        return None
    return validate.choice(config.PRECISION_ENV, value, config.PRECISIONS, "runs-on-the-cpu-fails-on-the-gpu")


def precision_policy(device, profile=None):
    """(policy, why): which precision this run follows, 'fp32', 'fp16' or 'bf16', and the reason.

    COURSE_PRECISION wins on any device, so that a CPU can walk the path a Colab GPU takes (the tests run every
    notebook under bf16 and fp16 that way). Otherwise: bf16 where a GPU computes it natively (compute capability
    8.0 and up: A100, L4, H100), fp16 on older GPUs (a T4 is 7.5: it "supports" bf16 only by slow emulation).
    On a CPU that computes bf16 in hardware (helpers.env.cpu_computes_bf16), `quick` and `full` train under bf16
    autocast; every other CPU, and `tiny` (its models are too small to gain), computes in fp32.
    """
    override = precision_override()
    if override:
        return override, f"set by {config.PRECISION_ENV}"
    if device == "cuda":
        if env.cuda_capability() >= (8, 0):
            return "bf16", "the GPU computes bf16 natively"
        return "fp16", "the GPU has no native bf16, so fp16"
    if profile == "tiny":
        return "fp32", "a CPU, and tiny's models are too small to gain from bf16"
    if env.cpu_computes_bf16():
        return "bf16", "this CPU computes bf16 natively: training runs under bf16 autocast, inference in fp32"
    return "fp32", "this CPU has no native bf16 (emulated bf16 is slower than fp32)"


def pick_dtype(device, family, profile=None, training=False):
    """The dtype to compute in, for a model family ('encoder', 'decoder' or 't5'), under precision_policy.

    T5 overflows in fp16 (activations exceed 65,504 and become inf, then NaN), so under the fp16 policy (a T4)
    it stays fp32; encoders and decoders take fp16 there. A CPU's own bf16 applies to training (`training=True`,
    the Trainer's autocast) and to generation under generation_autocast; models loaded for inference stay fp32
    there, so that what lessons 02-04 measure with them does not depend on the CPU's instruction set.
    """
    import torch

    validate.choice("model family", family, config.FAMILIES)
    policy, _ = precision_policy(device, profile)
    if device != "cuda" and not training and precision_override() is None:
        return torch.float32
    if policy == "bf16":
        return torch.bfloat16
    if policy == "fp16" and family != "t5":
        return torch.float16
    return torch.float32


def precision_args(dtype, device):
    """The Trainer arguments for mixed precision in `dtype` (a torch dtype) on `device`: {} for fp32.

    The weights stay fp32 and the forward pass runs under autocast. On a CPU the Trainer accepts bf16 only with
    use_cpu=True, which is added; accelerate autocasts a CPU in bf16 only (fp16=True there trains in fp32).
    """
    import torch

    if not isinstance(dtype, torch.dtype):
        raise InputError(f"dtype must be a torch dtype such as torch.bfloat16, not {dtype!r}.",
                         "pass run.dtype(role), or torch.float32, torch.float16 or torch.bfloat16.")
    flags = {torch.bfloat16: {"bf16": True}, torch.float16: {"fp16": True}}.get(dtype, {})
    if flags and device != "cuda":
        flags["use_cpu"] = True
    return flags


def generation_autocast(device, profile=None):
    """A context that generates under bf16 autocast where this run trains in bf16 (a GPU from compute capability
    8.0, a CPU with native bf16, or COURSE_PRECISION=bf16), else does nothing: the models a lesson compares then all
    generate in one precision, trained or not (on a 2-core AMD EPYC, 25 greedy summaries of SmolLM2-135M took 13.9 s
    under bf16 autocast against 16.5 s in fp32)."""
    import contextlib

    import torch

    if precision_policy(device, profile)[0] != "bf16":
        return contextlib.nullcontext()
    return torch.autocast(device_type=device, dtype=torch.bfloat16)
