"""Calibration: a temperature fitted on out-of-source predictions, and the numbers that say how
far confidence can be trusted (coverage above the review threshold, accuracy there, expected
calibration error)."""

from __future__ import annotations

from typing import Any

import numpy as np

TEMPERATURES = np.round(np.arange(0.3, 3.01, 0.05), 2)


def fit_temperature(logits: np.ndarray, truth: Any, classes: list[str]) -> float:
    """The temperature T minimising the log-loss of softmax(logits / T)."""
    index = {c: i for i, c in enumerate(classes)}
    y = np.asarray([index[t] for t in truth])
    best, best_loss = 1.0, np.inf
    for t in TEMPERATURES:
        z = logits / t
        z = z - z.max(axis=1, keepdims=True)
        log_probs = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        loss = -log_probs[np.arange(len(y)), y].mean()
        if loss < best_loss:
            best, best_loss = float(t), loss
    return best


def reliability(
    truth: list[str],
    predicted: list[str],
    confidence: list[float],
    threshold: float,
    bins: int = 10,
) -> dict[str, float]:
    """Accuracy; coverage (share with confidence >= threshold) and the accuracy on that share;
    expected calibration error over `bins` equal-width confidence bins."""
    if not truth:
        return {"accuracy": 0.0, "coverage": 0.0, "accuracy_when_sure": 0.0, "ece": 0.0}
    right = np.asarray([t == p for t, p in zip(truth, predicted, strict=True)], dtype=float)
    conf = np.asarray(confidence, dtype=float)
    sure = conf >= threshold
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(conf, edges[1:-1]), 0, bins - 1)
    ece = 0.0
    for b in range(bins):
        members = which == b
        if members.any():
            ece += members.mean() * abs(right[members].mean() - conf[members].mean())
    return {
        "accuracy": round(float(right.mean()), 4),
        "coverage": round(float(sure.mean()), 4),
        "accuracy_when_sure": round(float(right[sure].mean()), 4) if sure.any() else 0.0,
        "ece": round(float(ece), 4),
    }
