"""Choose the offline model's hyper-parameters by cross-validation on the SEED corpus.

Two ways to hold data out (dev.jsonl is never read here):

* grouped k-fold (default): folds grouped by template (`seed-<template>-<variant>` ids) and by
  composition (`compose-<name>-<i>` ids), so near-duplicates never sit on both sides of a split;
* `--transfer`: leave one hand-written file out. Each `written_<topic>.jsonl` was written by a
  different person in their own styles; it is predicted by a model trained on everything else and
  the scores pool those predictions. This is the stricter test of generalisation (a model that
  learns one author's or one generator's style does badly), and the one the shipped settings are
  chosen by.

Predictions go through the same high-precision rules as the product (`combine.rule_label` and the
offline-only rules). The genuine shifts (`genuine_bias` for every message, `no_risk_bias` more for
a message without a link, phone number or fraud ask) are applied to the held-out probabilities, as
`offline.shift_towards_genuine` does in the model.

Choice: among settings that flag at most MAX_FLAGGED of the held-out genuine messages, the highest
phishing+scam recall (never reply to a scammer), then the highest macro-F1.

    .venv/bin/python -m responder.classify.training.tune --transfer
    .venv/bin/python -m responder.classify.training.tune --folds 5

Measured 2026-11-26 (`--transfer`: 12 hand-written files, 5,794 held-out rows of 12,807; intent
weight 0.1, no character n-grams; 120 settings, excerpt):

    C   class_weight  bias  no_risk   macro_f1  genuine_flagged  phish_scam_recall
    40  balanced      0.0   0.0       0.834     0.159            0.908   (best macro-F1)
    15  balanced      0.0   0.0       0.832     0.165            0.902
    15  balanced      1.0   1.0       0.790     0.045            0.853   (flags too many)
    15  balanced      1.0   1.5       0.771     0.040            0.847   <- chosen
    15  None          0.5   1.5       0.763     0.041            0.847
    15  None          1.5   0.0       0.775     0.036            0.823   (one shift for all)

Without the shifts a held-out genuine message is flagged one time in six; the shift for messages
without risk signals keeps phishing+scam recall 2-3 points higher than one shift for all at the
same flagged rate.

Earlier runs: intent weight 0.1 beat 0.3 and 1.0 at every setting; character n-grams (3-4) add
about 0.01-0.02 macro-F1 at the same flagged rate, for about 40% more scoring time: left out.
"""

from __future__ import annotations

import argparse
import itertools
import logging
import re
from typing import Any

import numpy as np

from responder.classify import offline
from responder.classify.combine import offline_rule_label, rule_label
from responder.classify.features import FEATURE_NAMES, feature_matrix
from responder.classify.signals import compute_signals
from responder.classify.training import loso
from responder.classify.training.seedgen import load_seed

log = logging.getLogger(__name__)

GRID: dict[str, list[Any]] = {
    "C": [6.0, 15.0, 40.0],
    "class_weight": [None, "balanced"],
    "genuine_bias": [0.0, 0.5, 1.0, 1.5, 2.0],
    "no_risk_bias": [0.0, 0.5, 1.0, 1.5],
}
#: The most held-out genuine messages a setting may flag (the product's target is 3% on real
#: inboxes; held-out seed files are full of deliberately hard negatives).
MAX_FLAGGED = 0.04
_GROUP = re.compile(r"^(seed-\d+|compose-[\w]+?)-\d+$")
_WRITTEN = re.compile(r"^(w-[a-z]+)-\d+$")


def group_of(row_id: str) -> str:
    """The template or composition a seed row was generated from."""
    m = _GROUP.match(row_id or "")
    return m.group(1) if m else row_id


def written_file_of(row_id: str) -> str | None:
    """The hand-written file (`w-<topic>`) a seed row comes from, None for generated rows."""
    m = _WRITTEN.match(row_id or "")
    return m.group(1) if m else None


def _scores(y_true: list[str], y_pred: list[str]) -> dict[str, float]:
    from sklearn.metrics import f1_score

    true, pred = np.asarray(y_true), np.asarray(y_pred)
    genuine = true == "genuine"
    bad = np.isin(true, ["phishing", "scam"])
    return {
        "macro_f1": float(f1_score(true, pred, average="macro")),
        "genuine_flagged": float((pred[genuine] != "genuine").mean()) if genuine.any() else 0.0,
        "phish_scam_recall": float(np.isin(pred[bad], ["phishing", "scam"]).mean()),
    }


def _splits(ids: list[str], labels: np.ndarray, folds: int, transfer: bool) -> list[Any]:
    from sklearn.model_selection import GroupKFold

    if not transfer:
        groups = [group_of(i) for i in ids]
        return list(GroupKFold(n_splits=folds).split(ids, labels, groups))
    files = [written_file_of(i) for i in ids]
    out = []
    for name in sorted({f for f in files if f}):
        test = np.asarray([i for i, f in enumerate(files) if f == name])
        train = np.asarray([i for i, f in enumerate(files) if f != name])
        out.append((train, test))
    if not out:
        raise SystemExit("--transfer needs hand-written seed files (written_*.jsonl)")
    return out


