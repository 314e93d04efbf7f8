"""Choose the offline model's hyper-parameters by grouped cross-validation on the SEED corpus.

Folds are grouped by template (`seed-<template>-<variant>` ids) and by composition
(`compose-<name>-<i>` ids): all expansions of one template or one compose.yaml recipe fall in the
same fold, so the score says how well the model does on wording it has not seen, not how well it
recognises a near-duplicate. dev.jsonl is never read here.

    .venv/bin/python -m responder.classify.tune            # prints the CV table
    .venv/bin/python -m responder.classify.tune --folds 5
    .venv/bin/python -m responder.classify.tune --transfer   # leave one hand-written file out

`--transfer` is the stricter test of generalisation: each hand-written seed file
(`written_<topic>.jsonl`, written by a different person in their own styles) is predicted by a
model trained on everything else, and the scores pool those predictions. A model that only learns
one author's or one generator's style does badly there.
"""

from __future__ import annotations

import argparse
import itertools
import logging
import re
from typing import Any

import numpy as np

from responder.classify import offline
from responder.classify.features import feature_matrix

log = logging.getLogger(__name__)

GRID: dict[str, list[Any]] = {
    "intent_weight": [0.03, 0.1, 0.25],
    "C": [6.0, 40.0],
    # None: no character n-grams (word n-grams and intent features only; about a third faster).
    "char_range": [(3, 4), None],
}
_GROUP = re.compile(r"^(seed-\d+|compose-[\w]+?)-\d+$")
_WRITTEN = re.compile(r"^(w-[a-z]+)-\d+$")


def written_file_of(row_id: str) -> str | None:
    """The hand-written file (`w-<topic>`) a seed row comes from, None for generated rows."""
    m = _WRITTEN.match(row_id or "")
    return m.group(1) if m else None


def group_of(row_id: str) -> str:
    """The template or composition a seed row was generated from."""
    m = _GROUP.match(row_id or "")
    return m.group(1) if m else row_id


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


def cross_validate(folds: int = 4, transfer: bool = False) -> list[dict[str, Any]]:
    """One row per grid point: the pooled out-of-fold scores."""
    from scipy import sparse
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    from responder.classify.seedgen import load_seed

    rows = load_seed()
    texts = [offline.model_text(r["text"]) for r in rows]
    labels = np.asarray([r["label"] for r in rows])
    ids = [r.get("id", "") for r in rows]
    intent = feature_matrix(texts)
    splits = _splits(ids, labels, folds, transfer)
    tested = np.sort(np.concatenate([test for _train, test in splits]))
    log.info("%d rows, %d folds, %d rows scored", len(rows), len(splits), len(tested))
    results = []
    for char_range in GRID["char_range"]:
        blocks = []
        for train, _test in splits:
            word = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, max_features=40000)
            char = TfidfVectorizer(
                analyzer="char_wb",
                preprocessor=offline.char_preprocess,
                ngram_range=char_range or (3, 4),
                sublinear_tf=True,
                max_features=30000,
            )
            word.fit([texts[i] for i in train])
            parts = [word.transform(texts)]
            if char_range is not None:
                char.fit([texts[i] for i in train])
                parts.append(char.transform(texts))
            blocks.append(sparse.hstack(parts).tocsr())
        for weight, c in itertools.product(GRID["intent_weight"], GRID["C"]):
            pred = np.empty(len(texts), dtype=object)
            for (train, test), text_x in zip(splits, blocks, strict=True):
                x = sparse.hstack([text_x, sparse.csr_matrix(intent * weight)]).tocsr()
                clf = LogisticRegression(
                    C=c, class_weight="balanced", max_iter=3000, random_state=0
                )
                clf.fit(x[train], labels[train])
                pred[test] = clf.predict(x[test])
            row = {"intent_weight": weight, "C": c, "char_range": char_range}
            row.update(_scores(list(labels[tested]), list(pred[tested])))
            log.info("%s", row)
            results.append(row)
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=4)
    parser.add_argument("--transfer", action="store_true", help="leave one written file out")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    with offline._one_thread():
        results = cross_validate(args.folds, transfer=args.transfer)
    results.sort(key=lambda r: -r["macro_f1"])
    lines = ["weight      C  chars   macro_f1  genuine_flagged  phish_scam_recall"]
    for r in results:
        lines.append(
            f"{r['intent_weight']:6.2f} {r['C']:6.1f}  {r['char_range']!s:7} {r['macro_f1']:8.3f}"
            f"  {r['genuine_flagged']:15.3f}  {r['phish_scam_recall']:17.3f}"
        )
    kind = "leave-one-written-file-out" if args.transfer else "grouped CV"
    log.info("%s on the seed corpus, best first:\n%s", kind, "\n".join(lines))


if __name__ == "__main__":  # pragma: no cover - maintenance entry point
    main()
