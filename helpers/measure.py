"""What a method costs: memory to train, wall time, peak memory, size on disk. Used by lessons 04-08."""

import gc
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass

from . import validate
from .errors import InputError


def memory_breakdown(total_params, trainable_params, bytes_per_value=4, optimizer_states=2):
    """What training must hold in memory, in MB, before any activations.

    weights: every parameter; gradients: one per trainable parameter; optimizer: AdamW keeps two
    running averages per trainable parameter (`optimizer_states=2`). All in fp32 (4 bytes) by default.
    """
    total_params = validate.whole_number("total_params", total_params, example="model.num_parameters()")
    trainable_params = validate.whole_number("trainable_params", trainable_params)
    if trainable_params > total_params:
        raise InputError(f"trainable_params ({trainable_params:,}) cannot exceed total_params ({total_params:,}).",
                         "pass the total first, then the trainable count.")
    mb = bytes_per_value / 2**20
    sizes = {"weights": total_params * mb, "gradients": trainable_params * mb,
             "optimizer state": optimizer_states * trainable_params * mb}
    sizes["total"] = sum(sizes.values())
    return sizes


def _rss_bytes():
    """Resident memory of this process, in bytes (psutil, which accelerate already depends on)."""
    import psutil

    return psutil.Process().memory_info().rss


def _release_freed_memory():
    """Hand memory freed by earlier steps back to the system, so that the next peak starts from a floor."""
    gc.collect()
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)  # glibc only; elsewhere this is skipped
    except (OSError, AttributeError):
        pass


@dataclass
class Measurement:
    """Filled in when a `measure()` block ends: wall time, peak memory in MiB, and what that memory means."""

    seconds: float = float("nan")
    peak_mib: float = float("nan")
    memory_kind: str = ""


@contextmanager
def measure(device="cpu", interval=0.005):
    """Wall time and peak memory of the code in the `with` block, above what was in memory when it started.

    On a CUDA GPU: the peak of memory allocated by PyTorch during the block (gradients, optimizer states,
    activations, anything loaded inside the block) minus what was allocated at its start. Elsewhere: the peak
    growth of the process's resident memory (RSS) over its level at the start, sampled every `interval`
    seconds: a rougher measure (the allocator keeps freed memory around), but taken the same way for every
    method. Models loaded before the block are not counted in either case.
    """
    import torch

    validate.choice("device", device, ("cpu", "cuda", "mps"))
    result = Measurement()
    _release_freed_memory()
    if device == "cuda":
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
        floor = torch.cuda.memory_allocated()
        result.memory_kind = "peak GPU memory allocated by PyTorch, above what was allocated before"
        started = time.perf_counter()
        try:
            yield result
        finally:
            torch.cuda.synchronize()
            result.seconds = time.perf_counter() - started
            result.peak_mib = (torch.cuda.max_memory_allocated() - floor) / 2**20
        return
    result.memory_kind = "peak growth of the process's resident memory (RSS), sampled"
    floor = _rss_bytes()
    peak = [floor]
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            peak[0] = max(peak[0], _rss_bytes())
            stop.wait(interval)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.perf_counter()
    try:
        yield result
    finally:
        result.seconds = time.perf_counter() - started
        stop.set()
        sampler.join()
        peak[0] = max(peak[0], _rss_bytes())
        result.peak_mib = (peak[0] - floor) / 2**20


def folder_size(path):
    """Total size in bytes of the files in a folder (recursively), or of one file."""
    path = validate.existing_path("path", path)
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
