"""Tiny models and synthetic datasets for the offline `tiny` profile.

Everything here is built locally, deterministically, in well under a minute on two CPU cores, and is
saved in the exact formats the Hugging Face Hub serves: model folders that `Auto*.from_pretrained`
loads, and dataset folders that `datasets.load_dataset` loads. The notebooks therefore run the same
code in every profile; only the ids they load differ.

    python -m helpers build-tiny      # build (or find) the fixtures and print where they are
"""

import hashlib
import json
import os
import shutil
import time
from pathlib import Path

from . import synthetic

# Bump when anything below changes what gets built: a new key means a fresh build in a new folder.
TINY_VERSION = "6"
SEED = 1234
VOCAB_SIZE = 1000
T5_EXTRA_IDS = 100
MAX_POSITIONS = 512
MODEL_NAMES = ("bert", "distilbert", "gpt2", "flan-t5")
PRETRAIN_STEPS = {"bert": 220, "distilbert": 100, "distilbert-ratings": 300, "gpt2": 150, "flan-t5": 300}
DATASET_NAMES = ("imdb", "dialogsum")
# Instructions the tiny FLAN-T5 is "instruction tuned" on: like the real one, it then gives
# short, generic summaries zero-shot, which fine-tuning can improve on.
T5_INSTRUCTIONS = ["Summarize the following conversation.\n\n{dialogue}\n\nSummary:",
                   "Dialogue:\n\n{dialogue}\n\nWhat was going on?",
                   "{dialogue}\n\nBriefly summarize that dialogue."]
T5_GENERIC_SUMMARY = "#Person1# and #Person2# talk about {topic}."


def cache_root():
    """Where course files are cached: $COURSE_CACHE, else $XDG_CACHE_HOME/llm-course, else ~/.cache/llm-course."""
    if os.environ.get("COURSE_CACHE"):
        return Path(os.environ["COURSE_CACHE"]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base).expanduser() / "llm-course"


def tiny_dir():
    return cache_root() / f"tiny-v{TINY_VERSION}"


def model_path(name):
    return tiny_dir() / "models" / name


def dataset_path(name):
    return tiny_dir() / "data" / name


def is_built():
    return (tiny_dir() / "manifest.json").is_file()


def ensure_built(verbose=True):
    """Build the tiny fixtures unless they are already cached. Returns their folder."""
    if not is_built():
        build(verbose=verbose)
    return tiny_dir()


def build(verbose=True, folder=None, steps_scale=1.0):
    """Build everything into a temporary folder, then move it into place in one step.

    `folder` and `steps_scale` exist for the tests (a fast, smaller build elsewhere); the course uses the defaults.
    """
    import torch

    start = time.perf_counter()
    final = Path(folder) if folder else tiny_dir()
    work = final.with_name(f"{final.name}.building-{os.getpid()}")
    shutil.rmtree(work, ignore_errors=True)
    say = print if verbose else (lambda *a, **k: None)
    say(f"Building the tiny course fixtures (version {TINY_VERSION}) in {final} ...")

    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # one "Writing model shards" bar per model is noise here
    threads = torch.get_num_threads()
    torch.set_num_threads(2)  # a fixed thread count keeps the arithmetic, and so the weights, identical
    try:
        texts = _build_datasets(work / "data")
        _build_models(work / "models", texts, say, steps_scale)
    finally:
        torch.set_num_threads(threads)
        transformers_logging.enable_progress_bar()

    manifest = {"version": TINY_VERSION, "seed": SEED, "seconds": round(time.perf_counter() - start, 1),
                "sha256": _hashes(work)}
    (work / "manifest.json").write_text(json.dumps(manifest, indent=1))
    final.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.replace(work, final)
    except OSError:  # another process finished first: keep theirs
        shutil.rmtree(work, ignore_errors=True)
    say(f"Tiny fixtures ready in {manifest['seconds']} s.")
    return final


def _hashes(folder):
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


# ---------------------------------------------------------------- datasets


def imdb_features():
    from datasets import ClassLabel, Features, Value

    return Features({"text": Value("string"), "label": ClassLabel(names=["neg", "pos"])})


def dialogsum_features():
    from datasets import Features, Value

    return Features({name: Value("string") for name in ("id", "dialogue", "summary", "topic")})


def tiny_datasets():
    """The synthetic IMDB and DialogSum as DatasetDicts (in memory)."""
    from datasets import Dataset, DatasetDict

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
    from datasets.utils.logging import disable_progress_bar, enable_progress_bar

    disable_progress_bar()
    try:
        datasets = tiny_datasets()
        _write_hub_layout(datasets["imdb"], data_dir / "imdb", "Tiny IMDB")
        _write_hub_layout(datasets["dialogsum"], data_dir / "dialogsum", "Tiny DialogSum")
    finally:
        enable_progress_bar()
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
    from collections import Counter

    from tokenizers import normalizers, pre_tokenizers

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
    ranked = lambda counter: [t for t, _ in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))]
    vocab += [p for p in ranked(pieces) if p not in vocab][:n_pieces]
    vocab += [w for w in ranked(words) if w not in vocab][:size - len(vocab)]
    return {token: i for i, token in enumerate(vocab)}


