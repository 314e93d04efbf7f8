"""The offline model: a fitted scikit-learn pipeline (see `offline_pipeline`) with its version,
trained on the team's seed corpus plus the user's corrections, and how it is stored.

Artifacts are versioned under `<data_dir>/models/` (`offline-v<UTC timestamp>-<hash>.joblib`, with
a `current` pointer file). Without a user artifact, the seed model shipped in the package is used
(or, when the seed or the feature code changed, trained at first use, about a second, and cached).
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import sklearn
from scipy import sparse
from threadpoolctl import ThreadpoolController, threadpool_limits

from responder.classify.cues import FEATURE_CHARS
from responder.classify.encoder import get_encoder
from responder.classify.features import FEATURE_NAMES, feature_matrix
from responder.classify.meaning import (
    BLEND,
    CORRECTION_SIMILARITY,
    MeaningModel,
    Memory,
    blend,
    fit_meaning,
    vote,
)
from responder.classify.offline_pipeline import (  # noqa: F401 - names older artifacts unpickle
    HYPERPARAMS,
    PLACEHOLDERS,
    STOP_WORDS,
    build_pipeline,
    char_preprocess,
    intent_weight,
    normalize_words,
    shift_towards_genuine,
    word_vectorizer,
)
from responder.classify.offline_pipeline import intent_block as _intent  # noqa: F401 - ditto
from responder.classify.training.corpora import training_rows
from responder.taxonomy import LABELS

log = logging.getLogger(__name__)
#: Bump when features or hyper-parameters change: cached artifacts are then rebuilt.
MODEL_VERSION = 6
_lock = threading.Lock()
#: Characters of a training row kept in the memory for few-shot examples.
EXAMPLE_CHARS = 600
_memo: dict[str, OfflineModel] = {}
#: The seed model shipped with the package (rebuilt by `python -m responder.classify.offline`).
SHIPPED_DIR = Path(__file__).resolve().parent.parent / "data" / "model"
#: The files whose content is part of a model's version (the feature code and the lexicon).
FEATURE_FILES = (
    "lexicon.yaml",
    "lexicon.py",
    "cues.py",
    "features.py",
    "offline.py",
    "offline_pipeline.py",
    "links.py",
    "signals.py",
    "meaning.py",
    "encoder.py",
)


def _one_thread() -> Any:
    """BLAS threads oversubscribe a shared machine (10x slower fits); one core is plenty here."""
    return threadpool_limits(limits=1)


_controller: ThreadpoolController | None = None


def _one_thread_cached() -> Any:
    """`_one_thread` for scoring: finding the thread pools takes milliseconds, so it is done once
    (at the first call, when NumPy, SciPy and scikit-learn are loaded), not per call."""
    global _controller
    if _controller is None:
        _controller = ThreadpoolController()
    return _controller.limit(limits=1)


def _fast_config() -> Any:
    """scikit-learn without its per-call input checks: the input is always a list of strings
    and the features finite (the checks cost milliseconds: the latency of one message)."""
    return sklearn.config_context(assume_finite=True, skip_parameter_validation=True)


def model_text(text: str, subject: str | None = None) -> str:
    """What the model reads: subject and body, cut at FEATURE_CHARS (the same key the signals'
    cue counts are memoised under)."""
    full = f"{subject}\n{text}" if subject else (text or "")
    return full[:FEATURE_CHARS]


@dataclass
class TrainingRow:
    text: str
    label: str
    weight: float = 1.0


@dataclass
class Scored:
    """What the model says about a batch: blended probabilities, the word n-grams behind each
    label, and per text the label of the user's correction it is a near-copy of (or None)."""

    probs: np.ndarray
    terms: list[list[str]]
    corrected: list[str | None]


