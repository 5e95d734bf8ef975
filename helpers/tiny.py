"""Tiny models and synthetic datasets for the offline `tiny` profile.

Everything here is built locally, deterministically, in well under a minute on two CPU cores, and is
saved in the exact formats the Hugging Face Hub serves: model folders that `Auto*.from_pretrained`
loads, and dataset folders that `datasets.load_dataset` loads. The notebooks therefore run the same
code in every profile; only the ids they load differ. Where the files go, and how a build is checked,
is helpers.cache.

    python -m helpers build-tiny      # build (or verify) the fixtures and print where they are
"""

import contextlib
import json
import os
import random
import re
import shutil
import time
from collections import Counter
from pathlib import Path

import torch
from datasets import ClassLabel, Dataset, DatasetDict, Features, Value
from datasets.utils.logging import disable_progress_bar as datasets_bars_off
from datasets.utils.logging import enable_progress_bar as datasets_bars_on
from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, trainers
from transformers import (BertConfig, BertForMaskedLM, BertTokenizer, DataCollatorForLanguageModeling,
                          DistilBertConfig, DistilBertForMaskedLM, DistilBertTokenizer, GenerationConfig, GPT2Config,
                          GPT2LMHeadModel, GPT2Tokenizer, LlamaConfig, LlamaForCausalLM, T5Config,
                          T5ForConditionalGeneration, T5Tokenizer)
from transformers.utils import logging as transformers_logging

from . import cache, synthetic
from .batching import IGNORE_INDEX
from .config import CACHE_ENV, TINY_MODEL_NAMES
from .prompts import TEMPLATES

SEED = 1234
VOCAB_SIZE = 1000
T5_EXTRA_IDS = 100
MAX_POSITIONS = 512
BUILD_THREADS = 2  # a fixed thread count keeps the arithmetic, and so the weights, identical between builds

# Pretraining budget of each tiny model: optimizer steps, batch size and learning rate.
PRETRAIN_STEPS = {"bert": 220, "distilbert": 100, "distilbert-ratings": 300, "gpt2": 150, "flan-t5": 300,
                  "llama": 100, "llama-instruct": 60}
PRETRAIN_BATCH = {"mlm": 32, "causal": 32, "t5": 16, "ratings": 32, "chat": 16}
PRETRAIN_LR = 3e-3
RATINGS_LR = 2e-3
WEIGHT_DECAY = 0.01
MLM_PROBABILITY = 0.15
# Lengths in tokens (words for the span corruption) of the pretraining examples: short, so that a build is fast.
MLM_MAX_TOKENS = 48
RATINGS_MAX_TOKENS = 64
CAUSAL_MAX_TOKENS = 63  # plus the end-of-text token
T5_SOURCE_TOKENS, T5_TARGET_TOKENS = 160, 32
T5_SPAN_WORDS, T5_MAX_SPAN = 60, 3

# Instructions the tiny FLAN-T5 is "instruction tuned" on: the course's own templates (helpers.prompts) and one
# more. Like the real model, it then gives short, generic summaries zero-shot, which fine-tuning can improve on.
T5_INSTRUCTIONS = [*TEMPLATES.values(), "{dialogue}\n\nBriefly summarize that dialogue."]
T5_GENERIC_SUMMARY = "#Person1# and #Person2# talk about {topic}."

# The tiny chat models: a Llama like SmolLM2, with the same three special tokens at ids 0-2 and a chat template of
# the same ChatML shape (a default system turn when none is given). The base model knows plain text only; the
# instruct model is the base after a short stage on chat-formatted requests answered with generic summaries.
CHAT_SPECIAL_TOKENS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
CHAT_SYSTEM = "You are a helpful assistant."
CHAT_TEMPLATE = (
    "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}"
    "{{ '<|im_start|>system\n" + CHAT_SYSTEM + "<|im_end|>\n' }}{% endif %}"
    "{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}")
CHAT_MAX_TOKENS = 160


# ---------------------------------------------------------------- building, once, safely


