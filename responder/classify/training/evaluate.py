"""Evaluation against labelled data (read by `labelled`): classify, compute the metrics
`responder eval` prints (scikit-learn's metrics; also used by the UI for the user's corrections)."""

from __future__ import annotations

import logging
import time
from typing import Any

from sklearn.metrics import confusion_matrix, f1_score, precision_recall_fscore_support

from responder.classify.signals import compute_signals
from responder.classify.training.calibration import reliability
from responder.classify.training.labelled import Example, read_dataset  # noqa: F401 - re-exported
from responder.taxonomy import LABELS, REPORT_LABELS

log = logging.getLogger(__name__)
#: The review threshold when the classifier carries no settings (the settings' default).
DEFAULT_THRESHOLD = 0.55


def metrics(truth: list[str], predicted: list[str]) -> dict[str, Any]:
    """Per-label precision/recall/F1/support (scikit-learn), macro-F1 over labels present in truth
    or predictions, confusion matrix, genuine flagged rate and phishing+scam recall."""
    labels = list(LABELS)
    precision, recall, f1, support = precision_recall_fscore_support(
        truth, predicted, labels=labels, zero_division=0
    )
    matrix = confusion_matrix(truth, predicted, labels=labels) if truth else None
    confusion = {
        t: {p: int(matrix[i, j]) if matrix is not None else 0 for j, p in enumerate(labels)}
        for i, t in enumerate(labels)
    }
    per_label = {
        label: {
            "precision": round(float(precision[i]), 4),
            "recall": round(float(recall[i]), 4),
            "f1": round(float(f1[i]), 4),
            "support": int(support[i]),
        }
        for i, label in enumerate(labels)
    }
    present = sorted(set(truth) | set(predicted), key=labels.index)
    macro = (
        f1_score(truth, predicted, labels=present, average="macro", zero_division=0)
        if present
        else 0.0
    )
    genuine = sum(confusion["genuine"].values())
    flagged = genuine - confusion["genuine"]["genuine"]
    fraud = [lab for lab in ("phishing", "scam") if lab in REPORT_LABELS]
    fraud_n = sum(sum(confusion[lab].values()) for lab in fraud)
    caught = sum(confusion[lab][p] for lab in fraud for p in fraud)
    return {
        "n": len(truth),
        "macro_f1": round(float(macro), 4),
        "per_label": per_label,
        "confusion": confusion,
        "genuine_flagged_rate": round(flagged / genuine, 4) if genuine else 0.0,
        "phishing_scam_recall": round(caught / fraud_n, 4) if fraud_n else 0.0,
    }


def _warm_up(classifier: Any) -> None:

    compute_signals("warm-up, see https://example.com/a")
    offline = getattr(classifier, "offline", None)
    if offline is not None:
        offline.predict_proba(["warm-up"])


def evaluate(
    examples: list[Example], classifier: Any, *, batch_size: int = 256
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Classify every example; return (metrics, predictions); the metrics include coverage (share
    with confidence at or above the review threshold), accuracy on that share and expected
    calibration error."""
    report, predictions = _evaluate(examples, classifier, batch_size)
    settings = getattr(classifier, "settings", None)
    threshold = float(settings.policy.review_threshold) if settings else DEFAULT_THRESHOLD
    report["review_threshold"] = threshold
    report.update(
        reliability(
            [p["label"] for p in predictions],
            [p["predicted"] for p in predictions],
            [p["confidence"] for p in predictions],
            threshold,
        )
    )
    return report, predictions


def _evaluate(
    examples: list[Example], classifier: Any, batch_size: int
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Classify every example; return (metrics, predictions). Throughput is steady state: one
    warm-up first loads what is loaded lazily (the public-suffix list, the model), without the LLM."""
    _warm_up(classifier)
    start = time.perf_counter()
    results = []
    for i in range(0, len(examples), batch_size):
        chunk = examples[i : i + batch_size]
        results.extend(
            classifier.classify_texts([(e.text, e.subject, e.sender_name) for e in chunk])
        )
    elapsed = max(time.perf_counter() - start, 1e-9)
    report = metrics([e.label for e in examples], [r.label for r in results])
    report["messages_per_second"] = round(len(examples) / elapsed, 1)
    predictions = [
        {
            "id": e.id,
            "label": e.label,
            "predicted": r.label,
            "confidence": r.confidence,
            "needs_review": r.needs_review,
            "reasons": r.reasons,
            "method": r.method,
            "slice": e.slice,
        }
        for e, r in zip(examples, results, strict=True)
    ]
    return report, predictions


def format_report(report: dict[str, Any]) -> str:
    lines = [f"{'label':<12} {'precision':>9} {'recall':>7} {'f1':>7} {'support':>8}"]
    for label, row in report["per_label"].items():
        lines.append(
            f"{label:<12} {row['precision']:>9.3f} {row['recall']:>7.3f} {row['f1']:>7.3f} "
            f"{row['support']:>8}"
        )
    lines.append("")
    lines.append(f"macro-F1               {report['macro_f1']:.3f}")
    lines.append(f"phishing+scam recall   {report['phishing_scam_recall']:.3f}")
    lines.append(f"genuine flagged rate   {report['genuine_flagged_rate']:.3f}")
    if "coverage" in report:
        lines.append(f"accuracy               {report['accuracy']:.3f}")
        lines.append(
            f"coverage               {report['coverage']:.3f}"
            f"  (confidence >= {report['review_threshold']:.2f}, handled without review)"
        )
        lines.append(f"accuracy when sure     {report['accuracy_when_sure']:.3f}")
        lines.append(f"calibration error      {report['ece']:.3f}  (expected, 10 bins)")
    lines.append(f"messages per second    {report['messages_per_second']:.0f}")
    lines.append("")
    short = {lab: lab[:6] for lab in LABELS}
    lines.append("confusion (rows: true, columns: predicted)")
    lines.append(" " * 12 + "".join(f"{short[p]:>8}" for p in LABELS))
    for t in LABELS:
        lines.append(f"{t:<12}" + "".join(f"{report['confusion'][t][p]:>8}" for p in LABELS))
    return "\n".join(lines)