@dataclass
class OfflineModel:
    pipeline: Any
    version: str
    meta: dict[str, Any] = field(default_factory=dict)
    #: Sentence-vector model and memory (None: words only, as models before version 6).
    meaning: MeaningModel | None = None
    params: dict[str, float] = field(default_factory=lambda: dict(BLEND))

    @property
    def labels(self) -> list[str]:
        return [str(c) for c in self.pipeline.classes_]

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        return self.score(texts).probs

    def predict_explain(self, texts: list[str], k: int = 4) -> tuple[np.ndarray, list[list[str]]]:
        scored = self.score(texts, k=k)
        return scored.probs, scored.terms

    def parts(self, texts: list[str]) -> tuple[list[np.ndarray], np.ndarray, np.ndarray, Any]:
        """([word, meaning, memory] probabilities, sentence vectors, intent features, word
        block); the word model's only when there is no meaning model."""
        word, block = self._score(texts)
        if self.meaning is None:
            return [word], np.zeros((len(texts), 0), np.float32), np.zeros((0, 0)), block
        vectors = get_encoder().encode(texts)
        intent = feature_matrix(texts)
        lr = self.meaning.lr_proba(vectors, intent)
        if self.params["w_memory"] > 0:
            memory = vote(vectors, self.meaning.memory, len(self.labels))[0]
        else:  # not in the blend: skip the vote (a third of the scoring time)
            memory = np.zeros_like(lr)
        return [word, lr, memory], vectors, intent, block

    def score(self, texts: list[str], corrections: Memory | None = None, k: int = 4) -> Scored:
        """Blended probabilities and reasons; a near-copy of a corrected message takes the
        correction's label (`corrections`: the user's corrected messages)."""
        parts, vectors, intent, block = self.parts(texts)
        labels = self.labels
        if self.meaning is None:
            probs = parts[0]
        else:
            no_risk = intent[:, FEATURE_NAMES.index("no_risk")]
            mix = [self.params["w_word"], self.params["w_meaning"], self.params["w_memory"]]
            probs = blend(parts, mix, labels.index("genuine"), no_risk, self.params)
        corrected: list[str | None] = [None] * len(texts)
        if corrections is not None and len(corrections) and len(vectors):
            probs = probs.copy()
            _p, sims, nearest = vote(vectors, corrections, len(labels), k=1)
            for i in np.flatnonzero(sims >= CORRECTION_SIMILARITY).tolist():
                corrected[i] = labels[int(nearest[i])]
                probs[i] *= 0.15
                probs[i, int(nearest[i])] += 0.85
        return Scored(probs, self._terms(probs, block, k), corrected)

    def _terms(self, probs: np.ndarray, block: Any, k: int) -> list[list[str]]:
        """Per text, the word n-grams that pushed most towards its label."""
        coef = self.pipeline.named_steps["clf"].coef_
        data, indices, indptr = block.data, block.indices, block.indptr
        terms: list[list[str]] = []
        if not len(probs):
            return terms
        # Each word n-gram's push towards its row's label, for all rows at once.
        rows = np.repeat(np.arange(len(probs)), np.diff(indptr))
        all_scores = data * coef[probs.argmax(axis=1)[rows], indices]
        pushing = np.bincount(rows[all_scores > 0.05], minlength=len(probs)).tolist()
        bounds = indptr.tolist()
        term = self._term
        for i in range(len(probs)):
            if not pushing[i]:
                terms.append([])
                continue
            start, end = bounds[i], bounds[i + 1]
            scores = all_scores[start:end]
            order = np.argsort(-scores)[: k * 3].tolist()
            values, idx = scores.tolist(), indices[start:end].tolist()
            picked = [term(idx[j]) for j in order if values[j] > 0.05]
            terms.append([t for t, stop in picked if not stop][:k])
        return terms

    def _term(self, index: int) -> tuple[str, bool]:
        """A word n-gram's text and whether it contains a stop word (memoised)."""
        cache = self.meta.setdefault("_terms", {})
        found = cache.get(index)
        if found is None:
            union = self.pipeline.named_steps["features"]
            text = str(self._vocab(union.transformer_list[0][1])[index])
            shown = " ".join(PLACEHOLDERS.get(word, word) for word in text.split())
            found = cache[index] = (shown, bool(STOP_WORDS.intersection(text.split())))
        return found

    def _score(self, texts: list[str]) -> tuple[np.ndarray, sparse.csr_matrix]:
        """Probabilities and the word n-gram block (CSR, one row per text)."""
        union = self.pipeline.named_steps["features"]
        with _fast_config(), _one_thread_cached():
            features = union.transform(texts)
            probs = self.pipeline.named_steps["clf"].predict_proba(features)
        n_words = len(self._vocab(union.transformer_list[0][1]))
        return probs, sparse.csr_matrix(features[:, :n_words]).sorted_indices()

    def _vocab(self, vectorizer: Any) -> np.ndarray:
        cached = self.meta.get("_vocab")
        if cached is None:
            cached = vectorizer.get_feature_names_out()
            self.meta["_vocab"] = cached
        return cached

    def intent_contributions(self, text: str, label: str) -> dict[str, float]:
        """Per intent feature, how much it pushed towards `label` (positive = towards)."""
        clf = self.pipeline.named_steps["clf"]
        row = list(self.labels).index(label)
        values = feature_matrix([text])[0] * intent_weight(self.pipeline)
        coef = clf.coef_[row, -len(FEATURE_NAMES) :]
        return {n: float(v * c) for n, v, c in zip(FEATURE_NAMES, values, coef, strict=True) if v}


def rows_hash(rows: list[TrainingRow]) -> str:
    """Version of a model: training rows, model version and the feature code (lexicons)."""
    h = hashlib.sha256(f"v{MODEL_VERSION}".encode())
    here = Path(__file__).parent
    for name in FEATURE_FILES:
        h.update((here / name).read_bytes())
    for r in rows:
        h.update(json.dumps([r.text, r.label, r.weight], ensure_ascii=False).encode())
    return h.hexdigest()[:12]


