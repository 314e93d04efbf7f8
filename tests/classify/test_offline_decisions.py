"""The offline model's decision parts: word normalisation, the benefit of the doubt towards
genuine (larger for a message without any risk signal), and the directed-abuse rule."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from responder.classify import offline as off
from responder.classify.combine import apply_rules
from responder.classify.features import FEATURE_NAMES, feature_vector
from responder.classify.signals import compute_signals


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Call 09061 701 461 now", "call  PHONE  now"),
        ("win £1,000 today", "win  MONEY  today"),
        ("txt WIN to 87066", "txt win to  CODE "),
        ("see https://bit.ly/x for more", "see  LINK  for more"),
        ("u r 2 late", "u r 2 late"),
        ("room 42", "room  NUM "),
    ],
)
def test_normalize_words(text: str, expected: str) -> None:
    assert off.normalize_words(text) == expected


def _subset_model() -> off.OfflineModel:
    return off.train(off.seed_rows()[::4])


def test_genuine_shift_is_larger_without_risk_signals() -> None:
    model = _subset_model()
    clf = model.pipeline.named_steps["clf"]
    g = list(clf.classes_).index("genuine")
    plain = copy.deepcopy(model)
    pclf = plain.pipeline.named_steps["clf"]
    # Undo the shift train() applied, to compare with and without it.
    column = pclf.coef_.shape[1] - len(FEATURE_NAMES) + FEATURE_NAMES.index("no_risk")
    pclf.intercept_[g] -= off.HYPERPARAMS["genuine_bias"]
    pclf.coef_[g, column] -= (
        off.HYPERPARAMS["genuine_bias_no_risk"] / off.HYPERPARAMS["intent_weight"]
    )
    quiet = "are you around later? the kids want to see the new film"
    risky = "your parcel is waiting, pay the customs fee at http://parcel-fee.top/pay"
    assert feature_vector(quiet)[FEATURE_NAMES.index("no_risk")] == 1.0
    assert feature_vector(risky)[FEATURE_NAMES.index("no_risk")] == 0.0
    shifted = model.predict_proba([quiet, risky])
    before = plain.predict_proba([quiet, risky])

    def odds(p: np.ndarray) -> float:
        return float(p[g] / (1 - p[g]))

    gain_quiet = odds(shifted[0]) / odds(before[0])
    gain_risky = odds(shifted[1]) / odds(before[1])
    assert gain_quiet > gain_risky > 1.0
    assert gain_risky < np.exp(off.HYPERPARAMS["genuine_bias"]) * 1.01


@pytest.mark.parametrize(
    "text",
    [
        "u motherfucking whore",
        "fuck u",
        "shut up you stupid bitch",
        "you are a worthless idiot and a fat pig",
    ],
)
def test_directed_abuse_is_harassment_for_the_offline_model(text: str) -> None:
    from responder.classify.result import ClassificationResult

    sig = compute_signals(text)
    assert "abuse_directed" in sig
    base = ClassificationResult("genuine", 0.6, [], {}, "offline")
    assert apply_rules(base, sig).label == "harassment"
    # An LLM's answer stands: it reads banter better than a word list.
    llm = ClassificationResult("genuine", 0.6, [], {}, "llm")
    assert apply_rules(llm, sig).label == "genuine"


@pytest.mark.parametrize(
    "text",
    [
        "ur such an idiot lol, you left your keys again",
        "sorry I'm such an idiot, I forgot your birthday",
        "the idiot at the garage charged me twice, can you help me write a complaint?",
        "haha shut up you muppet 😂",
        "Thanks for the update on the contract, see you Tuesday",
    ],
)
def test_banter_and_third_parties_are_not_directed_abuse(text: str) -> None:
    assert "abuse_directed" not in compute_signals(text)


def test_tune_decide_adds_more_towards_genuine_without_risk() -> None:
    from responder.classify.training.tune import decide

    classes = np.asarray(["genuine", "scam"])
    proba = np.asarray([[0.2, 0.8], [0.2, 0.8]])
    pred = decide(proba, classes, np.asarray([1.0, 0.0]), bias=0.5, no_risk_bias=1.5)
    assert list(pred) == ["genuine", "scam"]


def test_tune_choose_prefers_recall_within_the_flag_budget() -> None:
    from responder.classify.training.tune import MAX_FLAGGED, choose

    rows = [
        {"genuine_flagged": MAX_FLAGGED + 0.01, "phish_scam_recall": 0.99, "macro_f1": 0.9},
        {"genuine_flagged": MAX_FLAGGED, "phish_scam_recall": 0.90, "macro_f1": 0.7},
        {"genuine_flagged": 0.01, "phish_scam_recall": 0.85, "macro_f1": 0.8},
    ]
    assert choose(rows) is rows[1]
