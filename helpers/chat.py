"""The request a chat model is trained and scored on in lesson 06 (instruction-tuning). Used by lessons 06-08.

Lessons 07 and 08 send the same request (their policies start from lesson 06's model), so it lives here once. How the
request becomes tokens (the chat template), which tokens the loss counts and how the model is trained are written in
the notebook, where they are taught. Lesson 07 loads its start model in view; lesson 08 and the scripts of lessons 07
and 08 share `start_model`.
"""

from . import validate
from .dialogsum import INSTRUCTION


def chat_request(dialogue):
    """The conversation sent to the model: one user turn, the instruction with the dialogue in it."""
    return [{"role": "user", "content": INSTRUCTION.format(dialogue=validate.text("dialogue", dialogue))}]


def start_model(run, sft_adapter=None):
    """The policy lesson 08 and the scripts of lessons 07 and 08 start from, in fp32: lesson 06's SFT model (the
    adapter folder `sft_adapter` merged into this profile's base model), or the instruct model without one."""
    import torch
    from transformers import AutoModelForCausalLM

    if sft_adapter:
        from peft import PeftModel

        base = AutoModelForCausalLM.from_pretrained(run.model_id("base"), dtype=torch.float32)
        return PeftModel.from_pretrained(base, validate.existing_path("sft_adapter", sft_adapter)).merge_and_unload()
    return AutoModelForCausalLM.from_pretrained(run.model_id("chat"), dtype=torch.float32)
