"""The request a chat model is trained and scored on in lesson 06 (instruction-tuning). Used by lessons 06-08.

Lessons 07 and 08 send the same request (their policies start from lesson 06's model), so it lives here once. How the
request becomes tokens (the chat template), which tokens the loss counts and how the model is trained are written in
the notebook, where they are taught.
"""

from . import validate
from .dialogsum import INSTRUCTION


def chat_request(dialogue):
    """The conversation sent to the model: one user turn, the instruction with the dialogue in it."""
    return [{"role": "user", "content": INSTRUCTION.format(dialogue=validate.text("dialogue", dialogue))}]
