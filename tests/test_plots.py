"""Shared figures: each function returns the figure it drew; Trainer logs become loss curves."""

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from helpers import plots

HISTORY = [{"loss": 0.7, "epoch": 1.0, "step": 5}, {"eval_loss": 0.65, "eval_f1": 0.6, "epoch": 1.0, "step": 5},
           {"loss": 0.4, "epoch": 2.0, "step": 10}, {"eval_loss": 0.5, "eval_f1": 0.8, "epoch": 2.0, "step": 10},
           {"train_runtime": 3.0, "train_loss": 0.55, "epoch": 2.0, "step": 10}]


def test_trainer_curves_split_training_and_validation_logs():
    curves = plots.trainer_curves(HISTORY)
    assert curves["training"] == ((1.0, 2.0), (0.7, 0.4))
    assert curves["validation"] == ((1.0, 2.0), (0.65, 0.5))
    assert plots.trainer_curves(HISTORY, x="step")["training"] == ((5, 10), (0.7, 0.4))
    assert plots.trainer_curves([]) == {"training": ((), ()), "validation": ((), ())}


def test_figures_are_returned():
    curves = {**plots.trainer_curves(HISTORY), "best": ([2.0], [0.5])}
    figs = [plots.bar_chart(["a", "b"], [0.6, 0.3], highlight={0}),
            plots.grouped_bars({"x": {"f1": 0.5, "acc": 0.6}, "y": {"f1": 0.7, "acc": 0.8}}),
            plots.loss_curves(curves),
            plots.loss_panels({"run 1": curves, "run 2": curves})]
    assert all(isinstance(f, Figure) for f in figs)
    assert len(figs[-1].axes) == 2
    assert [line.get_label() for line in figs[2].axes[0].lines] == ["training", "validation", "kept"]
    plt.close("all")