def ensure_built(verbose=True, check_hashes=False):
    """The tiny fixtures' folder, built if it is missing or incomplete.

    `check_hashes=True` (what `python -m helpers build-tiny` does) also re-reads every file against its recorded
    SHA-256 and rebuilds on a mismatch. Two processes that need a build at the same time build it once.
    """
    final = cache.tiny_dir()
    say = print if verbose else (lambda *a, **k: None)
    if not cache.problems(final, hashes=check_hashes):
        return final
    cache.ensure_writable(final.parent, CACHE_ENV, cache.TINY_SPACE_MB)
    with _build_lock(final):
        found = cache.problems(final, hashes=check_hashes) if final.exists() else []
        if final.exists() and not found:
            return final  # another process built it while we waited
        if found:
            say(f"The tiny fixtures in {final} are damaged ({found[0]}"
                f"{f' and {len(found) - 1} more' if len(found) > 1 else ''}): building them again.")
            cache.move_aside(final)
        return build(verbose=verbose)


@contextlib.contextmanager
def _build_lock(final):
    """An exclusive lock next to the folder, so that concurrent builds wait for each other (POSIX only)."""
    try:
        import fcntl
    except ImportError:  # Windows: no lock; the atomic rename below still keeps the folder whole
        yield
        return
    with open(final.with_name(final.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def build(verbose=True, folder=None, steps_scale=1.0):
    """Build everything into a temporary folder next to the final one, then move it into place in one step.

    `folder` and `steps_scale` exist for the tests (a fast, smaller build elsewhere); the course uses the defaults.
    """
    start = time.perf_counter()
    final = Path(folder) if folder else cache.tiny_dir()
    cache.ensure_writable(final.parent, CACHE_ENV, cache.TINY_SPACE_MB)
    cache.remove_stale_builds(final)
    work = final.with_name(f"{final.name}{cache.BUILDING}{os.getpid()}")
    shutil.rmtree(work, ignore_errors=True)
    say = print if verbose else (lambda *a, **k: None)
    say(f"Building the tiny course fixtures (version {cache.TINY_VERSION}) in {final} ...")
    threads = torch.get_num_threads()
    torch.set_num_threads(BUILD_THREADS)
    transformers_logging.disable_progress_bar()  # one "Writing model shards" bar per model is noise here
    try:
        texts = _build_datasets(work / "data")
        _build_models(work / "models", texts, say, steps_scale)
        cache.write_manifest(work, version=cache.TINY_VERSION, seed=SEED,
                             seconds=round(time.perf_counter() - start, 1))
        _move_into_place(work, final)
    except OSError as error:
        shutil.rmtree(work, ignore_errors=True)
        raise cache.writable_folder_error(final.parent, CACHE_ENV, cache.TINY_SPACE_MB, error) from error
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    finally:
        torch.set_num_threads(threads)
        transformers_logging.enable_progress_bar()
    say(f"Tiny fixtures ready in {time.perf_counter() - start:.1f} s.")
    return final


def _move_into_place(work, final):
    if final.exists():
        if cache.is_built(final):  # another process finished first: keep theirs
            shutil.rmtree(work, ignore_errors=True)
            return
        cache.move_aside(final)
    os.replace(work, final)


# ---------------------------------------------------------------- datasets


def imdb_features():
    return Features({"text": Value("string"), "label": ClassLabel(names=["neg", "pos"])})


def dialogsum_features():
    return Features({name: Value("string") for name in ("id", "dialogue", "summary", "topic")})


def tiny_datasets():
    """The synthetic IMDB and DialogSum as DatasetDicts (in memory)."""
    reviews = synthetic.make_reviews(SEED)
    dialogues = synthetic.make_dialogues(SEED)
    return {
        "imdb": DatasetDict({s: Dataset.from_dict(rows, features=imdb_features()) for s, rows in reviews.items()}),
        "dialogsum": DatasetDict({s: Dataset.from_dict(rows, features=dialogsum_features())
                                  for s, rows in dialogues.items()}),
    }


def _write_hub_layout(dataset_dict, folder, pretty_name):
    """Parquet files plus a README whose YAML header declares the splits, as datasets on the Hub do."""
    (folder / "data").mkdir(parents=True)
    configs = []
    for split, ds in dataset_dict.items():
        ds.to_parquet(str(folder / "data" / f"{split}-00000-of-00001.parquet"))
        configs.append(f"  - split: {split}\n    path: data/{split}-*")
    header = "---\nconfigs:\n- config_name: default\n  data_files:\n" + "\n".join(configs) + "\n---\n"
    (folder / "README.md").write_text(header + f"# {pretty_name} (synthetic)\n\nBuilt by helpers.tiny for the "
                                      "offline `tiny` profile. Not real data: scores on it mean nothing.\n")


def _build_datasets(data_dir):
    datasets_bars_off()
    try:
        datasets = tiny_datasets()
        _write_hub_layout(datasets["imdb"], data_dir / "imdb", "Tiny IMDB")
        _write_hub_layout(datasets["dialogsum"], data_dir / "dialogsum", "Tiny DialogSum")
    finally:
        datasets_bars_on()
    general = synthetic.make_general_text(SEED)
    (data_dir / "general.txt").write_text("\n".join(general) + "\n")
    reviews = [t.replace("<br /><br />", " ") for t in datasets["imdb"]["train"]["text"]]
    all_reviews = list(datasets["imdb"]["train"]["text"]) + list(datasets["imdb"]["unsupervised"]["text"])
    return {"reviews": reviews, "all_reviews": all_reviews, "general": general,
            "dialogues": datasets["dialogsum"]["train"]}


# ---------------------------------------------------------------- tokenizers


def _wordpiece_vocab(corpus, size):
    """A WordPiece vocabulary chosen by frequency: special tokens, characters, frequent word-initial and
    '##' word-final pieces, then the most frequent whole words.

    The `tokenizers` WordPiece trainer breaks ties between equally frequent merges in hash-map order, so
    two runs give different vocabularies; counting and sorting by (-count, text) gives the same one every
    time. Tokenizing stays real WordPiece: greedy longest match first, unknown words split into pieces.
    """
    normalize, split = normalizers.BertNormalizer(lowercase=True), pre_tokenizers.BertPreTokenizer()
    words = Counter(w for text in corpus for w, _ in split.pre_tokenize_str(normalize.normalize_str(text)))
    chars = sorted({c for w in words for c in w})
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + chars + ["##" + c for c in chars]
    pieces = Counter()
    for word, count in words.items():
        for k in range(2, min(len(word), 6)):
            pieces[word[:k]] += count
            pieces["##" + word[-k:]] += count
    n_pieces = (size - len(vocab)) // 4

    def ranked(counter):
        return [t for t, _ in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))]

    vocab += [p for p in ranked(pieces) if p not in vocab][:n_pieces]
    vocab += [w for w in ranked(words) if w not in vocab][:size - len(vocab)]
    return {token: i for i, token in enumerate(vocab)}


