"""Matplotlib figures used by more than one notebook. Each function returns the figure it drew."""

import matplotlib.pyplot as plt


def bar_chart(labels, values, title="", xlabel="", ylabel="probability", highlight=None, ax=None):
    """Vertical bars, e.g. the top-k next-token probabilities. `highlight`: indices drawn in a second colour."""
    fig, ax = (ax.figure, ax) if ax is not None else plt.subplots(figsize=(7, 3.2))
    colors = ["tab:orange" if highlight and i in highlight else "tab:blue" for i in range(len(values))]
    ax.bar(range(len(values)), values, color=colors)
    ax.set_xticks(range(len(values)), [str(label) for label in labels], rotation=45, ha="right")
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    for i, value in enumerate(values):
        ax.annotate(f"{value:.2f}", (i, value), ha="center", va="bottom", fontsize=8)
    fig.tight_layout()
    return fig


def grouped_bars(table, title="", ylabel="", ax=None):
    """Bars grouped by row: `table` is {row: {column: value}}, e.g. {"zero-shot": {"rouge1": .2, ...}, ...}."""
    fig, ax = (ax.figure, ax) if ax is not None else plt.subplots(figsize=(7, 3.5))
    rows = list(table)
    columns = list(dict.fromkeys(c for row in table.values() for c in row))
    width = 0.8 / len(rows)
    for i, row in enumerate(rows):
        xs = [j + (i - (len(rows) - 1) / 2) * width for j in range(len(columns))]
        ax.bar(xs, [table[row].get(c, 0) for c in columns], width, label=row)
    ax.set_xticks(range(len(columns)), columns)
    ax.set(title=title, ylabel=ylabel)
    top = max((v for row in table.values() for v in row.values()), default=1)
    ax.set_ylim(0, top * (1.25 + 0.07 * len(rows)))  # headroom, so the legend does not hide bars
    ax.legend(fontsize=7, loc="upper left", ncols=2 if len(rows) > 3 else 1)
    fig.tight_layout()
    return fig


def loss_curves(curves, title="Loss", xlabel="step", ax=None):
    """Lines from {name: (xs, ys)}, e.g. {"train": (steps, losses), "validation": (steps, losses)}."""
    fig, ax = (ax.figure, ax) if ax is not None else plt.subplots(figsize=(6, 3.2))
    for name, (xs, ys) in curves.items():
        ax.plot(list(xs), list(ys), marker="o" if len(list(xs)) < 30 else None, label=name)
    ax.set(title=title, xlabel=xlabel, ylabel="loss")
    ax.legend()
    fig.tight_layout()
    return fig
