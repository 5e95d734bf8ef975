"""The machine a notebook runs on: device, seeding, Colab, the Hub, versions (the dtype policy: helpers.precision)."""

import importlib.metadata
import os
import platform
import shutil
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path

HUB_PROBE_TIMEOUT_S = 3.0
VERSION_PACKAGES = ("torch", "transformers", "datasets", "peft", "accelerate", "evaluate", "numpy")
TRUE_WORDS = {"1", "true", "yes", "on"}
# The switches the Hugging Face libraries read; setting all of them keeps every library, and every child
# process, from trying the network.
OFFLINE_VARIABLES = ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_EVALUATE_OFFLINE")


def env_flag(name):
    """True when the environment variable `name` says yes (1, true, yes, on; any case)."""
    return os.environ.get(name, "").strip().lower() in TRUE_WORDS


def in_colab():
    return "google.colab" in sys.modules or "COLAB_RELEASE_TAG" in os.environ


def pick_device():
    """'cuda' if an NVIDIA GPU is visible, else 'cpu'.

    Apple GPUs (PyTorch's 'mps' device) are not used: the MPS backend has trained models to silently worse results
    than the CPU on the same code (pytorch/pytorch issues 92615 and 137964; rasbt/LLMs-from-scratch issue 791 saw a
    course's losses differ), and the course's checks compare exact results. On a Mac the course computes on the CPU.
    """
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def apple_gpu_available():
    """True on Apple silicon with PyTorch's MPS backend: present, and deliberately left unused (see pick_device)."""
    import torch

    return bool(getattr(torch.backends, "mps", None) and torch.backends.mps.is_available())


def cpu_computes_bf16():
    """True when this CPU multiplies bf16 matrices in hardware (x86 AVX512-BF16 or AMX): there, training under bf16
    autocast is faster than fp32 (1.6-2.0x per step on a 2-core AMD EPYC with AVX512-BF16, lesson 06's LoRA). Other
    CPUs emulate bf16, which is slower than fp32. PyTorch's own oneDNN test is not used: it says yes for any AVX-512
    CPU, emulation included."""
    import torch

    if platform.machine().lower() not in ("x86_64", "amd64"):
        return False
    probes = (getattr(torch.cpu, "_is_avx512_bf16_supported", None), getattr(torch.cpu, "_is_amx_tile_supported", None))
    return any(probe() for probe in probes if probe is not None)


# Libraries an install in a running notebook may upgrade (lesson 07's extra brings a newer datasets on Colab).
WATCHED_LIBRARIES = ("datasets", "transformers", "tokenizers", "huggingface_hub", "accelerate", "peft", "trl",
                     "pyarrow")


def stale_modules(names=WATCHED_LIBRARIES):
    """[(library, version loaded in this process, version installed now)] for each library imported before an
    install changed it. Its old code keeps running until the kernel restarts, mixed with the new code's files."""
    from importlib.metadata import PackageNotFoundError, version

    stale = []
    for name in names:
        module = sys.modules.get(name)
        loaded = getattr(module, "__version__", None)
        if loaded is None:
            continue
        try:
            installed = version(name.replace("_", "-"))
        except PackageNotFoundError:
            continue
        if installed != loaded:
            stale.append((name, loaded, installed))
    return stale


def cuda_capability():
    import torch

    return torch.cuda.get_device_capability() if torch.cuda.is_available() else None


def use_one_thread():
    """One PyTorch thread: tiny models gain nothing from more, and on a busy machine several threads
    waiting on each other made tiny generation 50 times slower (0.17 s -> 13.6 s for three prompts)."""
    import torch

    torch.set_num_threads(1)


def hub_endpoint():
    return os.environ.get("HF_ENDPOINT", "https://huggingface.co").rstrip("/")


def hub_offline_forced():
    """True when the user (or `go_offline`) told the Hugging Face libraries to stay offline."""
    return env_flag("HF_HUB_OFFLINE")


def go_offline():
    """Switch this process, the libraries it imported and the processes it starts to offline mode.

    The libraries read HF_HUB_OFFLINE once, when they are imported, so the variable alone is too late for a
    notebook that imported them already: their module-level flags are set too. Without this, every
    `from_pretrained` of a cached model first tries the Hub and waits for the network to time out (minutes).
    """
    for name in OFFLINE_VARIABLES:
        os.environ[name] = "1"
    flags = {"huggingface_hub.constants": ["HF_HUB_OFFLINE"],
             "datasets.config": ["HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE"],
             "evaluate.config": ["HF_EVALUATE_OFFLINE"]}
    for module_name, names in flags.items():
        module = sys.modules.get(module_name)
        for name in names if module is not None else ():
            if hasattr(module, name):
                setattr(module, name, True)


def hub_reachable(timeout=HUB_PROBE_TIMEOUT_S):
    """Does the Hugging Face Hub answer within `timeout` seconds?

    Offline, `from_pretrained` retries for about 45 s before a cryptic OSError; this answers in at
    most `timeout` seconds. The request runs in a thread because a DNS lookup ignores socket timeouts.
    """
    if hub_offline_forced():
        return False
    answer = []

    def probe():
        try:
            urllib.request.urlopen(urllib.request.Request(hub_endpoint() + "/api/whoami-v2", method="HEAD"),
                                   timeout=timeout)
            answer.append(True)
        except urllib.error.HTTPError:
            answer.append(True)  # any HTTP answer (401 here) means the Hub is there
        except Exception:
            answer.append(False)

    thread = threading.Thread(target=probe, daemon=True)
    thread.start()
    thread.join(timeout)
    return bool(answer and answer[0])


