"""Calibration and the reliability numbers `responder eval` reports."""

from __future__ import annotations

import numpy as np
import pytest

from responder.classify.training.calibration import fit_temperature, reliability


def test_reliability_hand_computed() -> None:
    truth = ["genuine", "scam", "scam", "genuine"]
    pred = ["genuine", "scam", "phishing", "scam"]
    conf = [0.95, 0.85, 0.6, 0.4]
    r = reliability(truth, pred, conf, threshold=0.55)
    assert r["accuracy"] == 0.5
    assert r["coverage"] == 0.75  # three of four at or above 0.55
    assert r["accuracy_when_sure"] == pytest.approx(2 / 3, abs=1e-4)
    # bins: 0.95 right, 0.85 right, 0.6 wrong, 0.4 wrong -> |1-.95| + |1-.85| + |0-.6| + |0-.4|
    assert r["ece"] == pytest.approx((0.05 + 0.15 + 0.6 + 0.4) / 4, abs=1e-4)


def test_temperature_softens_overconfident_logits_and_sharpens_timid_ones() -> None:
    rng = np.random.default_rng(0)
    classes = ["a", "b", "c"]
    truth_idx = rng.integers(0, 3, 600)
    logits = rng.normal(size=(600, 3))
    logits[np.arange(600), truth_idx] += 1.0  # right 60-70% of the time
    truth = [classes[i] for i in truth_idx]
    assert fit_temperature(logits * 6, truth, classes) > 2.0  # far too sure: soften
    assert fit_temperature(logits * 0.3, truth, classes) < 1.0  # too timid: sharpen