def _rules(texts: list[str]) -> list[str | None]:
    """The label a high-precision rule gives each text, if any (as in the product)."""

    out: list[str | None] = []
    for text in texts:
        sig = compute_signals(text)
        ruled = rule_label(sig) or offline_rule_label(sig)
        out.append(ruled[0] if ruled else None)
    return out


def decide(
    proba: np.ndarray, classes: np.ndarray, no_risk: np.ndarray, bias: float, no_risk_bias: float
) -> np.ndarray:
    """Labels after the genuine shifts (log-odds added to genuine)."""
    logits = np.log(proba + 1e-12)
    logits[:, list(classes).index("genuine")] += bias + no_risk_bias * no_risk
    return classes[logits.argmax(axis=1)]


def cross_validate(folds: int = 4, transfer: bool = False) -> list[dict[str, Any]]:
    """One row per grid point: the pooled held-out scores."""
    from scipy import sparse
    from sklearn.linear_model import LogisticRegression

    rows = load_seed()
    texts = [offline.model_text(r["text"]) for r in rows]
    labels = np.asarray([r["label"] for r in rows])
    ids = [r.get("id", "") for r in rows]
    weight = offline.HYPERPARAMS["intent_weight"]
    intent = feature_matrix(texts)
    no_risk = intent[:, FEATURE_NAMES.index("no_risk")]
    ruled = _rules(texts)
    splits = _splits(ids, labels, folds, transfer)
    tested = np.sort(np.concatenate([test for _train, test in splits]))
    log.info("%d rows, %d folds, %d rows scored", len(rows), len(splits), len(tested))
    blocks = []
    for train, _test in splits:
        word = offline.word_vectorizer()
        word.fit([texts[i] for i in train])
        x = sparse.hstack([word.transform(texts), sparse.csr_matrix(intent * weight)]).tocsr()
        blocks.append(x)
    results = []
    for c, class_weight in itertools.product(GRID["C"], GRID["class_weight"]):
        proba = np.zeros((len(texts), len(set(labels))))
        classes = np.asarray(sorted(set(labels)))
        for (train, test), x in zip(splits, blocks, strict=True):
            clf = LogisticRegression(C=c, class_weight=class_weight, max_iter=3000, random_state=0)
            clf.fit(x[train], labels[train])
            proba[test] = clf.predict_proba(x[test])
            classes = clf.classes_
        for bias, extra in itertools.product(GRID["genuine_bias"], GRID["no_risk_bias"]):
            pred = decide(proba[tested], classes, no_risk[tested], bias, extra)
            pred = np.asarray([ruled[i] or p for i, p in zip(tested, pred, strict=True)])
            row = {"C": c, "class_weight": class_weight, "genuine_bias": bias}
            row["no_risk_bias"] = extra
            row.update(_scores(list(labels[tested]), list(pred)))
            results.append(row)
        log.info("C=%s class_weight=%s done", c, class_weight)
    return results


def choose(results: list[dict[str, Any]]) -> dict[str, Any]:
    """The setting the module docstring describes."""
    allowed = [r for r in results if r["genuine_flagged"] <= MAX_FLAGGED] or results
    return max(allowed, key=lambda r: (round(r["phish_scam_recall"], 3), r["macro_f1"]))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=4)
    parser.add_argument("--transfer", action="store_true", help="leave one written file out")
    parser.add_argument(
        "--sources",
        action="store_true",
        help="leave one source out (seed files and public corpora): the blend of the word model, "
        "the sentence-vector model and the memory, shifts and temperature (training/loso.py)",
    )
    parser.add_argument("--save", help="with --sources: write the held-out predictions here")
    parser.add_argument("--load", help="with --sources: choose from predictions saved before")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if args.sources:
        with offline._one_thread():
            loso.run(save=args.save, load=args.load)
        return
    with offline._one_thread():
        results = cross_validate(args.folds, transfer=args.transfer)
    results.sort(key=lambda r: -r["macro_f1"])
    lines = ["    C  class_weight  bias  no_risk  macro_f1  genuine_flagged  phish_scam_recall"]
    for r in results:
        lines.append(
            f"{r['C']:5.0f}  {r['class_weight']!s:12}  {r['genuine_bias']:4.1f}"
            f"  {r['no_risk_bias']:7.1f}  {r['macro_f1']:8.3f}  {r['genuine_flagged']:15.3f}"
            f"  {r['phish_scam_recall']:17.3f}"
        )
    kind = "leave-one-written-file-out" if args.transfer else "grouped CV"
    log.info("%s on the seed corpus, best macro-F1 first:\n%s", kind, "\n".join(lines))
    log.info("chosen (at most %.0f%% genuine flagged): %s", MAX_FLAGGED * 100, choose(results))


if __name__ == "__main__":  # pragma: no cover - maintenance entry point
    main()