def train(rows: list[TrainingRow]) -> OfflineModel:
    """Fit a model on these rows (deterministic: fixed seeds, fixed order)."""
    labels = {r.label for r in rows}
    missing = set(LABELS) - labels
    if missing:
        raise ValueError(f"training data lacks labels: {sorted(missing)}")
    pipe = build_pipeline()
    texts = [r.text for r in rows]
    labels = np.asarray([r.label for r in rows])
    weights = np.asarray([r.weight for r in rows])
    with _one_thread():
        pipe.fit(texts, labels, clf__sample_weight=weights)
        meaning = fit_meaning(
            get_encoder().encode(texts),
            feature_matrix(texts),
            labels,
            weights,
            [str(c) for c in pipe.classes_],
            HYPERPARAMS["intent_weight"],
            texts=[t[:EXAMPLE_CHARS] for t in texts],
        )
    meta = {"rows": len(rows), "trained_at": datetime.now(UTC).isoformat()}
    return OfflineModel(
        pipeline=pipe, version=rows_hash(rows), meta=meta, meaning=meaning, params=dict(BLEND)
    )


def seed_rows() -> list[TrainingRow]:
    """The shipped model's training rows: the team's seed (weight 1) and the public corpora
    (weighed per source, `training.corpora.SOURCE_WEIGHTS`)."""
    return [TrainingRow(r["text"], r["label"], r["weight"]) for r in training_rows()]


# --- artifacts -----------------------------------------------------------------------------------


def models_dir(data_dir: Path) -> Path:
    return data_dir / "models"


def save(model: OfflineModel, data_dir: Path) -> Path:
    """Write a versioned artifact and point `current` at it."""
    folder = models_dir(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = folder / f"offline-v{stamp}-{model.version}.joblib"
    joblib.dump(_payload(model), path)
    tmp = folder / "current.tmp"
    tmp.write_text(path.name, encoding="utf-8")
    tmp.replace(folder / "current")
    log.info("saved offline model %s", path)
    return path


def _payload(model: OfflineModel) -> dict[str, Any]:
    meta = {k: v for k, v in model.meta.items() if not k.startswith("_")}
    return {
        "pipeline": model.pipeline,
        "version": model.version,
        "meta": meta,
        "meaning": model.meaning,
        "params": model.params,
    }


def _load_file(path: Path) -> OfflineModel:
    data = joblib.load(path)
    return OfflineModel(
        pipeline=data["pipeline"],
        version=data["version"],
        meta=data["meta"],
        meaning=data.get("meaning"),
        params=data.get("params") or dict(BLEND),
    )


def load_current(data_dir: Path) -> OfflineModel | None:
    """The user's current artifact (`responder train`), or None."""
    pointer = models_dir(data_dir) / "current"
    if not pointer.exists():
        return None
    path = models_dir(data_dir) / pointer.read_text(encoding="utf-8").strip()
    try:
        return _load_file(path)
    except (OSError, KeyError, ValueError, EOFError, AttributeError) as exc:
        log.warning("cannot load offline model %s (%s); using the seed model", path, exc)
        return None


def seed_model(data_dir: Path) -> OfflineModel:
    """The model trained on the seed corpus only: memoised, cached on disk, trained when absent."""
    rows = seed_rows()
    version = rows_hash(rows)
    with _lock:
        if version in _memo:
            return _memo[version]
        cache = models_dir(data_dir) / f"seed-{version}.joblib"
        model = None
        for candidate in (SHIPPED_DIR / f"seed-{version}.joblib", cache):
            if model is None and candidate.exists():
                try:
                    model = _load_file(candidate)
                except Exception as exc:  # noqa: BLE001 - e.g. another scikit-learn version
                    log.info("cannot load %s (%s); retraining", candidate, exc)
                    model = None
        if model is None:
            model = train(rows)
            cache.parent.mkdir(parents=True, exist_ok=True)
            joblib.dump(_payload(model), cache)
        _memo[version] = model
        return model


def ship_seed_model() -> Path:
    """Train the seed model and store it in the package (maintainers, after changing the seed)."""
    SHIPPED_DIR.mkdir(parents=True, exist_ok=True)
    for old in SHIPPED_DIR.glob("seed-*.joblib"):
        old.unlink()
    model = train(seed_rows())
    path = SHIPPED_DIR / f"seed-{model.version}.joblib"
    joblib.dump(_payload(model), path, compress=3)
    return path


def load_model(data_dir: Path) -> OfflineModel:
    """The user's artifact if there is one, else the seed model."""
    try:  # the folder where `responder train` writes; others (backups, snapshots) expect it
        models_dir(data_dir).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        log.debug("cannot create %s: %s", models_dir(data_dir), exc)
    return load_current(data_dir) or seed_model(data_dir)


if __name__ == "__main__":  # pragma: no cover - maintenance entry point
    logging.basicConfig(level=logging.INFO)
    # Pickles reference the pipeline's functions in `offline_pipeline`, not `__main__`.
    log.info("shipped %s", ship_seed_model())
