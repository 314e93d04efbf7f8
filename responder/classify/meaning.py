"""Meaning, not only words: the sentence vectors of `encoder` feed a logistic regression and a
nearest-neighbour memory of labelled examples (the training rows, plus the user's corrections at
classification time, without retraining).

`blend` mixes the word model's, this model's and the memory's probabilities, shifts them towards
genuine (more for a message without any risk signal) and applies the calibration temperature; the
weights, shifts and temperature are chosen by leaving one source out (`training/loso.py`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression

#: Neighbours that vote.
K = 10
#: How sharply closer neighbours count more (weights exp((similarity - 1) / SHARPNESS)).
SHARPNESS = 0.05
#: A user's correction this similar to a message decides it (a near-copy of a corrected message).
CORRECTION_SIMILARITY = 0.9
#: A correction counts this many times a training row in the vote.
CORRECTION_WEIGHT = 5.0
#: The blend `train` stores, chosen by leaving one source out (`tune --sources`, 2026-12-05: 23
#: held-out sources, 12,952 rows; README, classifier section). The best setting within the flag
#: budget also gave the memory 0.2 (macro-F1 0.707, genuine flagged 4.0%, phishing+scam recall
#: 0.785); this one scores the same (0.703, 3.6%, 0.784) without the memory's vote over 20,000
#: rows per message (a third of the scoring time), so the memory serves corrections and
#: few-shot examples only. Temperature fitted on the same held-out predictions.
BLEND: dict[str, float] = {
    "w_word": 0.8,
    "w_meaning": 0.2,
    "w_memory": 0.0,
    "genuine_bias": 2.0,
    "genuine_bias_no_risk": 0.0,
    "temperature": 1.35,
}


@dataclass
class Memory:
    """Labelled vectors (unit length) the nearest-neighbour vote reads."""

    vectors: np.ndarray
    labels: np.ndarray  # class index per row
    weights: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float32))
    #: The rows' texts (for few-shot examples), when kept.
    texts: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if len(self.weights) != len(self.labels):
            self.weights = np.ones(len(self.labels), dtype=np.float32)

    def __len__(self) -> int:
        return len(self.labels)

    def matrix(self) -> np.ndarray:
        """The vectors as float32, transposed for the similarity product (made once; stored
        as float16, half the size)."""
        cached = self.__dict__.get("_matrix")
        if cached is None:
            cached = self.__dict__["_matrix"] = np.ascontiguousarray(
                self.vectors.astype(np.float32).T
            )
        return cached

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "_matrix"}


def nearest(vectors: np.ndarray, memory: Memory, k: int, floor: float) -> list[list[int]]:
    """Per vector, the indexes of its k most similar memory rows with similarity >= floor."""
    if not len(memory) or not len(vectors):
        return [[] for _ in range(len(vectors))]
    sims = vectors @ memory.matrix()
    k = min(k, len(memory))
    top = np.argsort(-sims, axis=1)[:, :k]
    return [[int(j) for j in row if sims[i, j] >= floor] for i, row in enumerate(top)]


def vote(
    vectors: np.ndarray, memory: Memory, n_classes: int, k: int = K
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(class distribution per row, best similarity per row, label of the most similar row)."""
    n = len(vectors)
    probs = np.full((n, n_classes), 1e-3, dtype=np.float64)
    if not len(memory) or not n:
        return probs / probs.sum(1, keepdims=True), np.zeros(n), np.full(n, -1)
    sims = vectors @ memory.matrix()
    k = min(k, len(memory))
    top = np.argpartition(-sims, k - 1, axis=1)[:, :k]
    top_sims = np.take_along_axis(sims, top, axis=1)
    weights = np.exp((top_sims - 1.0) / SHARPNESS) * memory.weights[top]
    rows = np.repeat(np.arange(n), k)
    np.add.at(probs, (rows, memory.labels[top].ravel()), weights.ravel())
    best = top_sims.argmax(axis=1)
    nearest = memory.labels[top[np.arange(n), best]]
    return probs / probs.sum(1, keepdims=True), top_sims.max(axis=1), nearest


@dataclass
class MeaningModel:
    """Logistic regression on [sentence vector, intent features] and the training memory."""

    clf: Any
    memory: Memory
    intent_weight: float

    def lr_proba(self, vectors: np.ndarray, intent: np.ndarray) -> np.ndarray:
        return self.clf.predict_proba(np.hstack([vectors, intent * self.intent_weight]))


def fit_meaning(
    vectors: np.ndarray,
    intent: np.ndarray,
    labels: np.ndarray,
    weights: np.ndarray,
    classes: list[str],
    intent_weight: float,
    texts: list[str] | None = None,
) -> MeaningModel:
    """Fit the sentence-vector model; the memory keeps every training row (float16)."""
    clf = LogisticRegression(C=4.0, class_weight="balanced", max_iter=2000, random_state=0)
    clf.fit(np.hstack([vectors, intent * intent_weight]), labels, sample_weight=weights)
    index = {c: i for i, c in enumerate(classes)}
    memory = Memory(
        vectors=vectors.astype(np.float16),
        labels=np.asarray([index[y] for y in labels]),
        weights=np.asarray(weights, dtype=np.float32),
        texts=list(texts or []),
    )
    return MeaningModel(clf=clf, memory=memory, intent_weight=intent_weight)


def blend(
    parts: list[np.ndarray],
    mix: list[float],
    genuine: int,
    no_risk: np.ndarray,
    params: dict[str, float],
) -> np.ndarray:
    """Mixed, shifted and calibrated probabilities (rows sum to 1)."""
    mixed = sum(w * p for w, p in zip(mix, parts, strict=True))
    logits = np.log(np.asarray(mixed) / sum(mix) + 1e-9)
    logits[:, genuine] += params["genuine_bias"] + params["genuine_bias_no_risk"] * no_risk
    logits /= params["temperature"]
    logits -= logits.max(axis=1, keepdims=True)
    out = np.exp(logits)
    return out / out.sum(axis=1, keepdims=True)
