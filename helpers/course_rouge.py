"""ROUGE as an `evaluate` metric module that ships with the course, so that `evaluate.load` works offline.

`evaluate.load("rouge")` downloads the code of the Hub's metric module (evaluate-metric/rouge) the first time,
which fails without a network. This file is the same kind of module, loaded by path instead:

    import evaluate
    from helpers.metrics import COURSE_ROUGE
    rouge = evaluate.load(COURSE_ROUGE)
    rouge.compute(predictions=["..."], references=["..."])                 # one reference per prediction
    rouge.compute(predictions=["..."], references=[["...", "...", "..."]])  # several: the best one counts

It computes what the course reports, with Google's `rouge_score` package: stemming on, and the mean of the
per-example F-measures. The Hub's module takes the same arguments but defaults to `use_stemmer=False` and
aggregates with a bootstrap (the middle of resampled means), so its numbers differ slightly unless you pass
`use_stemmer=True` and `use_aggregator=False` and average yourself (lesson 02 checks that they then agree).
"""

import datasets
import evaluate
from rouge_score import rouge_scorer

from helpers.metrics import ROUGE_TYPES  # an absolute import: evaluate loads this file outside the package

_DESCRIPTION = "ROUGE F-measures with the course's settings: stemming on, the mean over examples."
_KWARGS = """
Args:
    predictions: list of generated texts.
    references: one reference text per prediction, or a list of references per prediction (the best counts).
    rouge_types: which of rouge1, rouge2, rougeL, rougeLsum to compute (default: all four).
    use_stemmer: Porter stemming before matching ("talks" matches "talk"); default True.
    use_aggregator: True (default) gives the mean F-measure per type; False gives one F-measure per example.
Returns:
    {"rouge1": 0.41, "rouge2": ..., "rougeL": ..., "rougeLsum": ...}, or lists of per-example values.
"""
_CITATION = """Lin, Chin-Yew. ROUGE: a Package for Automatic Evaluation of Summaries. ACL Workshop 2004."""


@evaluate.utils.file_utils.add_start_docstrings(_DESCRIPTION, _KWARGS)
class CourseRouge(evaluate.Metric):
    def _info(self):
        return evaluate.MetricInfo(
            description=_DESCRIPTION, citation=_CITATION, inputs_description=_KWARGS,
            features=[datasets.Features({"predictions": datasets.Value("string"),
                                         "references": datasets.Sequence(datasets.Value("string"))}),
                      datasets.Features({"predictions": datasets.Value("string"),
                                         "references": datasets.Value("string")})],
            reference_urls=["https://github.com/google-research/google-research/tree/master/rouge"])

    def _compute(self, predictions, references, rouge_types=None, use_stemmer=True, use_aggregator=True):
        rouge_types = list(rouge_types or ROUGE_TYPES)
        scorer = rouge_scorer.RougeScorer(rouge_types, use_stemmer=use_stemmer)
        per_example = []
        for prediction, reference in zip(predictions, references):
            if isinstance(reference, str):
                per_example.append(scorer.score(reference, prediction))  # rougeLsum: newlines end sentences
            else:
                per_example.append(scorer.score_multi(list(reference), prediction))
        values = {kind: [scores[kind].fmeasure for scores in per_example] for kind in rouge_types}
        if not use_aggregator:
            return values
        return {kind: sum(v) / len(v) for kind, v in values.items()}
