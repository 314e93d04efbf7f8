"""Model selection by leaving one SOURCE out: every hand-written seed file and every public
corpus is predicted in turn by models trained on all the other sources (the generated seed is
always trained on, never held out). dev.jsonl is never read here.

For each held-out source the three parts of the offline model are fitted on the rest: the word
model (TF-IDF + intent features, logistic regression), the sentence-vector model and the
nearest-neighbour memory. Their pooled out-of-source probabilities then choose the blend weights
and the shifts towards genuine (within MAX_FLAGGED of genuine messages flagged, the best
macro-F1 + phishing/scam recall), and the calibration temperature (lowest log-loss). The high-
precision rules of the product are applied as in `combine`.

    .venv/bin/python -m responder.classify.training.tune --sources
"""

from __future__ import annotations

import itertools
import logging
from typing import Any

import joblib
import numpy as np

from responder.classify.combine import offline_rule_label, rule_label
from responder.classify.encoder import get_encoder
from responder.classify.features import FEATURE_NAMES, feature_matrix
from responder.classify.meaning import fit_meaning, vote
from responder.classify.offline import model_text
from responder.classify.offline_pipeline import HYPERPARAMS, build_pipeline
from responder.classify.signals import compute_signals
from responder.classify.training.calibration import fit_temperature, reliability
from responder.classify.training.corpora import training_rows
from responder.classify.training.evaluate import metrics

log = logging.getLogger(__name__)
#: Held-out genuine messages a setting may flag. The product's target is 3% on real inboxes;
#: held-out sources are full of deliberately hard negatives (the previous model flagged 4% here
#: and 1.2% on the maintainers' hidden set).
MAX_FLAGGED = 0.04
#: Weights of (word model, sentence-vector model, memory).
MIXES = list(itertools.product([0.2, 0.4, 0.6, 0.8], [0.0, 0.2, 0.4], [0.0, 0.2]))
BIASES = [0.0, 0.5, 1.0, 1.5, 2.0, 2.5]
NO_RISK = [0.0, 0.5, 1.0]


