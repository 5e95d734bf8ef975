"""Plumbing for lesson 05 (dialogue summarization with LoRA).

What the lesson teaches stays in the notebook: the prompt, the LoRA config, the trainer, the generate()
settings. This module holds the parts that are the same every time and are unit-tested:

- `preprocess`: tokenize prompts and target summaries for a seq2seq model, label padding set to -100;
- `evaluate_summaries`: generate summaries in batches and score them with ROUGE;
- `changed_base_weights`: which pretrained weights training changed;
- `lora_diagram`, `length_histograms`: the lesson's figures.
"""


from . import validate
from .batching import IGNORE_INDEX
from .errors import InputError
from .generation import generate_batched
from .metrics import rouge


# ---------------------------------------------------------------- preprocessing


def mask_label_padding(label_rows, pad_token_id, ignore_index=IGNORE_INDEX):
    """Replace the padding in lists of label ids by `ignore_index`, so that the loss skips it."""
    return [[ignore_index if token == pad_token_id else token for token in row] for row in label_rows]


def preprocess(batch, tokenizer, build_prompt, max_source_length, max_target_length, padding=False,
               source_column="dialogue", target_column="summary"):
    """Tokenize a batch of rows (as `Dataset.map(..., batched=True)` passes them) for a seq2seq model.

    Inputs are the prompts `build_prompt(source)`; labels are the tokenized targets (`text_target=`).
    Both are truncated to their maximum lengths. With `padding="max_length"` every row is padded, and
    the padding in the labels becomes -100; with the default (no padding), a `DataCollatorForSeq2Seq`
    pads each batch later and also uses -100 for the labels.
    """
    missing = [c for c in (source_column, target_column) if c not in batch]
    if missing:
        raise InputError(f"preprocess() found no column {missing[0]!r} in the rows it got (columns: "
                         f"{', '.join(map(repr, batch))}).", "pass source_column= and target_column= to name them.")
    if not callable(build_prompt):
        raise InputError("build_prompt must be a function from a dialogue to its prompt.",
                         "pass e.g. build_prompt=lambda dialogue: TEMPLATE.format(dialogue=dialogue).")
    validate.positive_int("max_source_length", max_source_length)
    validate.positive_int("max_target_length", max_target_length)
    model_inputs = tokenizer([build_prompt(text) for text in batch[source_column]], max_length=max_source_length,
                             truncation=True, padding=padding)
    labels = tokenizer(text_target=list(batch[target_column]), max_length=max_target_length, truncation=True,
                       padding=padding)["input_ids"]
    if padding:
        labels = mask_label_padding(labels, tokenizer.pad_token_id)
    model_inputs["labels"] = labels
    return model_inputs


# ---------------------------------------------------------------- evaluation


def evaluate_summaries(model, tokenizer, prompts, references, batch_size=16, max_input_tokens=512, progress=False,
                       **generate_kwargs):
    """Summaries generated in batches (helpers.generation.generate_batched) and their ROUGE.

    Returns (scores, predictions): scores as helpers.metrics.rouge gives them ({'rouge1': ..., ...}),
    predictions in the order of `prompts`. Pass the generation settings as keyword arguments.
    `references` holds one reference per prompt, or a list of references per prompt (scored against the best).
    """
    prompts = validate.texts("prompts", prompts)
    references = list(references)
    validate.same_length("prompts", prompts, "references", references)  # before minutes of generation
    predictions = generate_batched(model, tokenizer, prompts, batch_size=batch_size,
                                   max_input_tokens=max_input_tokens, progress=progress, **generate_kwargs)
    return rouge(predictions, references), predictions


# ---------------------------------------------------------------- what LoRA left alone


def changed_base_weights(peft_model, reference_model):
    """Names of the base-model weights of `peft_model` that differ from `reference_model`'s.

    `reference_model` is a fresh copy of the base model. LoRA's own weights are skipped; the frozen
    weights that LoRA wraps (`...q.base_layer.weight`) are compared under their original names.
    Raises ValueError if a weight of the reference has no counterpart (nothing silently unchecked).
    """
    import torch

    if not hasattr(peft_model, "get_base_model"):
        raise InputError(f"changed_base_weights() needs a PEFT model (from get_peft_model), not "
                         f"{type(peft_model).__name__}.", "pass the LoRA model first, then a fresh copy of the base model.")
    reference = dict(reference_model.named_parameters())
    changed, compared = [], set()
    for name, parameter in peft_model.get_base_model().named_parameters():
        if "lora_" in name:
            continue
        original = name.replace(".base_layer.", ".")
        if original not in reference:
            raise InputError(f"{original} is not a weight of the reference model")
        compared.add(original)
        if not torch.equal(parameter.detach().cpu(), reference[original].detach().cpu()):
            changed.append(original)
    missing = set(reference) - compared
    if missing:
        raise InputError(f"{len(missing)} weights of the reference were not compared, e.g. {sorted(missing)[0]}")
    return changed


