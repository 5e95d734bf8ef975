"""Metrics used by more than one lesson: classification scores, ROUGE, perplexity. Used by lessons 02-08.

ROUGE goes through the `evaluate` library, the way Hugging Face tutorials compute it, but with a metric module
that ships with the course (helpers/course_rouge.py), loaded by path: `evaluate.load("rouge")` would download the
Hub's module first, which fails offline. The course's settings: Google's `rouge_score`, stemming on, the mean
F-measure over examples. (evaluate's own "rouge" defaults to no stemming and a bootstrap aggregate; lesson 02
shows the difference.) Several references per prediction are allowed; the best-matching one counts.
"""

import functools
import math
import numbers
import re
from pathlib import Path

from . import validate
from .dialogsum import CLOCK_WORDS, MONTHS, NUMBER_WORDS, WEEKDAYS, WORD, first_speaker
from .errors import InputError

ROUGE_TYPES = ("rouge1", "rouge2", "rougeL", "rougeLsum")
COURSE_ROUGE = str(Path(__file__).with_name("course_rouge.py"))  # evaluate.load(COURSE_ROUGE)


def classification_metrics(labels, predictions, positive_scores=None):
    """Accuracy, precision, recall and F1 of the positive class, and ROC-AUC when scores are given."""
    from sklearn.metrics import accuracy_score, precision_recall_fscore_support, roc_auc_score

    labels, predictions = _labels("labels", labels), _labels("predictions", predictions)
    validate.same_length("labels", labels, "predictions", predictions)
    precision, recall, f1, _ = precision_recall_fscore_support(labels, predictions, average="binary",
                                                               zero_division=0)
    scores = {"accuracy": accuracy_score(labels, predictions), "precision": precision, "recall": recall, "f1": f1}
    if positive_scores is not None:
        positive_scores = list(positive_scores)
        validate.same_length("labels", labels, "positive_scores", positive_scores)
        scores["roc_auc"] = roc_auc_score(labels, positive_scores) if len(set(labels)) > 1 else float("nan")
    return {k: float(v) for k, v in scores.items()}


def _labels(name, values):
    """Class ids as ints. A probability (0.73) would become 0 under int(), and a label name ('neg') is no id."""
    if isinstance(values, str) or not hasattr(values, "__iter__"):
        raise InputError(f"{name} must be a list of class ids (0 or 1), not {type(values).__name__}.",
                         f"pass e.g. {name}=[1, 0, 1].")
    values = [v.item() if hasattr(v, "item") else v for v in values]  # NumPy and PyTorch scalars
    if not values:
        raise InputError(f"{name} is empty: there is nothing to score.", f"pass at least one label as {name}.")
    for value in values:
        if isinstance(value, str):
            raise InputError(f"{name} must hold class ids (0 or 1), not label names such as {value!r}.",
                             f"map the names to ids first, e.g. {name}=[label2id[v] for v in {name}].")
        if not isinstance(value, (int, float)) or value != int(value):  # bools are ids too
            raise InputError(f"{name} must hold class ids (0 or 1); it holds {value!r}, which looks like a "
                             "probability or a score.", "pass probabilities.argmax(-1) as the predictions (or "
                             "probabilities[:, 1] > 0.5), and the probabilities of the positive class as "
                             "positive_scores.")
    return [int(v) for v in values]


@functools.lru_cache(maxsize=1)
def rouge_metric():
    """The course's ROUGE as an `evaluate` metric, loaded from the file that ships with the course (no Hub)."""
    import evaluate

    return evaluate.load(COURSE_ROUGE, keep_in_memory=True)


def references_list(references):
    """One reference (a string) or a list of references per prediction, checked."""
    if isinstance(references, str):
        return validate.texts("references", references)  # raises: a bare string
    references = list(references)
    if any(not isinstance(reference, str) for reference in references):  # several per prediction: all lists
        references = [[reference] if isinstance(reference, str) else validate.texts(f"references[{i}]", reference)
                      for i, reference in enumerate(references)]
    if not references:
        raise InputError("references is empty: there is nothing to compare with.",
                         "pass one reference (or a list of references) per prediction.")
    return references


