"""Lesson 03 (decoding strategies): diversity metrics, the sampling filters on a probability vector, and plots.

The decoding loops themselves (greedy and top-p written by hand) are in the notebook, where they are taught.
The filters here are the same rules as transformers' TopKLogitsWarper, TopPLogitsWarper and MinPLogitsWarper,
written on probabilities so that a notebook can plot what each one keeps.
"""

from collections import Counter

from . import validate
from .dialogsum import WORD
from .errors import InputError

# ---------------------------------------------------------------------------------------------------------------
# Diversity and repetition of a text
# ---------------------------------------------------------------------------------------------------------------



def words(text):
    """Lower-cased words, punctuation left out: "The dog, the DOG didn't." -> ['the', 'dog', 'the', 'dog', "didn't"]."""
    if not isinstance(text, str):
        raise InputError(f"words() needs a text (a string), not {type(text).__name__}.", "pass one text.")
    return WORD.findall(text.lower())


def _units(text_or_tokens):
    if isinstance(text_or_tokens, str):
        return words(text_or_tokens)
    if text_or_tokens is None or not hasattr(text_or_tokens, "__iter__"):
        raise InputError(f"expected a text or a list of tokens, not {type(text_or_tokens).__name__}.",
                         "pass a string, or a list such as token ids.")
    return list(text_or_tokens)


def ngrams(tokens, n):
    """The n-grams of a sequence, in order, as tuples."""
    n = validate.positive_int("n", n)
    tokens = list(tokens)
    return [tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1)]


def distinct_n(text_or_tokens, n):
    """distinct-n (Li et al., 2016): unique n-grams / all n-grams. 1.0 = no n-gram used twice.

    A string is split with `words()`; a list is used as it is (e.g. token ids). 0.0 when there are no n-grams.
    """
    grams = ngrams(_units(text_or_tokens), n)
    return len(set(grams)) / len(grams) if grams else 0.0


def repeated_ngram_rate(text_or_tokens, n=4):
    """The share of n-grams that repeat an n-gram seen earlier in the same text ("seq-rep-n", Welleck et al., 2019).

    0.0 = nothing repeated; 'a b a b a b' with n=2 has 5 bigrams, 3 of them repeats: 0.6. It equals
    1 - distinct_n(text, n). 0.0 when the text has fewer than n units.
    """
    grams = ngrams(_units(text_or_tokens), n)
    return (len(grams) - len(set(grams))) / len(grams) if grams else 0.0


def diversity(text, rep_n=4):
    """The table columns of lesson 03 for one text: words, repeated n-gram rate, distinct-1, distinct-2."""
    units = words(text)
    return {"words": len(units), f"rep-{rep_n}": repeated_ngram_rate(units, rep_n),
            "distinct-1": distinct_n(units, 1), "distinct-2": distinct_n(units, 2)}


def most_repeated(text_or_tokens, n=4):
    """(n-gram as text, count) of the n-gram repeated most often, or None when nothing repeats."""
    counts = Counter(ngrams(_units(text_or_tokens), n))
    if not counts:
        return None
    gram, count = counts.most_common(1)[0]
    return (" ".join(map(str, gram)), count) if count > 1 else None


# ---------------------------------------------------------------------------------------------------------------
# Sampling filters on a probability vector (torch, last dimension = vocabulary). Each returns a renormalized copy.
# ---------------------------------------------------------------------------------------------------------------


def _renormalize(kept):
    return kept / kept.sum(dim=-1, keepdim=True)


def _probabilities(probs):
    """A float tensor of probabilities (last dimension: the vocabulary), checked."""
    import torch

    if not isinstance(probs, torch.Tensor) or not probs.is_floating_point() or probs.dim() not in (1, 2) \
            or probs.shape[-1] == 0:
        raise InputError("probs must be a float tensor of probabilities, one per vocabulary token (1-D), or a "
                         f"batch of them (2-D); got {type(probs).__name__} {tuple(getattr(probs, 'shape', ()))}.",
                         "pass e.g. logits.softmax(-1).")
    if (probs < 0).any() or not torch.allclose(probs.sum(-1), torch.ones(()), atol=1e-3):
        raise InputError("probs must be probabilities: at least 0 and summing to 1 over the vocabulary.",
                         "apply .softmax(-1) to logits first.")
    return probs


def with_temperature(probs, temperature):
    """The distribution at temperature T: softmax(log p / T), the same as softmax(logits / T).

    T < 1 sharpens it (T -> 0 puts all the mass on the top token), T > 1 flattens it, T = 1 leaves it unchanged.
    """
    import torch

    probs = _probabilities(probs)
    temperature = validate.positive_number("temperature", temperature,
                                           "pass e.g. temperature=0.7; for greedy decoding use do_sample=False.")
    return torch.softmax(torch.log(probs) / temperature, dim=-1)


def top_k_filter(probs, k):
    """Keep the k most likely tokens (k = 0 keeps all, as in transformers), renormalized."""
    import torch

    probs = _probabilities(probs)
    k = validate.whole_number("k", k, minimum=0, example=50)  # 0 keeps all
    if k == 0 or k >= probs.shape[-1]:
        return probs.clone()
    threshold = torch.topk(probs, k, dim=-1).values[..., -1:]
    return _renormalize(torch.where(probs >= threshold, probs, torch.zeros_like(probs)))


