"""Matplotlib figures used by more than one notebook. Each function returns the figure it drew."""

import matplotlib.pyplot as plt

from . import validate
from .errors import InputError


def _table(name, table):
    if not isinstance(table, dict) or not table or not all(isinstance(row, dict) for row in table.values()):
        raise InputError(f"{name} must be a non-empty dict of rows, each a dict of columns: "
                         "{row: {column: value}}.", 'pass e.g. {"LoRA": {"rouge1": 0.41}}.')
    return table


def bar_chart(labels, values, title="", xlabel="", ylabel="probability", highlight=None, ax=None):
    """Vertical bars, e.g. the top-k next-token probabilities. `highlight`: indices drawn in a second colour."""
    labels, values = list(labels), list(values)
    validate.same_length("labels", labels, "values", values)
    if not values:
        raise InputError("bar_chart() got no values to draw.", "pass at least one label and value.")
    fig, ax = (ax.figure, ax) if ax is not None else plt.subplots(figsize=(7, 3.2))
    colors = ["tab:orange" if highlight and i in highlight else "tab:blue" for i in range(len(values))]
    ax.bar(range(len(values)), values, color=colors)
    ax.set_xticks(range(len(values)), [str(label) for label in labels], rotation=45, ha="right")
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    for i, value in enumerate(values):
        ax.annotate(f"{value:.2f}", (i, value), ha="center", va="bottom", fontsize=8)
    fig.tight_layout()
    return fig


def grouped_bars(table, title="", ylabel="", ax=None, log=False):
    """Bars grouped by row: `table` is {row: {column: value}}, e.g. {"zero-shot": {"rouge1": .2, ...}, ...}.

    `log=True` draws a logarithmic axis, for values that span orders of magnitude (perplexities): it starts
    below the smallest bar rather than at 0, where a logarithm has no value.
    """
    _table("table", table)
    fig, ax = (ax.figure, ax) if ax is not None else plt.subplots(figsize=(7, 3.5))
    rows = list(table)
    columns = list(dict.fromkeys(c for row in table.values() for c in row))
    width = 0.8 / len(rows)
    for i, row in enumerate(rows):
        xs = [j + (i - (len(rows) - 1) / 2) * width for j in range(len(columns))]
        ax.bar(xs, [table[row].get(c, 0) for c in columns], width, label=row)
    ax.set_xticks(range(len(columns)), columns)
    ax.set(title=title, ylabel=ylabel)
    values = [v for row in table.values() for v in row.values()]
    headroom = 1.25 + 0.07 * len(rows)  # so that the legend does not hide bars
    if log:
        positive = [v for v in values if v > 0]
        if not positive:
            raise InputError("grouped_bars(log=True) needs positive values.", "use log=False for zeros.")
        ax.set_yscale("log")
        ax.set_ylim(min(positive) / 2, max(positive) * headroom ** 3)
    else:
        ax.set_ylim(0, max(values, default=1) * headroom)
    ax.legend(fontsize=7, loc="upper left", ncols=2 if len(rows) > 3 else 1)
    fig.tight_layout()
    return fig


def loss_curves(curves, title="Loss", xlabel="step", ax=None):
    """Lines from {name: (xs, ys)}, e.g. {"training": (steps, losses), "validation": (steps, losses)}.
    A curve named "best" is drawn as a star: the point whose weights were kept."""
    if not isinstance(curves, dict) or not curves:
        raise InputError("loss_curves() needs a dict {name: (xs, ys)} with at least one curve.",
                         'pass e.g. trainer_curves(trainer.state.log_history).')
    fig, ax = (ax.figure, ax) if ax is not None else plt.subplots(figsize=(6, 3.2))
    for name, (xs, ys) in curves.items():
        xs, ys = list(xs), list(ys)
        if name == "best":
            ax.plot(xs, ys, "k*", markersize=12, label="kept")
        else:
            ax.plot(xs, ys, marker="o" if len(xs) < 30 else None, markersize=3, label=name)
    ax.set(title=title, xlabel=xlabel, ylabel="loss")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def loss_panels(panels, xlabel="epoch"):
    """Several loss_curves side by side: `panels` is {title: {curve name: (xs, ys)}}."""
    _table("panels", panels)
    fig, axes = plt.subplots(1, len(panels), figsize=(4.2 * len(panels), 3.2), squeeze=False)
    for ax, (title, curves) in zip(axes[0], panels.items()):
        loss_curves(curves, title=title, xlabel=xlabel, ax=ax)
    fig.tight_layout()
    return fig


def trainer_curves(log_history, x="epoch"):
    """{"training": (xs, losses), "validation": (xs, losses)} from a Trainer's `state.log_history`;
    `x` is "epoch" or "step"."""
    validate.choice("x", x, ("epoch", "step"))
    train = [(h[x], h["loss"]) for h in log_history if "loss" in h and "eval_loss" not in h]
    valid = [(h[x], h["eval_loss"]) for h in log_history if "eval_loss" in h]
    return {"training": tuple(zip(*train)) or ((), ()), "validation": tuple(zip(*valid)) or ((), ())}