def _train_wordpiece(corpus):
    return BertTokenizer(vocab=_wordpiece_vocab(corpus, VOCAB_SIZE), model_max_length=MAX_POSITIONS)


def _train_byte_bpe(corpus):
    raw = Tokenizer(models.BPE())
    raw.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    raw.train_from_iterator(corpus, trainers.BpeTrainer(
        vocab_size=VOCAB_SIZE, special_tokens=["<|endoftext|>"], show_progress=False,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    model = json.loads(raw.to_str())["model"]
    merges = [tuple(m.split(" ")) if isinstance(m, str) else tuple(m) for m in model["merges"]]
    return GPT2Tokenizer(vocab=model["vocab"], merges=merges, model_max_length=MAX_POSITIONS)


def _train_chat_bpe(corpus):
    """Byte-level BPE with ChatML's special tokens at ids 0-2; (base tokenizer, instruct tokenizer)."""
    raw = Tokenizer(models.BPE())
    raw.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    raw.train_from_iterator(corpus, trainers.BpeTrainer(
        vocab_size=VOCAB_SIZE, special_tokens=CHAT_SPECIAL_TOKENS, show_progress=False,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    model = json.loads(raw.to_str())["model"]
    merges = [tuple(m.split(" ")) if isinstance(m, str) else tuple(m) for m in model["merges"]]
    shared = dict(vocab=model["vocab"], merges=merges, model_max_length=MAX_POSITIONS, unk_token="<|endoftext|>",
                  additional_special_tokens=CHAT_SPECIAL_TOKENS[1:])
    base = GPT2Tokenizer(**shared, bos_token="<|endoftext|>", eos_token="<|endoftext|>")
    instruct = GPT2Tokenizer(**shared, bos_token="<|im_start|>", eos_token="<|im_end|>", pad_token="<|im_end|>")
    instruct.chat_template = CHAT_TEMPLATE
    return base, instruct


def _train_unigram(corpus):
    raw = Tokenizer(models.Unigram())
    raw.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    raw.train_from_iterator(corpus, trainers.UnigramTrainer(
        vocab_size=VOCAB_SIZE - T5_EXTRA_IDS, special_tokens=["<pad>", "</s>", "<unk>"], unk_token="<unk>",
        show_progress=False))
    # The trainer's scores wobble in the last digits between runs (summation order); rounding and sorting
    # makes the vocabulary, and so the model built on it, identical every time.
    trained = json.loads(raw.to_str())["model"]["vocab"]
    special, learned = trained[:3], sorted((p, round(score, 2)) for p, score in trained[3:])
    vocab = [tuple(v) for v in special] + sorted(learned, key=lambda ps: (-ps[1], ps[0]))
    vocab += [(f"<extra_id_{i}>", 0.0) for i in range(T5_EXTRA_IDS - 1, -1, -1)]
    return T5Tokenizer(vocab=vocab, extra_ids=T5_EXTRA_IDS, model_max_length=MAX_POSITIONS)


# ---------------------------------------------------------------- pretraining loops


def _batches(encodings, batch_size, steps, seed):
    """`steps` random batches of rows from a list of token-id lists."""
    generator = torch.Generator().manual_seed(seed)
    for _ in range(steps):
        rows = torch.randint(len(encodings), (batch_size,), generator=generator).tolist()
        yield [encodings[i] for i in rows]


def _train(model, batches, make_inputs, lr=PRETRAIN_LR):
    model.train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=WEIGHT_DECAY)
    loss = None
    for batch in batches:
        loss = model(**make_inputs(batch)).loss
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
    model.eval()
    return loss.item()


def _pretrain_mlm(model, tokenizer, texts, steps, seed):
    encodings = [tokenizer(t, truncation=True, max_length=MLM_MAX_TOKENS)["input_ids"] for t in texts]
    collator = DataCollatorForLanguageModeling(tokenizer, mlm_probability=MLM_PROBABILITY, return_tensors="pt")
    torch.manual_seed(seed)
    return _train(model, _batches(encodings, PRETRAIN_BATCH["mlm"], steps, seed),
                  lambda b: collator([{"input_ids": ids} for ids in b]))


def _pretrain_causal(model, tokenizer, texts, steps, seed):
    eos = tokenizer.eos_token_id
    encodings = [tokenizer(t)["input_ids"][:CAUSAL_MAX_TOKENS] + [eos] for t in texts]

    def inputs(batch):
        width = max(len(ids) for ids in batch)
        ids = torch.tensor([ids + [eos] * (width - len(ids)) for ids in batch])
        mask = torch.tensor([[1] * len(ids) + [0] * (width - len(ids)) for ids in batch])
        return {"input_ids": ids, "attention_mask": mask, "labels": ids.masked_fill(mask == 0, IGNORE_INDEX)}

    return _train(model, _batches(encodings, PRETRAIN_BATCH["causal"], steps, seed), inputs)


def _t5_examples(tokenizer, texts, dialogues, seed):
    """Span-corruption denoising on all text, plus generic summaries of dialogues under a few instructions."""
    rng = random.Random(seed)
    examples = []
    for text in texts:
        words = text.split()
        if len(words) < 4:
            continue
        words = words[:T5_SPAN_WORDS]
        start = rng.randrange(len(words) - 1)
        span = rng.randint(1, min(T5_MAX_SPAN, len(words) - start))
        source = " ".join(words[:start] + ["<extra_id_0>"] + words[start + span:])
        target = "<extra_id_0> " + " ".join(words[start:start + span]) + " <extra_id_1>"
        examples.append((source, target))
    for row in dialogues:
        instruction = rng.choice(T5_INSTRUCTIONS)
        examples.append((instruction.format(dialogue=row["dialogue"]),
                         T5_GENERIC_SUMMARY.format(topic=row["topic"])))
    return [(tokenizer(s, truncation=True, max_length=T5_SOURCE_TOKENS)["input_ids"],
             tokenizer(t, truncation=True, max_length=T5_TARGET_TOKENS)["input_ids"]) for s, t in examples]


def _pretrain_t5(model, tokenizer, texts, dialogues, steps, seed):
    pad = tokenizer.pad_token_id
    examples = _t5_examples(tokenizer, texts, dialogues, seed)

    def inputs(batch):
        src_w = max(len(s) for s, _ in batch)
        tgt_w = max(len(t) for _, t in batch)
        ids = torch.tensor([s + [pad] * (src_w - len(s)) for s, _ in batch])
        labels = torch.tensor([t + [IGNORE_INDEX] * (tgt_w - len(t)) for _, t in batch])
        return {"input_ids": ids, "attention_mask": (ids != pad).long(), "labels": labels}

    return _train(model, _batches(examples, PRETRAIN_BATCH["t5"], steps, seed), inputs)


def _chat_examples(tokenizer, dialogues, seed):
    """Chat-formatted requests (an instruction and a dialogue) answered by a generic summary, as token ids."""
    rng = random.Random(seed)
    examples = []
    for row in dialogues:
        messages = [{"role": "user", "content": rng.choice(T5_INSTRUCTIONS).format(dialogue=row["dialogue"])},
                    {"role": "assistant", "content": T5_GENERIC_SUMMARY.format(topic=row["topic"])}]
        ids = tokenizer.apply_chat_template(messages, tokenize=True, return_dict=False)
        examples.append(list(ids)[:CHAT_MAX_TOKENS])
    return examples


def _pretrain_chat(model, tokenizer, dialogues, steps, seed):
    pad = tokenizer.pad_token_id
    examples = _chat_examples(tokenizer, dialogues, seed)

    def inputs(batch):
        width = max(len(ids) for ids in batch)
        ids = torch.tensor([ids + [pad] * (width - len(ids)) for ids in batch])
        mask = torch.tensor([[1] * len(ids) + [0] * (width - len(ids)) for ids in batch])
        return {"input_ids": ids, "attention_mask": mask, "labels": ids.masked_fill(mask == 0, IGNORE_INDEX)}

    return _train(model, _batches(examples, PRETRAIN_BATCH["chat"], steps, seed), inputs)


def _pretrain_review_ratings(model, tokenizer, reviews, steps, seed):
    """MLM plus "predict the rating the review states, from [CLS]" (e.g. "8/10", "a hard pass").

    The real DistilBERT brings general features from pretraining on billions of words: frozen, they already
    separate sentiment well (logistic regression on them reaches about 0.82 on SST-2). A tiny model pretrained by
    MLM on a few hundred reviews does not, and lesson 04's frozen-feature and LoRA methods then have nothing to
    build on. This stage stands in for that: a throwaway linear probe on [CLS] predicts which rating string a
    review contained, with the rating sentence removed from the input. Only train and unsupervised reviews are
    used, never test; the test split's verdicts use other templates. MLM continues in the same steps.
    """
    ratings = sorted({r for pool in synthetic.RATINGS.values() for r in pool})
    rating_group = "(" + "|".join(map(re.escape, ratings)) + ")"
    pattern = re.compile("|".join(re.escape(t).replace(re.escape("{rating}"), rating_group)
                                  for t in synthetic.VERDICT_TEMPLATES["train"]))
    examples = []
    for text in reviews:
        found = pattern.search(text)
        if found:
            rating = next(g for g in found.groups() if g)
            examples.append((text[:found.start()] + text[found.end():], ratings.index(rating)))
    rng = random.Random(seed)
    torch.manual_seed(seed)
    probe = torch.nn.Linear(model.config.dim, len(ratings))
    collator = DataCollatorForLanguageModeling(tokenizer, mlm_probability=MLM_PROBABILITY, return_tensors="pt")
    optimizer = torch.optim.AdamW(list(model.parameters()) + list(probe.parameters()), lr=RATINGS_LR,
                                  weight_decay=WEIGHT_DECAY)
    model.train()
    for _ in range(steps):
        batch = rng.sample(examples, PRETRAIN_BATCH["ratings"])
        texts = [text for text, _ in batch]
        # One forward pass serves both objectives: MLM on the masked review, the rating from its [CLS] vector.
        masked = collator([{"input_ids": ids}
                           for ids in tokenizer(texts, truncation=True, max_length=RATINGS_MAX_TOKENS)["input_ids"]])
        output = model(input_ids=masked["input_ids"], labels=masked["labels"], output_hidden_states=True,
                       attention_mask=(masked["input_ids"] != tokenizer.pad_token_id).long())
        cls = output.hidden_states[-1][:, 0]
        rating_loss = torch.nn.functional.cross_entropy(probe(cls), torch.tensor([r for _, r in batch]))
        (output.loss + rating_loss).backward()
        optimizer.step()
        optimizer.zero_grad()
    model.eval()
    return rating_loss.item()


# ---------------------------------------------------------------- models: one builder per stand-in


def _configs(vocab_sizes):
    return {
        "bert": BertConfig(vocab_size=vocab_sizes["wordpiece"], hidden_size=64, num_hidden_layers=2,
                           num_attention_heads=4, intermediate_size=128, max_position_embeddings=MAX_POSITIONS),
        "distilbert": DistilBertConfig(vocab_size=vocab_sizes["wordpiece"], dim=64, n_layers=2, n_heads=4,
                                       hidden_dim=128, max_position_embeddings=MAX_POSITIONS),
        "gpt2": GPT2Config(vocab_size=vocab_sizes["bpe"], n_embd=64, n_layer=2, n_head=4, n_positions=MAX_POSITIONS,
                           bos_token_id=0, eos_token_id=0),
        "flan-t5": T5Config(vocab_size=vocab_sizes["unigram"], d_model=64, d_kv=16, d_ff=128, num_layers=2,
                            num_decoder_layers=2, num_heads=4, feed_forward_proj="gated-gelu", dropout_rate=0.0,
                            tie_word_embeddings=False, decoder_start_token_id=0, pad_token_id=0, eos_token_id=1),
        "llama": LlamaConfig(vocab_size=vocab_sizes["chat"], hidden_size=64, intermediate_size=128,
                             num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
                             max_position_embeddings=MAX_POSITIONS, tie_word_embeddings=True,
                             bos_token_id=0, eos_token_id=0),
    }


def _bert(config, tokenizers, texts, steps, seed):
    model = BertForMaskedLM(config)
    return model, tokenizers["wordpiece"], _pretrain_mlm(model, tokenizers["wordpiece"], texts["plain"], steps, seed)


def _distilbert(config, tokenizers, texts, steps, seed):
    model = DistilBertForMaskedLM(config)
    tokenizer = DistilBertTokenizer(vocab=tokenizers["wordpiece"].get_vocab(), model_max_length=MAX_POSITIONS)
    loss = _pretrain_mlm(model, tokenizer, texts["plain"], steps, seed)
    _pretrain_review_ratings(model, tokenizer, texts["all_reviews"], texts["steps"]["distilbert-ratings"], seed)
    return model, tokenizer, loss


def _gpt2(config, tokenizers, texts, steps, seed):
    model = GPT2LMHeadModel(config)
    return model, tokenizers["bpe"], _pretrain_causal(model, tokenizers["bpe"], texts["plain"], steps, seed)


def _flan_t5(config, tokenizers, texts, steps, seed):
    model = T5ForConditionalGeneration(config)
    loss = _pretrain_t5(model, tokenizers["unigram"], texts["plain"], texts["dialogues"], steps, seed)
    return model, tokenizers["unigram"], loss


def _llama(config, tokenizers, texts, steps, seed):
    model = LlamaForCausalLM(config)
    base = tokenizers["chat"][0]
    loss = _pretrain_causal(model, base, texts["plain_with_lines"], steps, seed)
    texts["built"]["llama"] = model
    return model, base, loss


def _llama_instruct(config, tokenizers, texts, steps, seed):
    instruct = tokenizers["chat"][1]
    model = LlamaForCausalLM(LlamaConfig(**{**texts["built"]["llama"].config.to_dict(), "bos_token_id": 1,
                                            "eos_token_id": 2, "pad_token_id": 2}))
    model.load_state_dict(texts["built"]["llama"].state_dict())  # starts from the base model's weights
    model.generation_config = GenerationConfig(bos_token_id=1, eos_token_id=2, pad_token_id=2)
    return model, instruct, _pretrain_chat(model, instruct, texts["dialogues"], steps, seed)


# The function that builds and pretrains each tiny stand-in. The order fixes each model's seed (SEED + position).
MODEL_BUILDERS = {"bert": _bert, "distilbert": _distilbert, "gpt2": _gpt2, "flan-t5": _flan_t5, "llama": _llama,
                  "llama-instruct": _llama_instruct}
assert tuple(MODEL_BUILDERS) == TINY_MODEL_NAMES, "helpers.config.MODELS and the tiny builders disagree"


def _build_models(models_dir, texts, say, steps_scale=1.0):
    dialogue_texts = [d.replace("\n", " ") for d in texts["dialogues"]["dialogue"]]
    plain = texts["general"] + texts["reviews"] + dialogue_texts
    plain_with_lines = texts["general"] + texts["reviews"] + list(texts["dialogues"]["dialogue"])
    tokenizers = {"wordpiece": _train_wordpiece(plain), "bpe": _train_byte_bpe(plain),
                  "unigram": _train_unigram(plain + list(texts["dialogues"]["summary"]) + T5_INSTRUCTIONS),
                  "chat": _train_chat_bpe(plain_with_lines + list(texts["dialogues"]["summary"]) + T5_INSTRUCTIONS)}
    configs = _configs({"wordpiece": len(tokenizers["wordpiece"]), "bpe": len(tokenizers["bpe"]),
                        "unigram": len(tokenizers["unigram"]), "chat": len(tokenizers["chat"][0])})
    steps = {name: max(1, round(n * steps_scale)) for name, n in PRETRAIN_STEPS.items()}
    texts = {**texts, "plain": plain, "plain_with_lines": plain_with_lines, "steps": steps, "built": {}}
    for offset, (name, builder) in enumerate(MODEL_BUILDERS.items()):
        started = time.perf_counter()
        torch.manual_seed(SEED + offset)
        model, tokenizer, loss = builder(configs.get(name), tokenizers, texts, steps[name], SEED + offset)
        model.save_pretrained(models_dir / name)  # safetensors
        tokenizer.save_pretrained(models_dir / name)
        say(f"  {name:<10} {model.num_parameters():>9,} parameters, pretrained {steps[name]} steps, "
            f"final loss {loss:.2f} ({time.perf_counter() - started:.1f} s)")