def rouge(predictions, references, rouge_types=ROUGE_TYPES):
    """Mean ROUGE F-measures with the course's settings: {'rouge1': 0.41, ...}.

    `references` holds one reference per prediction, or a list of references per prediction (the best counts).
    """
    predictions = validate.texts("predictions", predictions)
    references = references_list(references)
    if len(predictions) != len(references):
        raise InputError(f"rouge() got {len(predictions)} predictions but {len(references)} references; "
                         "pass one prediction per reference (or per list of references).")
    for kind in validate.texts("rouge_types", rouge_types):
        validate.choice("rouge_types entry", kind, ROUGE_TYPES)
    return rouge_metric().compute(predictions=predictions, references=references, rouge_types=list(rouge_types))


def perplexity(mean_loss):
    """exp of the mean cross-entropy (in nats) per token."""
    if isinstance(mean_loss, bool) or not isinstance(mean_loss, numbers.Real) or math.isnan(mean_loss) or mean_loss < 0:
        raise InputError(f"perplexity() needs a mean loss in nats, a number of at least 0; got {mean_loss!r}.",
                         "pass e.g. perplexity(outputs.loss.item()).")
    return math.exp(mean_loss)


# ---------------------------------------------------------------- a crude fact check

DETAIL_WORDS = {word.lower() for word in WEEKDAYS + MONTHS + NUMBER_WORDS + CLOCK_WORDS}  # details in any case


def details(text):
    """The checkable details of a text: numbers, number words, days, months, and capitalised words that do not
    start a sentence (names, places). Lower-cased; the speaker tags #Person1#, #Person2# are not details."""
    found, sentence_start = [], True
    for token in WORD.findall(text):
        word = token.lower()
        if token.startswith("#Person"):
            sentence_start = False
            continue
        if token[0].isdigit() or word in DETAIL_WORDS or (token[0].isupper() and not sentence_start):
            found.append(word)
        sentence_start = False
    for end in re.finditer(r"[.!?]\s+(#Person\d#|[A-Za-z]+)", text):  # the word after a full stop starts a sentence
        word = end.group(1).lower()
        if word in found and word not in DETAIL_WORDS and not end.group(1).startswith("#"):
            found.remove(word)
    return found


def unsupported_details(summary, source):
    """Details of `summary` (helpers.metrics.details) that appear nowhere in `source`: candidates for invented
    facts. Crude on purpose: "35" is not found in "thirty-five", and a name the source spells otherwise counts."""
    summary, source = validate.text("summary", summary), validate.text("source", source)
    words = {token.lower() for token in WORD.findall(source)}
    return sorted({detail for detail in details(summary) if detail not in words})


def detail_check(summaries, sources):
    """{"summaries with an unsupported detail": share, "unsupported details per summary": mean} over a set."""
    summaries, sources = validate.texts("summaries", summaries), validate.texts("sources", sources)
    validate.same_length("summaries", summaries, "sources", sources)
    counts = [len(unsupported_details(s, d)) if s.strip() else 0 for s, d in zip(summaries, sources)]
    return {"summaries with an unsupported detail": sum(c > 0 for c in counts) / len(counts),
            "unsupported details per summary": sum(counts) / len(counts)}


def speaker_check(summaries, references):
    """A probe of who-did-what, beside detail_check: {"summaries naming a speaker": share, "first speaker as in a
    human summary": share of those}. A summary's first speaker tag is its main actor in DialogSum's style
    ("#Person2# tells #Person1# ..."); it agrees when one of the dialogue's human summaries opens with the same tag.
    `references`: a list of human summaries per summary (or one string each)."""
    summaries = validate.texts("summaries", summaries)
    validate.same_length("summaries", summaries, "references", references)
    agree = [first_speaker(summary) in {first_speaker(r) for r in ([refs] if isinstance(refs, str) else refs)}
             for summary, refs in zip(summaries, references) if first_speaker(summary)]
    return {"summaries naming a speaker": len(agree) / len(summaries),
            "first speaker as in a human summary": sum(agree) / len(agree) if agree else float("nan")}