# ---------------------------------------------------------------- figures


def lora_diagram(d=768, r=32, alpha=32):
    """LoRA beside a frozen weight matrix: h = W x + (alpha / r) * B A x, with the parameter counts."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Circle, FancyArrowPatch, Polygon, Rectangle

    fig, ax = plt.subplots(figsize=(9, 3.6))
    ax.set_xlim(0, 13)
    ax.set_ylim(0, 6)
    ax.axis("off")

    def arrow(start, end):
        ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=12, linewidth=1.2))

    ax.text(0.5, 3, "x", fontsize=15, ha="center", va="center")
    ax.text(0.5, 2.5, f"({d} numbers)", fontsize=7, ha="center")
    arrow((0.8, 3.1), (2.5, 4.3))
    arrow((0.8, 2.9), (2.5, 1.6))
    # the frozen pretrained weight
    ax.add_patch(Rectangle((2.5, 3.3), 3.0, 2.0, facecolor="#d9d9d9", edgecolor="black", linewidth=1.2))
    ax.text(4.0, 4.55, "W  (frozen)", ha="center", va="center", fontsize=11, weight="bold")
    ax.text(4.0, 3.95, f"{d}×{d}", ha="center", va="center", fontsize=9)
    # A squeezes d numbers into r, B expands r back into d
    ax.add_patch(Polygon([(2.5, 0.6), (2.5, 2.6), (4.0, 1.85), (4.0, 1.35)], facecolor="#9ecae1", edgecolor="black"))
    ax.add_patch(Polygon([(4.0, 1.35), (4.0, 1.85), (5.5, 2.6), (5.5, 0.6)], facecolor="#fdae6b", edgecolor="black"))
    ax.text(3.1, 1.6, "A", ha="center", va="center", fontsize=11, weight="bold")
    ax.text(4.9, 1.6, "B", ha="center", va="center", fontsize=11, weight="bold")
    ax.text(3.25, 0.3, f"{r}×{d}", ha="center", fontsize=8)
    ax.text(4.75, 0.3, f"{d}×{r}", ha="center", fontsize=8)
    ax.text(4.0, 2.05, f"r = {r}", ha="center", fontsize=8)
    ax.text(6.2, 1.2, f"× α/r\n= {alpha}/{r}", ha="center", fontsize=8)
    ax.add_patch(Circle((7.2, 3.0), 0.3, facecolor="white", edgecolor="black"))
    ax.text(7.2, 3.0, "+", ha="center", va="center", fontsize=13)
    arrow((5.5, 4.3), (6.95, 3.15))
    arrow((5.6, 1.6), (6.95, 2.85))
    arrow((7.5, 3.0), (8.3, 3.0))
    ax.text(8.6, 3.0, "h", fontsize=15, ha="center", va="center")
    lines = [("h = W x + (α/r) · B A x", 12, "normal"),
             (f"frozen W: {d}·{d} = {d * d:,}", 9, "normal"),
             (f"trainable A, B: 2·{d}·{r} = {2 * d * r:,}", 9, "normal"),
             (f"= {2 * d * r / (d * d):.1%} of W", 9, "normal"),
             ("B starts at zero: training starts", 8, "italic"),
             ("from the pretrained model exactly", 8, "italic")]
    for i, (text, size, style) in enumerate(lines):
        ax.text(9.2, 5.0 - i * 0.75 - (0.2 if i else 0), text, fontsize=size, style=style)
    fig.tight_layout()
    return fig


def length_histograms(source_lengths, target_lengths, source_cut=None, target_cut=None):
    """Two histograms of token lengths (prompts and summaries), with the chosen maximum lengths marked."""
    import matplotlib.pyplot as plt

    source_lengths = validate.counts("source_lengths", source_lengths)
    target_lengths = validate.counts("target_lengths", target_lengths)
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.2))
    for ax, lengths, cut, title in [(axes[0], source_lengths, source_cut, "prompt (dialogue) tokens"),
                                    (axes[1], target_lengths, target_cut, "summary tokens")]:
        lengths = list(lengths)
        ax.hist(lengths, bins=30, color="tab:blue", alpha=0.8)
        if cut is not None:
            longer = sum(n > cut for n in lengths)  # a count: a rounded share would say 0% for a few
            ax.axvline(cut, color="tab:red", linestyle="--", label=f"max length {cut}: {longer} of {len(lengths)} longer")
            ax.legend(fontsize=8)
        ax.set(title=title, xlabel="tokens", ylabel="examples")
    fig.tight_layout()
    return fig
