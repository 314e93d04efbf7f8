"""Evaluation against labelled data: read JSONL/CSV, classify, compute the metrics `responder eval`
prints (also used by the UI for the user's corrections)."""

from __future__ import annotations

import csv
import json
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from responder.classify.signals import compute_signals
from responder.errors import ImportFormatError
from responder.taxonomy import LABELS, REPORT_LABELS

log = logging.getLogger(__name__)


@dataclass
class Example:
    id: str
    text: str
    label: str
    subject: str | None = None
    sender_name: str | None = None
    slice: str | None = None


def read_dataset(path: Path) -> list[Example]:
    """Rows of a JSONL or CSV file with `text` and `label` (+ optional columns). Bad rows are
    reported with their line number and skipped."""
    if not path.exists():
        raise ImportFormatError(f"{path}: no such file")
    rows: list[tuple[int, dict[str, Any]]] = []
    if path.suffix.lower() == ".csv":
        with path.open(encoding="utf-8", newline="") as fh:
            rows = [(i + 2, dict(r)) for i, r in enumerate(csv.DictReader(fh))]
    else:
        with path.open(encoding="utf-8") as fh:
            for number, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                try:
                    rows.append((number, json.loads(line)))
                except json.JSONDecodeError as exc:
                    log.warning("%s:%d: not JSON (%s); skipped", path, number, exc.msg)
    out = []
    for number, row in rows:
        text, label = row.get("text"), row.get("label")
        if not isinstance(text, str) or not text.strip() or label not in LABELS:
            log.warning("%s:%d: needs a text and one of the six labels; skipped", path, number)
            continue
        out.append(
            Example(
                id=str(row.get("id") or f"row-{number}"),
                text=text,
                label=str(label),
                subject=row.get("subject") or None,
                sender_name=row.get("sender_name") or None,
                slice=row.get("slice") or None,
            )
        )
    if not out:
        raise ImportFormatError(f"{path}: no usable rows (each needs `text` and `label`)")
    return out


def metrics(truth: list[str], predicted: list[str]) -> dict[str, Any]:
    """Per-label precision/recall/F1/support, macro-F1 over labels present in truth or
    predictions, confusion matrix, genuine flagged rate and phishing+scam recall."""
    confusion = {t: {p: 0 for p in LABELS} for t in LABELS}
    for t, p in zip(truth, predicted, strict=True):
        confusion[t][p] += 1
    per_label: dict[str, dict[str, float]] = {}
    for label in LABELS:
        tp = confusion[label][label]
        support = sum(confusion[label].values())
        pred_n = sum(confusion[t][label] for t in LABELS)
        precision = tp / pred_n if pred_n else 0.0
        recall = tp / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_label[label] = {
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(f1, 4),
            "support": support,
        }
    present = [
        lab
        for lab in LABELS
        if per_label[lab]["support"] or sum(c[lab] for c in confusion.values())
    ]
    macro = sum(per_label[lab]["f1"] for lab in present) / len(present) if present else 0.0
    genuine = sum(confusion["genuine"].values())
    flagged = genuine - confusion["genuine"]["genuine"]
    fraud = [lab for lab in ("phishing", "scam") if lab in REPORT_LABELS]
    fraud_n = sum(sum(confusion[lab].values()) for lab in fraud)
    caught = sum(confusion[lab][p] for lab in fraud for p in fraud)
    return {
        "n": len(truth),
        "macro_f1": round(macro, 4),
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
    lines.append(f"messages per second    {report['messages_per_second']:.0f}")
    lines.append("")
    short = {lab: lab[:6] for lab in LABELS}
    lines.append("confusion (rows: true, columns: predicted)")
    lines.append(" " * 12 + "".join(f"{short[p]:>8}" for p in LABELS))
    for t in LABELS:
        lines.append(f"{t:<12}" + "".join(f"{report['confusion'][t][p]:>8}" for p in LABELS))
    return "\n".join(lines)