def top_p_filter(probs, top_p):
    """Nucleus (top-p) filtering, Holtzman et al. (2020): keep the most likely tokens until their mass reaches top_p.

    A token is kept when the tokens ranked above it hold less than top_p of the probability, so the top token is
    always kept. top_p = 1.0 keeps all.
    """
    import torch

    probs = _probabilities(probs)
    if validate.fraction("top_p", top_p, low_open=True) == 1.0:
        return probs.clone()
    sorted_probs, order = torch.sort(probs, dim=-1, descending=True)
    mass_above = torch.cumsum(sorted_probs, dim=-1) - sorted_probs
    keep_sorted = mass_above < top_p
    keep = torch.zeros_like(keep_sorted).scatter(-1, order, keep_sorted)
    return _renormalize(torch.where(keep, probs, torch.zeros_like(probs)))


def min_p_filter(probs, min_p):
    """min-p filtering (Nguyen et al., 2024): keep tokens at least min_p times as likely as the top token."""
    import torch

    probs = _probabilities(probs)
    if validate.fraction("min_p", min_p) == 0.0:
        return probs.clone()
    threshold = min_p * probs.max(dim=-1, keepdim=True).values
    return _renormalize(torch.where(probs >= threshold, probs, torch.zeros_like(probs)))


def kept(filtered):
    """How many tokens a filtered distribution keeps (non-zero entries), as an int or a list per row."""
    counts = (filtered > 0).sum(dim=-1)
    return int(counts) if counts.dim() == 0 else counts.tolist()


def token_label(tokenizer, token_id):
    """A token as a readable label; repr() shows its leading space: ' dog'."""
    return repr(tokenizer.decode([int(token_id)]))


# ---------------------------------------------------------------------------------------------------------------
# Plots (each returns its figure)
# ---------------------------------------------------------------------------------------------------------------


def plot_nucleus(probs, labels, top_p, show=20, ax=None):
    """Sorted probabilities as bars and their running total as a line, with the top-p cut marked.

    `probs`: a 1-D probability vector; `labels`: one label per vocabulary id (or a callable id -> label).
    """
    import matplotlib.pyplot as plt
    import torch

    sorted_probs, order = torch.sort(probs.detach().float().cpu(), descending=True)
    n_kept = kept(top_p_filter(probs.detach().float().cpu(), top_p))
    show = max(show, min(n_kept + 3, 40))
    shown = sorted_probs[:show].tolist()
    cumulative = torch.cumsum(sorted_probs, 0)[:show].tolist()
    name = labels if callable(labels) else (lambda i: labels[i])
    fig, ax = (ax.figure, ax) if ax is not None else plt.subplots(figsize=(8, 3.6))
    colors = ["tab:orange" if i < n_kept else "tab:gray" for i in range(len(shown))]
    ax.bar(range(len(shown)), shown, color=colors, label="probability (orange: in the nucleus)")
    ax.plot(range(len(shown)), cumulative, marker="o", markersize=3, color="tab:blue", label="cumulative probability")
    ax.axhline(top_p, color="tab:red", linestyle="--", linewidth=1, label=f"top_p = {top_p}")
    if n_kept <= len(shown):
        ax.axvline(n_kept - 0.5, color="tab:red", linewidth=1)
    ax.set_xticks(range(len(shown)), [name(int(i)) for i in order[:show]], rotation=60, ha="right", fontsize=8)
    ax.set(ylim=(0, 1.05), ylabel="probability",
           title=f"top-p = {top_p} keeps the {n_kept} most likely tokens (cumulative "
                 f"{float(torch.cumsum(sorted_probs, 0)[n_kept - 1]):.2f})")
    ax.legend(fontsize=8, loc="center right")
    fig.tight_layout()
    return fig


def plot_kept_counts(counts, title="Tokens kept at each step", log=True, ax=None):
    """Lines from {filter name: [tokens kept at step 0, 1, ...]}, e.g. top-k vs top-p vs min-p along a text."""
    import matplotlib.pyplot as plt

    fig, ax = (ax.figure, ax) if ax is not None else plt.subplots(figsize=(8, 3.2))
    for name, values in counts.items():
        ax.plot(range(len(values)), list(values), marker="o", markersize=3, label=name)
    if log:
        ax.set_yscale("log")
    ax.set(title=title, xlabel="generation step", ylabel="tokens kept")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
    fig.tight_layout()
    return fig


def plot_tradeoff(points, x="distinct-2", y="perplexity", ax=None):
    """Each strategy's samples as small dots and their mean as a large labelled marker.

    `points`: {strategy: [{x: value, y: value, ...} for each sample]}. The y axis is logarithmic (perplexity).
    """
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter

    fig, ax = (ax.figure, ax) if ax is not None else plt.subplots(figsize=(7.5, 4.2))
    for i, (name, samples) in enumerate(points.items()):
        color = plt.get_cmap("tab10")(i % 10)
        xs, ys = [s[x] for s in samples], [s[y] for s in samples]
        if len(samples) > 1:
            ax.scatter(xs, ys, s=12, alpha=0.35, color=color)
        mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
        ax.scatter([mean_x], [mean_y], s=70, color=color, edgecolor="black", label=name, zorder=3)
    ax.set_yscale("log")
    ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    ax.yaxis.set_minor_formatter(FuncFormatter(lambda value, _: f"{value:g}" if f"{value:g}"[0] in "235" else ""))
    ax.tick_params(axis="y", which="minor", labelsize=7)
    ax.set(xlabel=f"{x} (higher = more varied)", ylabel=f"{y} under the model (lower = more expected)",
           title="Diversity against how expected the text is")
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1))
    fig.tight_layout()
    return fig