def out_of_source(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Held-out probabilities of each part for every row of a held-out source."""
    texts = [model_text(r["text"]) for r in rows]
    labels = np.asarray([r["label"] for r in rows])
    weights = np.asarray([float(r["weight"]) for r in rows])
    sources = np.asarray([r["source"] for r in rows])
    vectors = get_encoder().encode(texts)
    intent = feature_matrix(texts)
    classes = sorted(set(labels))
    parts = [np.zeros((len(rows), len(classes))) for _ in range(3)]
    held = sorted(s for s in set(sources) if s != "generated")
    for source in held:
        test = np.flatnonzero(sources == source)
        train = np.flatnonzero(sources != source)
        pipe = build_pipeline()
        pipe.fit([texts[i] for i in train], labels[train], clf__sample_weight=weights[train])
        parts[0][test] = pipe.predict_proba([texts[i] for i in test])
        meaning = fit_meaning(
            vectors[train],
            intent[train],
            labels[train],
            weights[train],
            classes,
            HYPERPARAMS["intent_weight"],
        )
        parts[1][test] = meaning.lr_proba(vectors[test], intent[test])
        parts[2][test] = vote(vectors[test], meaning.memory, len(classes))[0]
        log.info("held out %s (%d rows)", source, len(test))
    tested = np.flatnonzero(sources != "generated")
    ruled = []
    for i in tested:
        sig = compute_signals(texts[i])
        found = rule_label(sig) or offline_rule_label(sig)
        ruled.append(found[0] if found else None)
    return {
        "parts": [p[tested] for p in parts],
        "labels": labels[tested],
        "sources": sources[tested],
        "no_risk": intent[tested, FEATURE_NAMES.index("no_risk")],
        "ruled": ruled,
        "classes": classes,
    }


def _blend(oos: dict[str, Any], mix: tuple[float, ...], bias: float, extra: float) -> np.ndarray:
    mixed = sum(w * p for w, p in zip(mix, oos["parts"], strict=True)) / sum(mix)
    logits = np.log(mixed + 1e-9)
    logits[:, oos["classes"].index("genuine")] += bias + extra * oos["no_risk"]
    return logits


def decide(oos: dict[str, Any], logits: np.ndarray) -> list[str]:
    classes = np.asarray(oos["classes"])
    picked = classes[logits.argmax(axis=1)]
    return [r or p for r, p in zip(oos["ruled"], picked, strict=True)]


def choose(oos: dict[str, Any]) -> tuple[dict[str, float], list[dict[str, Any]]]:
    """The chosen blend (with temperature) and every setting's pooled scores."""
    table = []
    classes = oos["classes"]
    truth = np.asarray([classes.index(t) for t in oos["labels"]])
    ruled = np.asarray([classes.index(r) if r else -1 for r in oos["ruled"]])
    for mix, bias, extra in itertools.product(MIXES, BIASES, NO_RISK):
        picked = _blend(oos, mix, bias, extra).argmax(axis=1)
        scores = _fast_scores(truth, np.where(ruled >= 0, ruled, picked), classes)
        table.append({"mix": mix, "genuine_bias": bias, "genuine_bias_no_risk": extra, **scores})
    allowed = [r for r in table if r["genuine_flagged"] <= MAX_FLAGGED] or table
    best = max(allowed, key=lambda r: r["macro_f1"] + 0.5 * r["phish_scam_recall"])
    logits = _blend(oos, best["mix"], best["genuine_bias"], best["genuine_bias_no_risk"])
    temperature = fit_temperature(logits, oos["labels"], oos["classes"])
    params = {
        "w_word": best["mix"][0],
        "w_meaning": best["mix"][1],
        "w_memory": best["mix"][2],
        "genuine_bias": best["genuine_bias"],
        "genuine_bias_no_risk": best["genuine_bias_no_risk"],
        "temperature": temperature,
    }
    return params, table


def _fast_scores(truth: np.ndarray, pred: np.ndarray, classes: list[str]) -> dict[str, float]:
    """`evaluate.metrics`' three headline numbers from class indexes (the grid is large)."""
    n = len(classes)
    cm = np.bincount(truth * n + pred, minlength=n * n).reshape(n, n)
    tp = np.diag(cm)
    precision = tp / np.maximum(cm.sum(axis=0), 1)
    recall = tp / np.maximum(cm.sum(axis=1), 1)
    f1 = np.where(
        precision + recall > 0, 2 * precision * recall / np.maximum(precision + recall, 1e-12), 0.0
    )
    present = (cm.sum(axis=0) + cm.sum(axis=1)) > 0
    g = classes.index("genuine")
    fraud = [classes.index("phishing"), classes.index("scam")]
    return {
        "macro_f1": round(float(f1[present].mean()), 4),
        "genuine_flagged": round(float(1 - cm[g, g] / max(cm[g].sum(), 1)), 4),
        "phish_scam_recall": round(
            float(cm[np.ix_(fraud, fraud)].sum() / max(cm[fraud].sum(), 1)), 4
        ),
    }


def per_source(oos: dict[str, Any], params: dict[str, float], threshold: float) -> list[str]:
    """A table line per held-out source (and all) with the chosen parameters."""
    mix = (params["w_word"], params["w_meaning"], params["w_memory"])
    logits = _blend(oos, mix, params["genuine_bias"], params["genuine_bias_no_risk"])
    logits = logits / params["temperature"]
    probs = np.exp(logits - logits.max(axis=1, keepdims=True))
    probs /= probs.sum(axis=1, keepdims=True)
    predicted = np.asarray(decide(oos, logits))
    confidence = probs.max(axis=1)
    lines = [
        f"{'source':24} {'n':>5} {'macroF1':>8} {'acc':>6} {'gen.flag':>8} {'ph+sc rec':>9}"
        f" {'covered':>8} {'acc sure':>8} {'ECE':>6}"
    ]
    for source in [*sorted(set(oos["sources"])), "ALL"]:
        idx = np.arange(len(predicted)) if source == "ALL" else oos["sources"] == source
        truth, pred = list(oos["labels"][idx]), list(predicted[idx])
        m = metrics(truth, pred)
        cal = reliability(truth, pred, list(confidence[idx]), threshold)
        lines.append(
            f"{source:24} {len(truth):5d} {m['macro_f1']:8.3f} {cal['accuracy']:6.3f}"
            f" {m['genuine_flagged_rate']:8.3f} {m['phishing_scam_recall']:9.3f}"
            f" {cal['coverage']:8.3f} {cal['accuracy_when_sure']:8.3f} {cal['ece']:6.3f}"
        )
    return lines


def run(
    threshold: float = 0.55, save: str | None = None, load: str | None = None
) -> dict[str, float]:
    """Held-out predictions, the choice and the per-source table (logged); `save`: also write
    the held-out predictions there (joblib); `load`: choose from predictions saved before."""
    oos = joblib.load(load) if load else out_of_source(training_rows())
    if save:
        joblib.dump(oos, save)
    params, table = choose(oos)
    table.sort(key=lambda r: -(r["macro_f1"] + 0.5 * r["phish_scam_recall"]))
    log.info("best settings (macro-F1 + recall/2):")
    for r in table[:8]:
        log.info("%s", r)
    log.info("chosen: %s", params)
    log.info("per held-out source:\n%s", "\n".join(per_source(oos, params, threshold)))
    return params
