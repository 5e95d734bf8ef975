"""Writes notebooks/07_preference_tuning_with_dpo.ipynb (a one-off authoring script, not part of the course)."""
import sys

import nbformat

sys.path.insert(0, ".")
from helpers.authoring import code, write_notebook  # noqa: E402


def md(text):
    return nbformat.v4.new_markdown_cell(text.strip("\n"))


def solution(text):
    return code("# @title Solution (double-click to show)\n" + text.strip("\n"), hidden=True, tags=("solution",))


cells = [
    md('''
# 07 · Preference tuning with DPO

[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/llm-course-org/llm-course/blob/main/notebooks/07_preference_tuning_with_dpo.ipynb)

Supervised fine-tuning (lesson 06) shows a model good answers and makes them more likely. It never shows what a
*bad* answer looks like, so nothing in it pushes a mistake down. **Preference tuning** does: it trains on pairs of
answers to the same prompt, one preferred (*chosen*), one not (*rejected*), and moves the model towards the first
and away from the second. RLHF does this with a reward model and reinforcement learning (Ouyang et al., 2022);
**DPO**, *Direct Preference Optimization* (Rafailov et al., 2023), gets the same objective from a plain loss on the
pairs, with no reward model and no sampling during training. SmolLM2-135M-Instruct itself was tuned with DPO after
its supervised stage. In this lesson you write the DPO loss yourself, prove it equal to TRL's, and use it to teach a
summarizer not to get the facts of a conversation wrong.

**You will learn to**
- explain what preference pairs add to supervised fine-tuning, and what the way pairs are made biases;
- build preference pairs from a dataset, chosen and rejected, that fit the token budget without ever being cut;
- compute sequence log-probabilities under the policy and the reference, and the DPO loss, by hand, equal to TRL's
  `DPOTrainer` on the same batch;
- use the reference model for free: the same network with its LoRA adapter switched off;
- read implicit rewards, reward accuracy and margins while training, and say what β does;
- evaluate what DPO changed: held-out pairs, ROUGE, the fact check of lesson 05 and the length of the outputs.

**Time**

| profile | for | time | timed on |
| --- | --- | --- | --- |

**Prerequisites:** [06 · Instruction-tuning a small chat model](06_instruction_tuning_a_chat_model.ipynb) (chat
templates, LoRA on a decoder, left-padded batched generation).
'''),
    md('''
**An extra library.** This lesson uses TRL, Hugging Face's library for training language models from preferences,
installed only for it as the course's `align` extra (`pip install "llm-course[align]"`; `make test` and the local
setup install it too). On Colab the setup cell installs it. TRL needs a newer `datasets` than Colab ships, so the
first time the cell may ask you to restart the runtime (*Runtime → Restart session*) and run it again; it says so
when it is needed, and the other lessons keep working either way.

**Which models this run uses.** The *policy* (the model we train) starts from the result of lesson 06 when you
have it: the SFT adapter that lesson saved, on its base model SmolLM2-135M. Otherwise it starts from
SmolLM2-135M-Instruct. Either way it gets a fresh LoRA adapter; `tiny` uses the tiny Llama models of lesson 06.
'''),
    code('''
import json
import random

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F
from peft import PeftModel
from transformers import AutoModelForCausalLM, AutoTokenizer

from helpers import preferences
from helpers.checks import check, check_solution, needs_pretrained_weights
from helpers.course import model_label, output_root
from helpers.measure import count_parameters, measure
from helpers.results import record

S = run.settings  # this lesson's row of the profiles table
workdir = run.workdir()  # a fresh folder for the trainer's output (build/runs/lesson07)
run.estimate("load")
tokenizer = AutoTokenizer.from_pretrained(run.model_id("chat"))  # the chat template of lessons 06 and 07
end_of_turn = tokenizer.convert_tokens_to_ids("<|im_end|>")

# Lesson 06 saved its SFT adapter here; it fits only the base model of this same profile.
sft_adapter = output_root() / "lesson06" / "adapter"
adapter_base = None
if (sft_adapter / "adapter_config.json").exists():
    adapter_base = json.loads((sft_adapter / "adapter_config.json").read_text()).get("base_model_name_or_path")
start_from_sft = adapter_base == run.model_id("base")
if start_from_sft:
    base = AutoModelForCausalLM.from_pretrained(run.model_id("base"), dtype=torch.float32)
    start_model = PeftModel.from_pretrained(base, sft_adapter).merge_and_unload()  # lesson 06's model, one network
    START = f"{model_label(S['models']['base'], run.profile).split('/')[-1]} + SFT (lesson 06)"
else:
    start_model = AutoModelForCausalLM.from_pretrained(run.model_id("chat"), dtype=torch.float32)
    START = f"{model_label(S['models']['chat'], run.profile).split('/')[-1]}"
    if adapter_base is not None:
        print(f"lesson 06's adapter was trained on {adapter_base}, not on this profile's base model: not used")
start_model = start_model.to(run.device).eval()
print(f"the policy starts from: {START} ({start_model.num_parameters():,} parameters)")
'''),
    md('''
## 1. From one good answer to a pair

Supervised fine-tuning maximizes the probability of the answers it is shown. A model can get very good at that and
still, at generation time, write a fluent summary in which the wrong person books the table. Preference tuning asks
for a comparison instead: for a prompt $x$, the chosen answer $y_w$ must become more likely **relative to** the
rejected one $y_l$. DPO does it with the sequence log-probabilities of both answers under two models: the
**policy** $\\pi_\\theta$, which we train, and a frozen **reference** $\\pi_{\\text{ref}}$, the model we start from:

$$\\mathcal{L}_{\\text{DPO}} = -\\log \\sigma\\Big(\\beta \\big[\\underbrace{(\\log \\pi_\\theta(y_w|x) - \\log \\pi_{\\text{ref}}(y_w|x))}_{\\text{chosen log-ratio}} - \\underbrace{(\\log \\pi_\\theta(y_l|x) - \\log \\pi_{\\text{ref}}(y_l|x))}_{\\text{rejected log-ratio}}\\big]\\Big)$$

The loss falls when the chosen answer gains probability against the reference more than the rejected one does.
$\\beta$ times a log-ratio is the answer's **implicit reward**: Rafailov et al. showed that the policy which
maximizes a reward under a KL penalty of strength $\\beta$ towards the reference is exactly the one for which this
is the reward, so the loss trains a reward model and the policy at once. The reference keeps the policy near where
it started: a small $\\beta$ lets it move far, a large one keeps it close (exercise 2 puts numbers on it).
'''),
    md('''
## 2. Preference pairs from DialogSum

Preference data usually comes from people comparing two answers of a model (Anthropic's HH-RLHF, UltraFeedback).
We have no such labels for DialogSum, so we make the pairs ourselves, in a way we can explain and check:

- **chosen**: the human summary;
- **rejected**: the same summary with **one fact made wrong**. If it names a weekday, a month or a number, one of
  those becomes another of the same kind that the dialogue never mentions ("on Thursday" → "on Sunday"). If it has
  none, its speaker tags are swapped (`#Person1#` ↔ `#Person2#`), so the wrong person did what it says. (In
  DialogSum's own test set, 12% of the human summaries hold such a detail and 85% a speaker tag: counted in the
  dataset's repository, `cylnlp/dialogsum`.)

`helpers.preferences.rejected_summary` does it; the lesson's script shares it. A pair is written in the
conversational format TRL reads: the prompt as a list of messages (lesson 06's request), the chosen and the
rejected answer each as one assistant message.
'''),
    code('''
import inspect

print(inspect.getsource(preferences.rejected_summary))
dialogues = run.load_dataset("dialogues")
rng = random.Random(run.seed)
examples = []
for row in dialogues["train"].select(range(6)):
    rejected, kind = preferences.rejected_summary(row["summary"], row["dialogue"], rng)
    examples.append({"chosen (human)": row["summary"], "rejected (made)": rejected, "how": kind})
pd.set_option("display.max_colwidth", 90)
pd.DataFrame(examples)
'''),
    md('''
**Fitting the budget without cutting.** TRL cuts a sequence longer than `max_length` **from the end**: the answer
would lose its last tokens, and the chosen and rejected answers could lose the very tokens where they differ. A
dialogue too long for the budget is therefore left out (not cut: as in lesson 06, a cut dialogue keeps a summary
that may tell of the cut turns). The training pairs come from DialogSum's training split, the held-out pairs
from its validation split.
'''),
    code('''
train_rows = dialogues["train"].shuffle(seed=run.seed).select(range(S["train_size"]))
val_rows = dialogues["validation"].shuffle(seed=run.seed).select(range(S["val_size"]))
train_pairs, train_counts = preferences.preference_pairs(train_rows, tokenizer, S["max_length"], seed=run.seed)
val_pairs, val_counts = preferences.preference_pairs(val_rows, tokenizer, S["max_length"], seed=run.seed + 1)
display(pd.DataFrame({"training rows": train_counts, "held-out rows": val_counts}))

# Check (holds for any weights): every pair fits max_length with its longer answer, so TRL never cuts one, and
# chosen and rejected differ.
for pair in train_pairs + val_pairs:
    assert preferences.fits(tokenizer, pair["prompt"], [pair["chosen"][0]["content"], pair["rejected"][0]["content"]],
                            S["max_length"])
    assert pair["chosen"][0]["content"] != pair["rejected"][0]["content"]
print(f"✅ {len(train_pairs)} training pairs and {len(val_pairs)} held-out pairs, all within {S['max_length']} tokens")
'''),
    md('''
**What these pairs teach, and what they bias.** Chosen and rejected differ in one fact and are otherwise the
same text, so the only thing DPO can learn from a pair is that fact: whether the summary's weekday, number or
speaker agrees with the dialogue. That is a clean signal, and a narrow one.

- The rejected answers are **made by a rule**, not written by the model: DPO learns to avoid *these* mistakes
  (a swapped detail, swapped speakers), not the model's own, which may be other inventions. Pairs drawn from the
  model's own outputs (*on-policy* data) teach about the mistakes it really makes.
- Chosen and rejected have almost the **same length**, so the data gives no reason to prefer longer answers. DPO
  is known to lengthen outputs when the chosen answers of a dataset tend to be longer (Park et al., 2024): we
  measure the length anyway.
- Both answers are **human style**: nothing here teaches the format or the style, which SFT already did.

## 3. The policy, the trainer, and a reference that costs no memory

The policy is the start model with a fresh LoRA adapter. LoRA starts its update at zero ($B = 0$), so at first the
policy *is* the start model. The reference is not a second copy: it is the same network with the adapter switched
off (`with policy.disable_adapter():`). LoRA trains only the adapter, so the frozen weights never change, and with
the adapter off they are exactly the start model, at no extra memory.

TRL's `DPOTrainer` works this way when it is given the start model with a `peft_config` and no `ref_model`: it adds
the adapter itself and computes every reference log-probability with the adapter off. Its settings are a
`DPOConfig`, a `TrainingArguments` with DPO's own fields: `beta`, and `max_length`, the budget the pairs were fitted
to. TRL's default learning rate, 1e-6, is meant for training every weight; LoRA trains few and takes a larger one
(no published rate exists for this model and task: `lr` in the profiles table says how it was chosen).
'''),
    code('''
from datasets import Dataset
from trl import DPOConfig, DPOTrainer

dpo_settings = preferences.dpo_settings(S)  # the lesson's recipe as plain data, shared with the script
print(dpo_settings)
lora = preferences.lora_config(S)  # r, alpha and targets from the profiles table, shared with the script
print({k: getattr(lora, k) for k in ("r", "lora_alpha", "lora_dropout", "target_modules")})
config = DPOConfig(output_dir=str(workdir / "dpo"), seed=run.seed, disable_tqdm=run.profile == "tiny",
                   dataloader_pin_memory=run.device == "cuda", **dpo_settings, **run.precision_args("chat"))
columns = ["prompt", "chosen", "rejected"]
trainer = DPOTrainer(model=start_model, args=config, processing_class=tokenizer, peft_config=lora,
                     train_dataset=Dataset.from_list(train_pairs).select_columns(columns),
                     eval_dataset=Dataset.from_list(val_pairs).select_columns(columns))
policy = trainer.model  # the start model, wrapped with the adapter: one set of frozen weights
counts = count_parameters(policy)
frozen_bytes = sum(p.numel() * p.element_size() for p in policy.parameters() if not p.requires_grad)
adapter_bytes = sum(p.numel() * p.element_size() for p in policy.parameters() if p.requires_grad)
memory = {"frozen weights (policy and reference share them)": frozen_bytes / 2**20,
          "LoRA adapter (the policy alone)": adapter_bytes / 2**20,
          "a separate reference model (not needed)": frozen_bytes / 2**20}
print(f"trainable: {counts['trainable']:,} of {counts['total']:,} parameters ({counts['trainable_percent']:.2f}%)")
pd.Series(memory, name="MB").round(1).to_frame()
'''),
    code('''
# Check (holds for any weights): with a fresh adapter (B = 0) the policy computes what the start model computes,
# with the adapter on or off; the adapter-off outputs are kept to check, after training, that the reference stayed.
probe = tokenizer.apply_chat_template(preferences.chat_request("#Person1#: Hi.\\n#Person2#: Hello."),
                                      add_generation_prompt=True, return_tensors="pt", return_dict=True).to(run.device)
policy.eval()
with torch.no_grad():
    with policy.disable_adapter():
        probe_reference = policy(**probe).logits
    probe_policy = policy(**probe).logits
assert torch.equal(probe_reference, probe_policy), "a fresh adapter must not change the outputs"
assert not any(p.requires_grad for n, p in policy.named_parameters() if "lora_" not in n), "only LoRA trains"
print(f"✅ one network, two models: the reference is the policy with its adapter off "
      f"({memory['a separate reference model (not needed)']:.0f} MB saved)")
'''),
    md('''
## 4. Sequence log-probabilities and the DPO loss, by hand

A pair becomes two token sequences: the prompt followed by the chosen answer, and the prompt followed by the
rejected one, each rendered by the chat template, as TRL does. The answer's tokens are those after the rendered
prompt (with the generation prompt); they include the `<|im_end|>` that ends the turn and the line break the template
writes after it. The sequence log-probability of an answer is the sum, over its tokens, of the log-probability the
model gives each token after everything before it: the logits at position $t$ score the token at $t+1$.
'''),
    code('''
def pair_tokens(pair):
    """(prompt ids, chosen ids, rejected ids), rendered and split as TRL does for conversational pairs."""
    prompt = tokenizer.apply_chat_template(pair["prompt"], add_generation_prompt=True, return_dict=False)
    answers = []
    for answer in (pair["chosen"], pair["rejected"]):
        full = tokenizer.apply_chat_template(pair["prompt"] + answer, return_dict=False)
        assert full[:len(prompt)] == prompt, "the rendered prompt must be the start of the rendered pair"
        answers.append(full[len(prompt):])
    return prompt, answers[0], answers[1]


def collate_pairs(pairs):
    """A right-padded batch: the chosen sequences first, then the rejected ones, and a mask of the answer tokens."""
    rows, masks = [], []
    for which in (1, 2):
        for pair in pairs:
            tokens = pair_tokens(pair)
            rows.append(tokens[0] + tokens[which])
            masks.append([0] * len(tokens[0]) + [1] * len(tokens[which]))
    width = max(len(r) for r in rows)
    return {"input_ids": torch.tensor([r + [tokenizer.pad_token_id] * (width - len(r)) for r in rows]),
            "attention_mask": torch.tensor([[1] * len(r) + [0] * (width - len(r)) for r in rows]),
            "answer_mask": torch.tensor([m + [0] * (width - len(m)) for m in masks])}


def sequence_logps(model, batch):
    """The sum of log p(token | the tokens before it) over each row's answer tokens."""
    logits = model(input_ids=batch["input_ids"].to(run.device),
                   attention_mask=batch["attention_mask"].to(run.device)).logits.float().cpu()
    log_probs = logits[:, :-1].log_softmax(-1)  # position t predicts the token at t + 1
    targets = batch["input_ids"][:, 1:]
    token_logps = log_probs.gather(-1, targets.unsqueeze(-1)).squeeze(-1)
    return (token_logps * batch["answer_mask"][:, 1:]).sum(-1)


def dpo_loss(policy_chosen, policy_rejected, reference_chosen, reference_rejected, beta):
    """Per pair: the DPO loss, and the implicit rewards of the chosen and the rejected answer."""
    chosen_reward = beta * (policy_chosen - reference_chosen)
    rejected_reward = beta * (policy_rejected - reference_rejected)
    return -F.logsigmoid(chosen_reward - rejected_reward), chosen_reward, rejected_reward


def dpo_by_hand(model, pairs, beta):
    """(mean DPO loss, chosen rewards, rejected rewards) of `pairs`; the reference is `model` with its adapter off."""
    batch = collate_pairs(pairs)
    with torch.no_grad():
        policy_chosen, policy_rejected = sequence_logps(model, batch).chunk(2)
        with model.disable_adapter():
            reference_chosen, reference_rejected = sequence_logps(model, batch).chunk(2)
    losses, chosen, rejected = dpo_loss(policy_chosen, policy_rejected, reference_chosen, reference_rejected, beta)
    return losses.mean(), chosen, rejected


check_pairs = val_pairs[:S["batch_size"]]
loss_at_start, _, _ = dpo_by_hand(policy, check_pairs, S["beta"])
print(f"DPO loss of {len(check_pairs)} held-out pairs before training: {loss_at_start:.6f} (log 2 = {np.log(2):.6f})")
# Check (holds for any weights): before training the policy is the reference, every log-ratio is 0, and the loss
# of every pair is -log sigmoid(0) = log 2.
assert abs(loss_at_start.item() - np.log(2)) < 1e-6
print("✅ at the start every pair costs log 2: the policy has not moved from the reference yet")
'''),
    md('''
TRL tokenized the pairs when the trainer was built. Before training, its tokens and its loss must be ours:
'''),
    code('''
def trl_loss(n):
    """TRL's DPO loss of the first n held-out pairs: its own tokens, collator and compute_loss, no training."""
    rows = [trainer.eval_dataset[i] for i in range(n)]
    batch = trainer.data_collator([{k: row[k] for k in ("prompt_ids", "chosen_ids", "rejected_ids")} for row in rows])
    trainer.model.eval()
    with torch.no_grad():
        return trainer.compute_loss(trainer.model, {k: v.to(run.device) for k, v in batch.items()}).item()


# Check (holds for any weights): TRL tokenized each held-out pair into the same tokens as pair_tokens, and its
# loss before training is ours, log 2.
for row, pair in zip(trainer.eval_dataset, val_pairs):
    assert (row["prompt_ids"], row["chosen_ids"], row["rejected_ids"]) == pair_tokens(pair)
assert abs(trl_loss(len(check_pairs)) - loss_at_start.item()) < 1e-6
print(f"✅ TRL's tokens are ours for all {len(val_pairs)} held-out pairs, and so is its loss before training")
'''),
    md('''
## 5. Training

One more thing before training: each held-out pair's margin, the sequence log-probability of the chosen answer
minus that of the rejected one, under the start model. Section 6 compares it with the trained policy's.
'''),
    code('''
def held_out_margins(model):
    """log p(chosen) - log p(rejected) of each held-out pair under `model`: above 0, it prefers the chosen one."""
    margins = []
    for start in range(0, len(val_pairs), S["batch_size"]):
        batch = collate_pairs(val_pairs[start:start + S["batch_size"]])
        with torch.no_grad():
            chosen, rejected = sequence_logps(model, batch).chunk(2)
        margins += (chosen - rejected).tolist()
    return np.array(margins)


policy.eval()
margins_before = held_out_margins(policy)  # the policy is still the start model
run.estimate("dpo")
with measure(run.device) as dpo_cost:
    trainer.train()
policy.eval()
margins_after = held_out_margins(policy)
print(f"{trainer.state.global_step} steps of {S['batch_size']} pairs in {dpo_cost.seconds:.1f} s; "
      f"{dpo_cost.memory_kind}: {dpo_cost.peak_mib:.0f} MB")
'''),
    md('''
TRL logged, at every logging step, the mean implicit rewards of the chosen and the rejected answers of the
batches, the **reward accuracy** (the share of pairs whose chosen answer got the larger reward) and the **margin**
(chosen reward minus rejected reward). All start at 0: at step 0 the policy is the reference.
'''),
    code('''
logged = [h for h in trainer.state.log_history if "rewards/chosen" in h and "eval_loss" not in h]
steps = [h["step"] for h in logged]
fig, (left, right) = plt.subplots(1, 2, figsize=(11, 3.4))
left.plot(steps, [h["rewards/chosen"] for h in logged], marker="o", label="chosen")
left.plot(steps, [h["rewards/rejected"] for h in logged], marker="o", label="rejected")
left.plot(steps, [h["rewards/margins"] for h in logged], marker="o", label="margin (chosen - rejected)")
left.axhline(0, color="grey", linewidth=0.8)
left.set(xlabel="step", ylabel="implicit reward (β × log-ratio)", title="Implicit rewards of the training batches")
left.legend()
right.plot(steps, [h["rewards/accuracies"] for h in logged], marker="o", color="tab:green")
right.set(xlabel="step", ylabel="share of pairs", ylim=(-0.05, 1.05), title="Reward accuracy of the training batches")
plt.tight_layout()
plt.show()
'''),
    md('''
**What to notice.** With the real model, the margin grows and the reward accuracy climbs towards 1 within the
first few dozen steps: telling a swapped fact from the right one, with the dialogue in view, is easy once asked.
Watch the two rewards separately too: often **both** fall, the rejected faster. DPO only asks for the gap, and
pushing a sequence down also pushes down others that share its tokens, here the chosen answer, which is the
rejected one but for a word. (In `tiny` the curves are noisy; the code path is the same.)

Now the claim of section 4, after training, when the log-ratios are no longer 0: our loss, computed by hand on the
held-out check batch, equals TRL's on the same pairs.
'''),
    code('''
hand_loss, hand_chosen, hand_rejected = dpo_by_hand(policy, check_pairs, S["beta"])
library_loss = trl_loss(len(check_pairs))
print(f"DPO loss on {len(check_pairs)} held-out pairs after training: by hand {hand_loss:.6f}, TRL {library_loss:.6f}")
print(f"implicit rewards: chosen {hand_chosen.mean():+.4f}, rejected {hand_rejected.mean():+.4f}")
# Check (holds for any weights): the hand-written loss is TRL's, to float precision, once the policy has moved.
assert abs(hand_loss.item() - np.log(2)) > 1e-4, "training should have moved the policy away from the reference"
assert abs(hand_loss.item() - library_loss) < 1e-4 * max(1.0, abs(library_loss)), "the two losses differ"
# Check (holds for any weights): the frozen weights did not move, so the adapter-off model is still the start.
with torch.no_grad(), policy.disable_adapter():
    assert torch.allclose(policy(**probe).logits, probe_reference, atol=1e-5), "the reference changed"
print("✅ hand loss = TRL's loss, and the reference is still the start model")
'''),
    md('''
## 6. What DPO changed

**Held-out pairs.** The first question is whether the policy now prefers the right fact on pairs it never trained
on: for each held-out pair, the sequence log-probability of the chosen answer minus that of the rejected one,
before and after training.
'''),
    code('''
preference = {"before (the start model)": margins_before, "after DPO": margins_after}
table = {name: {"prefers the chosen answer": float((m > 0).mean()), "mean log-probability margin": float(m.mean())}
         for name, m in preference.items()}
fig, ax = plt.subplots(figsize=(7, 3))
ax.hist([margins_before, margins_after], bins=20, label=list(preference))
ax.axvline(0, color="grey", linewidth=0.8)
ax.set(xlabel="log p(chosen) - log p(rejected), held-out pairs", ylabel="pairs")
ax.legend()
plt.show()
gain = table["after DPO"]["mean log-probability margin"] - table["before (the start model)"]["mean log-probability margin"]
with needs_pretrained_weights(
        "DPO raises the held-out preference for the chosen answer",
        basis="the DPO loss raises exactly this margin (against the reference) on the training pairs, and the "
              "held-out pairs are made by the same rule from other dialogues, so the gain carries over unless "
              "training failed; the check compares the mean margin over all held-out pairs, paired before and "
              "after, and asks only for a rise"):
    assert gain > 0, (f"the mean held-out margin moved by {gain:+.3f}: check that the training margins above grew; "
                      "then train longer (train_steps) or with a larger lr in the profiles table")
    print(f"✅ the held-out margin rose by {gain:+.2f} nats")
record(run, "held-out preference pairs", table).round(3)
'''),
    md('''
**Summaries.** Preference tuning is meant to improve what the model *writes*, so we generate: the start model and
the DPO model, greedy, on the test dialogues of lessons 05 and 06, stopping at `<|im_end|>`. One model in memory
serves both: the start model is the policy with its adapter off.
'''),
    code('''
from helpers.dialogsum import distinct_dialogues
from helpers.generation import generate_batched
from helpers.metrics import detail_check, rouge
from helpers.prompts import cut_dialogue

eval_set = distinct_dialogues(dialogues["test"], S["eval_size"])
references = [row["references"] for row in eval_set]


def generation_prompt(dialogue):
    """The chat request, its dialogue cut (as in lesson 06) so that the prompt and the answer fit max_length."""
    def count(texts):
        return [len(p) + S["max_new_tokens"] for p in tokenizer.apply_chat_template(
            [preferences.chat_request(t) for t in texts], add_generation_prompt=True, return_dict=False)]

    text, _ = cut_dialogue(dialogue, count, S["max_length"])
    return tokenizer.apply_chat_template(preferences.chat_request(text), tokenize=False, add_generation_prompt=True)


tokenizer.padding_side = "left"  # decoders generate in left-padded batches (lesson 06)
eval_prompts = [generation_prompt(row["dialogue"]) for row in eval_set]
GENERATION = dict(max_new_tokens=S["max_new_tokens"], do_sample=False, eos_token_id=end_of_turn,
                  pad_token_id=tokenizer.pad_token_id)


def summaries_of(model):
    return generate_batched(model, tokenizer, eval_prompts, batch_size=S["generation_batch_size"],
                            max_input_tokens=S["max_length"], return_endings=True, **GENERATION)


run.estimate("evaluate")
DPO = f"{START} + DPO"
with policy.disable_adapter():
    start_texts, start_endings = summaries_of(policy)
dpo_texts, dpo_endings = summaries_of(policy)
outputs = {START: start_texts, DPO: dpo_texts}
endings = {START: start_endings, DPO: dpo_endings}
scores = {name: rouge(texts, references) for name, texts in outputs.items()}
dialogue_texts = [row["dialogue"] for row in eval_set]
summary_rows = {name: {"rouge1": scores[name]["rouge1"], "rougeL": scores[name]["rougeL"],
                       **detail_check(texts, dialogue_texts),
                       "stopped at <|im_end|>": float(np.mean([e["stopped"] for e in endings[name]])),
                       "mean tokens written": float(np.mean([e["new_tokens"] for e in endings[name]]))}
                for name, texts in outputs.items()}
human = [texts[0] for texts in references]
summary_rows["human (first reference)"] = {
    **detail_check(human, dialogue_texts),
    "mean tokens written": float(np.mean([len(tokenizer(t, add_special_tokens=False)["input_ids"]) for t in human]))}
record(run, "summaries before and after DPO", summary_rows).round(3)
'''),
    code('''
from helpers.results import recorded

lesson06 = recorded("06", "ROUGE: chat model and FLAN-T5 on the same test dialogues", run.profile)
side_by_side = {name: {k: scores[name][k] for k in ("rouge1", "rouge2", "rougeL")} for name in outputs}
if lesson06 and not start_from_sft:
    side_by_side.update({f"{name} (lesson 06)": {k: row[k] for k in ("rouge1", "rouge2", "rougeL")}
                         for name, row in lesson06.items() if "SFT" in name and "bug" not in name})
pd.DataFrame.from_dict(side_by_side, orient="index").round(3)
'''),
    code('''
for i in range(3):
    print(f"--- {eval_set[i]['id']}\\n{dialogue_texts[i][:300]}{'...' if len(dialogue_texts[i]) > 300 else ''}")
    print(f"{'human':>24}: {references[i][0]}")
    for name, texts in outputs.items():
        print(f"{name[-24:]:>24}: {texts[i][:200]}")
'''),
    md('''
**What to notice.** Read the table with the pairs in mind. DPO was shown one kind of mistake, a swapped weekday,
number or speaker, so the place to look for its effect is the fact check (summaries with a detail the dialogue
never mentions) and the held-out pairs above, more than ROUGE, which counts shared words and barely moves when one
word changes. ROUGE can also drop a little: DPO pulls the policy away from the start model, and nothing in these
pairs rewards the wording of the references. The length column is the other thing to watch: many DPO runs lengthen
outputs; with chosen and rejected answers of equal length, these pairs give no reason to, so a large change there
would point to something else (a learning rate too high, say).

**What DPO can and cannot fix.** It can move probability between answers the model could already write: here,
from a wrong fact to the right one. It cannot teach knowledge the model lacks, and it learns only the preferences
its pairs express: rejected answers made by a rule teach that rule's mistakes. It is also as good as its pairs:
a biased or noisy preference (longer is better, confident is better) is learned just as well. And without the
reference term nothing would keep the policy from drifting far from what it was; $\\beta$ sets that leash.

## 7. Exercises

**Exercise 1 (the loss of one pair).** A pair's four sequence log-probabilities, in nats, are below. What is its
DPO loss with `beta = 0.1`? Store it (a float) in `pair_loss`.
'''),
    code('''
four = {"policy, chosen": -12.0, "policy, rejected": -15.5, "reference, chosen": -13.0, "reference, rejected": -14.0}
pair_loss = ...
'''),
    code('''
expected_pair_loss = dpo_loss(*(torch.tensor(four[k]) for k in four), beta=0.1)[0].item()
check("1 (the loss of one pair)", pair_loss, lambda a: abs(float(a) - expected_pair_loss) < 1e-4,
      hint="each answer's log-ratio is its policy log-probability minus its reference one; the loss is minus the log "
           "of the logistic sigmoid of beta times (the chosen log-ratio minus the rejected one).",
      success=f"{expected_pair_loss:.4f}: below log 2 = 0.6931, since the chosen answer gained (+1 nat) while the "
              "rejected one lost (-1.5 nats).")
'''),
    solution('''
chosen_ratio = four["policy, chosen"] - four["reference, chosen"]
rejected_ratio = four["policy, rejected"] - four["reference, rejected"]
pair_loss = float(-F.logsigmoid(torch.tensor(0.1 * (chosen_ratio - rejected_ratio))))
check_solution("1 (the loss of one pair)", pair_loss, lambda a: abs(float(a) - expected_pair_loss) < 1e-4)
'''),
    md('''
**Exercise 2 (what β does).** How far must the policy move for a pair's loss to fall to 0.1? Let the margin $m$ be
the chosen log-ratio minus the rejected one, in nats. Find the $m$ for which $-\\log\\sigma(\\beta m) = 0.1$, with
$\\beta = 0.1$, and store it in `needed_margin`. The check also shows it for $\\beta = 0.5$.
'''),
    code('''
needed_margin = ...
'''),
    code('''
def margin_for(beta, loss=0.1):
    margins = torch.linspace(0, 200, 2_000_001, dtype=torch.float64)
    return float(margins[(-F.logsigmoid(beta * margins) <= loss).nonzero()[0]])


check("2 (what beta does)", needed_margin, lambda a: abs(float(a) - margin_for(0.1)) < 1e-2,
      hint="undo the loss one step at a time: from the loss to the sigmoid's value, from that value to its argument "
           "(the inverse of the sigmoid is the log-odds), and from the argument to the margin.",
      success=f"{margin_for(0.1):.2f} nats at beta = 0.1, {margin_for(0.5):.2f} at beta = 0.5. With a large beta "
              "the loss is satisfied by a small move away from the reference, so the policy stays close; a small "
              "beta keeps asking for more.")
'''),
    solution('''
target = np.exp(-0.1)  # sigmoid(beta * m) must reach exp(-loss)
needed_margin = float(np.log(target / (1 - target)) / 0.1)
check_solution("2 (what beta does)", needed_margin, lambda a: abs(float(a) - margin_for(0.1)) < 1e-2)
'''),
    md('''
**Exercise 3 (find the bug).** A colleague's version of `sequence_logps` is below. It runs, it returns one number
per row, and DPO trained with it even lowers its loss, yet its numbers are not the log-probabilities of the answers.
Find the mistake (section 4 says what the logits at a position predict) and write `fixed_sequence_logps(model,
batch)`, which takes the same arguments and returns the same numbers as the lesson's `sequence_logps`.
'''),
    code('''
def buggy_sequence_logps(model, batch):
    """The sum of log p(token) over each row's answer tokens."""
    logits = model(input_ids=batch["input_ids"].to(run.device),
                   attention_mask=batch["attention_mask"].to(run.device)).logits.float().cpu()
    token_logps = logits.log_softmax(-1).gather(-1, batch["input_ids"].unsqueeze(-1)).squeeze(-1)
    return (token_logps * batch["answer_mask"]).sum(-1)


fixed_sequence_logps = ...  # a function like buggy_sequence_logps, fixed
'''),
    code('''
bug_batch = collate_pairs(val_pairs[:2])


def same_logps(function):
    with torch.no_grad():
        expected, got = sequence_logps(policy, bug_batch), function(policy, bug_batch)
    assert got.shape == expected.shape, f"one number per row: shape {tuple(expected.shape)}"
    assert torch.allclose(got, expected, atol=1e-4), "the numbers differ from the answers' log-probabilities"
    return True


try:
    same_logps(buggy_sequence_logps)
    raise RuntimeError("the buggy function passes the check: this exercise has lost its bug")
except AssertionError:
    pass
check("3 (find the bug)", fixed_sequence_logps, same_logps,
      hint="a causal model's output at a position is its guess for the next token, not for the token it has just "
           "read: line the logits and the tokens up accordingly, and the mask with the tokens.",
      success="Each token is scored by the logits one position before it. Without the shift the model 'predicts' "
              "a token it can already see, and the sums measure nothing about the answers.")
'''),
    solution('''
def fixed_sequence_logps(model, batch):
    logits = model(input_ids=batch["input_ids"].to(run.device),
                   attention_mask=batch["attention_mask"].to(run.device)).logits.float().cpu()
    token_logps = logits[:, :-1].log_softmax(-1).gather(-1, batch["input_ids"][:, 1:].unsqueeze(-1)).squeeze(-1)
    return (token_logps * batch["answer_mask"][:, 1:]).sum(-1)


check_solution("3 (find the bug)", fixed_sequence_logps, same_logps)
'''),
    md('''
## Summary

- Preference tuning trains on pairs: a chosen and a rejected answer to the same prompt. It can push a mistake
  down, which supervised fine-tuning never does.
- DPO's loss is $-\\log\\sigma(\\beta[\\text{chosen log-ratio} - \\text{rejected log-ratio}])$, the log-ratios
  taken against a frozen reference; $\\beta$ times a log-ratio is the implicit reward. You wrote it by hand and it
  equals TRL's `DPOTrainer` on the same batch.
- With LoRA the reference is free: the same network with the adapter off, exactly the start model.
- Pairs made by a rule (one fact swapped) teach that rule's mistake and nothing else; say how your pairs were made,
  and what that biases.
- Judge the result on held-out pairs, on what the model writes (the fact check, ROUGE) and on its length, which
  DPO is known to change.

**What's next:** the [README](../README.md)'s "Scaling up" section: `scripts/train_preferences.py` runs this
lesson's DPO under `accelerate launch`, like the scripts of lessons 04 and 05. Beyond it: on-policy pairs (sample
the model, have people or a stronger model judge), other preference losses in TRL (IPO, KTO, ORPO) and online
methods (PPO, GRPO).

**Further reading**
- Rafailov et al. (2023), "Direct Preference Optimization: Your Language Model is Secretly a Reward Model":
  https://arxiv.org/abs/2305.18290
- Ouyang et al. (2022), "Training language models to follow instructions with human feedback":
  https://arxiv.org/abs/2203.02155
- TRL documentation, "DPO Trainer": https://huggingface.co/docs/trl/dpo_trainer
- Tunstall et al. (2023), "Zephyr: Direct Distillation of LM Alignment": https://arxiv.org/abs/2310.16944
- Park et al. (2024), "Disentangling Length from Quality in Direct Preference Optimization":
  https://arxiv.org/abs/2403.19159
- Hugging Face smol-course, "Preference alignment": https://github.com/huggingface/smol-course
'''),
]

write_notebook("notebooks/07_preference_tuning_with_dpo.ipynb", "07", cells)
print("written")