def hf_hub_cache():
    from huggingface_hub import constants

    return Path(constants.HF_HUB_CACHE)


def model_cached(repo_id):
    """Is this Hub model in the local Hugging Face cache (config and weights)?"""
    from huggingface_hub import try_to_load_from_cache

    config = try_to_load_from_cache(repo_id, "config.json")
    return isinstance(config, str)


def dataset_cached(dataset_id):
    """Did `load_dataset` already prepare this dataset? Offline, datasets can only load what it prepared."""
    from datasets import config as ds_config

    return (Path(ds_config.HF_DATASETS_CACHE) / dataset_id.replace("/", "___")).is_dir()


def versions():
    """Python and the course's main libraries, as {name: version}."""
    found = {"python": platform.python_version()}
    for name in VERSION_PACKAGES:
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def gpu_report():
    """Name and memory of the GPU, or None."""
    import torch

    if not torch.cuda.is_available():
        return None
    props = torch.cuda.get_device_properties(0)
    return {"name": props.name, "memory_gb": round(props.total_memory / 2**30, 1),
            "capability": f"{props.major}.{props.minor}"}


def free_disk_gb(path="."):
    return round(shutil.disk_usage(path).free / 2**30, 1)


COLAB_GPU_ADVICE = "In Colab: Runtime > Change runtime type > Hardware accelerator: T4 GPU, then run the setup cell again."


def environment_report(min_disk_gb=10):
    """Rows of (check, finding, advice) for the start-here notebook; advice is '' when all is well."""
    rows = []
    gpu = gpu_report()
    if gpu:
        advice = "" if gpu["memory_gb"] >= 14 else "Less than 14 GB: use smaller batch sizes in `full`, or `quick`."
        rows.append(("GPU", f"{gpu['name']}, {gpu['memory_gb']} GB, compute capability {gpu['capability']}", advice))
    elif apple_gpu_available():
        rows.append(("GPU", "an Apple GPU (MPS), left unused: the course computes on the CPU",
                     "Use `quick`. PyTorch's MPS backend has trained models to wrong results: see the "
                     "troubleshooting guide, 'Apple GPUs'."))
    else:
        advice = COLAB_GPU_ADVICE if in_colab() else "Fine for `quick` and `tiny`; `full` needs an NVIDIA GPU."
        rows.append(("GPU", "none (computing on the CPU)", advice))
    found = versions()
    rows.append(("Python", found.pop("python"), ""))
    for name, version in found.items():
        rows.append((name, version, "Install the course requirements: pip install -r requirements.txt"
                     if version == "not installed" else ""))
    reachable = hub_reachable()
    rows.append(("Hugging Face Hub", "reachable" if reachable else "not reachable",
                 "" if reachable else "Offline: use models cached by `python -m helpers prefetch`, or COURSE_PROFILE=tiny."))
    disk = free_disk_gb(hf_hub_cache().parent if hf_hub_cache().parent.exists() else ".")
    rows.append(("Free disk", f"{disk} GB", "" if disk >= min_disk_gb else
                 f"The real models and data need about {min_disk_gb} GB: free some space."))
    rows.append(("Running in", "Google Colab" if in_colab() else "local Jupyter or Python", ""))
    return rows


class _DropMessages:
    """A logging filter that drops records containing any of `parts`."""

    def __init__(self, *parts):
        self.parts = parts

    def filter(self, record):
        return not any(part in record.getMessage() for part in self.parts)


def quiet_known_warnings():
    """Silence the library messages that every learner would see and none can act on; each one is named here.

    - transformers, loading FLAN-T5: "... both are present in the checkpoints with different values, so we will
      NOT tie them." The checkpoints keep the output layer apart from the input embeddings, on purpose.
    - transformers' FutureWarnings "`is_gradient_checkpointing` is deprecated" (raised from inside PEFT) and
      "`gradient_checkpointing...` is deprecated ... Use `activation_checkpointing...`" (from inside TRL's configs
      and trainers, lesson 07): the libraries call the old names themselves; the course never does.
    - PEFT, saving an adapter offline: "Could not find a config file in <model>": it looks up the base model's
      config on the Hub to decide about embedding layers, which the course's adapters never change.
    Everything else stays visible, including BERT's load report, which lessons 00 and 01 explain.
    """
    import logging
    import warnings

    warnings.filterwarnings("ignore", message=".*is_gradient_checkpointing.*")
    warnings.filterwarnings("ignore", message=r".*gradient_checkpointing\w*`? is deprecated.*activation_checkpointing",
                            category=FutureWarning)
    warnings.filterwarnings("ignore", message="Could not find a config file in")
    drop = _DropMessages("so we will NOT tie them")
    for name in ("transformers", "transformers.modeling_utils"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, _DropMessages) for f in logger.filters):
            logger.addFilter(drop)