def _train_wordpiece(corpus):
    from transformers import BertTokenizer

    return BertTokenizer(vocab=_wordpiece_vocab(corpus, VOCAB_SIZE), model_max_length=MAX_POSITIONS)


def _train_byte_bpe(corpus):
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers
    from transformers import GPT2Tokenizer

    raw = Tokenizer(models.BPE())
    raw.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    raw.train_from_iterator(corpus, trainers.BpeTrainer(
        vocab_size=VOCAB_SIZE, special_tokens=["<|endoftext|>"], show_progress=False,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    model = json.loads(raw.to_str())["model"]
    merges = [tuple(m.split(" ")) if isinstance(m, str) else tuple(m) for m in model["merges"]]
    return GPT2Tokenizer(vocab=model["vocab"], merges=merges, model_max_length=MAX_POSITIONS)


def _train_unigram(corpus):
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers
    from transformers import T5Tokenizer

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


# ---------------------------------------------------------------- models


def _configs(vocab_sizes):
    from transformers import BertConfig, DistilBertConfig, GPT2Config, T5Config

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
    }


def _batches(encodings, batch_size, steps, seed):
    """`steps` random batches of rows from a list of token-id lists."""
    import torch

    generator = torch.Generator().manual_seed(seed)
    for _ in range(steps):
        rows = torch.randint(len(encodings), (batch_size,), generator=generator).tolist()
        yield [encodings[i] for i in rows]


def _train(model, batches, make_inputs, lr):
    import torch

    model.train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    loss = None
    for batch in batches:
        loss = model(**make_inputs(batch)).loss
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
    model.eval()
    return loss.item()


def _pretrain_mlm(model, tokenizer, texts, steps, seed):
    import torch
    from transformers import DataCollatorForLanguageModeling

    encodings = [tokenizer(t, truncation=True, max_length=48)["input_ids"] for t in texts]
    collator = DataCollatorForLanguageModeling(tokenizer, mlm_probability=0.15, return_tensors="pt")
    torch.manual_seed(seed)
    return _train(model, _batches(encodings, 32, steps, seed),
                  lambda b: collator([{"input_ids": ids} for ids in b]), lr=3e-3)


def _pretrain_causal(model, tokenizer, texts, steps, seed):
    import torch

    eos = tokenizer.eos_token_id
    encodings = [tokenizer(t)["input_ids"][:63] + [eos] for t in texts]

    def inputs(batch):
        width = max(len(ids) for ids in batch)
        ids = torch.tensor([ids + [eos] * (width - len(ids)) for ids in batch])
        mask = torch.tensor([[1] * len(ids) + [0] * (width - len(ids)) for ids in batch])
        labels = ids.masked_fill(mask == 0, -100)
        return {"input_ids": ids, "attention_mask": mask, "labels": labels}

    return _train(model, _batches(encodings, 32, steps, seed), inputs, lr=3e-3)


def _t5_examples(tokenizer, texts, dialogues, seed):
    """Span-corruption denoising on all text, plus generic summaries of dialogues under a few instructions."""
    import random

    rng = random.Random(seed)
    examples = []
    for text in texts:
        words = text.split()
        if len(words) < 4:
            continue
        words = words[:60]
        start = rng.randrange(len(words) - 1)
        span = rng.randint(1, min(3, len(words) - start))
        source = " ".join(words[:start] + ["<extra_id_0>"] + words[start + span:])
        target = "<extra_id_0> " + " ".join(words[start:start + span]) + " <extra_id_1>"
        examples.append((source, target))
    for row in dialogues:
        instruction = rng.choice(T5_INSTRUCTIONS)
        examples.append((instruction.format(dialogue=row["dialogue"]),
                         T5_GENERIC_SUMMARY.format(topic=row["topic"])))
    return [(tokenizer(s, truncation=True, max_length=160)["input_ids"],
             tokenizer(t, truncation=True, max_length=32)["input_ids"]) for s, t in examples]


def _pretrain_t5(model, tokenizer, texts, dialogues, steps, seed):
    import torch

    pad = tokenizer.pad_token_id
    examples = _t5_examples(tokenizer, texts, dialogues, seed)

    def inputs(batch):
        src_w = max(len(s) for s, _ in batch)
        tgt_w = max(len(t) for _, t in batch)
        ids = torch.tensor([s + [pad] * (src_w - len(s)) for s, _ in batch])
        labels = torch.tensor([t + [-100] * (tgt_w - len(t)) for _, t in batch])
        return {"input_ids": ids, "attention_mask": (ids != pad).long(), "labels": labels}

    return _train(model, _batches(examples, 16, steps, seed), inputs, lr=3e-3)


def _pretrain_review_ratings(model, tokenizer, reviews, steps, seed, lr=2e-3, batch_size=32):
    """MLM plus "predict the rating the review states, from [CLS]" (e.g. "8/10", "a hard pass").

    The real DistilBERT brings general features from pretraining on billions of words: frozen, they already
    separate sentiment well (logistic regression on them reaches about 0.82 on SST-2). A tiny model pretrained by
    MLM on a few hundred reviews does not, and lesson 04's frozen-feature and LoRA methods then have nothing to
    build on. This stage stands in for that: a throwaway linear probe on [CLS] predicts which rating string a
    review contained, with the rating sentence removed from the input. Only train and unsupervised reviews are
    used, never test; the test split's verdicts use other templates. MLM continues in the same steps.
    """
    import random
    import re

    import torch
    from transformers import DataCollatorForLanguageModeling

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
    collator = DataCollatorForLanguageModeling(tokenizer, mlm_probability=0.15, return_tensors="pt")
    optimizer = torch.optim.AdamW(list(model.parameters()) + list(probe.parameters()), lr=lr, weight_decay=0.01)
    model.train()
    for _ in range(steps):
        batch = rng.sample(examples, batch_size)
        texts = [text for text, _ in batch]
        # One forward pass serves both objectives: MLM on the masked review, the rating from its [CLS] vector.
        masked = collator([{"input_ids": ids}
                           for ids in tokenizer(texts, truncation=True, max_length=64)["input_ids"]])
        output = model(input_ids=masked["input_ids"], labels=masked["labels"], output_hidden_states=True,
                       attention_mask=(masked["input_ids"] != tokenizer.pad_token_id).long())
        cls = output.hidden_states[-1][:, 0]
        rating_loss = torch.nn.functional.cross_entropy(probe(cls), torch.tensor([r for _, r in batch]))
        (output.loss + rating_loss).backward()
        optimizer.step()
        optimizer.zero_grad()
    model.eval()
    return rating_loss.item()


def _build_models(models_dir, texts, say, steps_scale=1.0):
    import torch
    from transformers import (BertForMaskedLM, DistilBertForMaskedLM, DistilBertTokenizer, GPT2LMHeadModel,
                              T5ForConditionalGeneration)

    dialogue_texts = [d.replace("\n", " ") for d in texts["dialogues"]["dialogue"]]
    plain = texts["general"] + texts["reviews"] + dialogue_texts
    wordpiece = _train_wordpiece(plain)
    bpe = _train_byte_bpe(plain)
    unigram = _train_unigram(plain + list(texts["dialogues"]["summary"]) + T5_INSTRUCTIONS)
    configs = _configs({"wordpiece": len(wordpiece), "bpe": len(bpe), "unigram": len(unigram)})

    steps = {name: max(1, round(n * steps_scale)) for name, n in PRETRAIN_STEPS.items()}
    for offset, name in enumerate(MODEL_NAMES):
        started = time.perf_counter()
        torch.manual_seed(SEED + offset)
        if name == "bert":
            model, tokenizer = BertForMaskedLM(configs[name]), wordpiece
            loss = _pretrain_mlm(model, tokenizer, plain, steps[name], SEED + offset)
        elif name == "distilbert":
            model = DistilBertForMaskedLM(configs[name])
            tokenizer = DistilBertTokenizer(vocab=wordpiece.get_vocab(), model_max_length=MAX_POSITIONS)
            loss = _pretrain_mlm(model, tokenizer, plain, steps[name], SEED + offset)
            _pretrain_review_ratings(model, tokenizer, texts["all_reviews"], steps["distilbert-ratings"],
                                               SEED + offset)
        elif name == "gpt2":
            model, tokenizer = GPT2LMHeadModel(configs[name]), bpe
            loss = _pretrain_causal(model, tokenizer, plain, steps[name], SEED + offset)
        else:
            model, tokenizer = T5ForConditionalGeneration(configs[name]), unigram
            loss = _pretrain_t5(model, tokenizer, plain, texts["dialogues"], steps[name], SEED + offset)
        folder = models_dir / name
        model.save_pretrained(folder)  # safetensors
        tokenizer.save_pretrained(folder)
        say(f"  {name:<10} {model.num_parameters():>9,} parameters, pretrained {steps[name]} steps, "
            f"final loss {loss:.2f} ({time.perf_counter() - started:.1f} s)")
