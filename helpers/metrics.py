"""Metrics used by more than one lesson: classification scores, ROUGE, perplexity.

ROUGE follows the settings of `evaluate`'s "rouge" metric (stemming on, the mean of per-example
F-measures), computed with Google's `rouge_score` package directly: loading `evaluate`'s metric
downloads its code from the Hub, which the offline profile cannot do.
"""

import math

from .errors import InputError

ROUGE_TYPES = ("rouge1", "rouge2", "rougeL", "rougeLsum")


def classification_metrics(labels, predictions, positive_scores=None):
    """Accuracy, precision, recall and F1 of the positive class, and ROC-AUC when scores are given."""
    from sklearn.metrics import accuracy_score, precision_recall_fscore_support, roc_auc_score

    labels, predictions = list(labels), list(predictions)
    precision, recall, f1, _ = precision_recall_fscore_support(labels, predictions, average="binary",
                                                               zero_division=0)
    scores = {"accuracy": accuracy_score(labels, predictions), "precision": precision, "recall": recall, "f1": f1}
    if positive_scores is not None:
        scores["roc_auc"] = roc_auc_score(labels, list(positive_scores)) if len(set(labels)) > 1 else float("nan")
    return {k: float(v) for k, v in scores.items()}


def rouge(predictions, references, rouge_types=ROUGE_TYPES):
    """Mean ROUGE F-measures, like evaluate's rouge: {'rouge1': 0.41, ...}."""
    from rouge_score import rouge_scorer

    predictions, references = list(predictions), list(references)
    if len(predictions) != len(references):
        raise InputError(f"rouge() got {len(predictions)} predictions but {len(references)} references; "
                         "pass one prediction per reference.")
    if not predictions:
        raise InputError("rouge() got no predictions; pass at least one prediction and its reference.")
    scorer = rouge_scorer.RougeScorer(list(rouge_types), use_stemmer=True)
    totals = dict.fromkeys(rouge_types, 0.0)
    for prediction, reference in zip(predictions, references):
        scores = scorer.score(reference, prediction)  # rougeLsum treats newlines as sentence ends
        for kind in rouge_types:
            totals[kind] += scores[kind].fmeasure
    return {kind: total / len(predictions) for kind, total in totals.items()}


def perplexity(mean_loss):
    """exp of the mean cross-entropy (in nats) per token."""
    return math.exp(mean_loss)
