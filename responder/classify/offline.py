"""The offline model: TF-IDF word n-grams (character n-grams optional) plus intent features, and
logistic regression.

Hyper-parameters (intent-feature weight, regularisation C, class weights, the genuine shifts,
character n-grams) are chosen by cross-validation on the SEED corpus only, leaving one
hand-written file out at a time: `python -m responder.classify.training.tune --transfer` prints the table
and the choice (see that module). dev.jsonl is used for measuring, never for choosing.

Trained on the team's seed corpus plus the user's corrections. Artifacts are versioned under
`<data_dir>/models/` (`offline-v<UTC timestamp>-<hash>.joblib`, with a `current` pointer file).
Without a user artifact, the seed-only model is trained at first use (about a second) and cached.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import repeat
from pathlib import Path
from typing import Any

import joblib
import numpy as np
from scipy import sparse

from responder.classify.features import FEATURE_NAMES, feature_matrix
from responder.classify.signals import FEATURE_CHARS
from responder.classify.training.seedgen import load_seed
from responder.taxonomy import LABELS

log = logging.getLogger(__name__)
#: Bump when features or hyper-parameters change: cached artifacts are then rebuilt.
MODEL_VERSION = 5
#: Chosen by grouped cross-validation on the seed corpus (`python -m responder.classify.training.tune`).
HYPERPARAMS: dict[str, Any] = {
    "intent_weight": 0.1,
    "C": 15.0,
    "char_range": None,
    "class_weight": "balanced",
    "genuine_bias": 1.0,
    "genuine_bias_no_risk": 1.5,
}
_lock = threading.Lock()
_STOP = frozenset(
    [
        "the",
        "a",
        "an",
        "and",
        "or",
        "to",
        "of",
        "in",
        "on",
        "for",
        "at",
        "is",
        "are",
        "be",
        "it",
        "this",
        "that",
        "you",
        "your",
        "we",
        "our",
        "i",
        "me",
        "my",
        "with",
        "from",
        "as",
        "by",
        "please",
        "pls",
        "hi",
        "hello",
        "hey",
        "dear",
        "der",
        "die",
        "das",
        "und",
        "zu",
        "le",
        "la",
        "les",
        "de",
        "et",
        "pour",
        "el",
        "los",
        "las",
        "y",
    ]
)
_memo: dict[str, OfflineModel] = {}
#: The seed model shipped with the package (rebuilt by `python -m responder.classify.offline`).
SHIPPED_DIR = Path(__file__).resolve().parent.parent / "data" / "model"


def _one_thread() -> Any:
    """BLAS threads oversubscribe a shared machine (10x slower fits); one core is plenty here."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1)


_controller: Any = None


def _one_thread_cached() -> Any:
    """`_one_thread` for scoring: finding the thread pools takes milliseconds, so it is done once
    (at the first call, when NumPy, SciPy and scikit-learn are loaded), not per call."""
    global _controller
    if _controller is None:
        from threadpoolctl import ThreadpoolController

        _controller = ThreadpoolController()
    return _controller.limit(limits=1)


def _intent(texts: Any, weight: float = 0.25) -> sparse.csr_matrix:
    return sparse.csr_matrix(feature_matrix(list(texts)) * weight)


#: Character n-grams look at the start of the text only: they catch obfuscated spellings and
#: style, which the first lines show; most of the time of a long e-mail would go here otherwise.
CHAR_NGRAM_CHARS = 600


def char_preprocess(text: str) -> str:
    return text[:CHAR_NGRAM_CHARS].lower()


# --- fast scoring --------------------------------------------------------------------------------
# scikit-learn's vectorisers build every n-gram of every text as a Python string and look it up
# one at a time (the character analysis was a third of the scoring time), and each step checks its
# input again (milliseconds per call: the latency of one message). `_FastScorer` computes the same
# numbers: the same count matrices (word n-grams looked up in bulk; character n-grams vectorised
# over the batch with NumPy), then the vectorisers' own TF-IDF arithmetic, scikit-learn's row
# normalisation, the same sparse product and softmax. It is checked once per model against the
# pipeline on probe texts; any difference and the model is scored by scikit-learn as before.

_PROBES = (
    "Hi Anna, thanks for the intro - let's talk on Tuesday!",
    "VERIFY YOUR ACCOUNT now at http://paypa1-secure.com/login or it will be SUSPENDED",
    "a b c  d\te\n\nf  I x ab abc",
    "Ünïcödé façade straße İstanbul ﬁne 𝔘𝔫𝔦 — ½ ① ß \ud800 x",
    "",
    "   ",
    "Win a FREE prize!!! Call 0800 123 4567, reply STOP. Bank details & gift cards please.",
    "x" * 700 + " tail words here",
)


class _NotCovered(Exception):
    """The pipeline has a step or setting the fast scorer does not reproduce."""


# A CSR block as (data, indices, indptr): float64, int32, int32; indices sorted within rows.
_Block = tuple[np.ndarray, np.ndarray, np.ndarray]


def _count_block(ids: np.ndarray, rows: np.ndarray, n_rows: int, n_features: int) -> _Block:
    """CountVectorizer's matrix (counts, sorted indices) from found feature ids and their rows."""
    keys = rows * n_features + ids
    if n_rows * n_features < 2**31:  # sorting 32-bit keys is faster
        keys = keys.astype(np.int32)
    keys, counts = np.unique(keys, return_counts=True)
    indptr = np.zeros(n_rows + 1, dtype=np.int32)
    np.cumsum(np.bincount(keys // n_features, minlength=n_rows), out=indptr[1:])
    return counts.astype(np.float64), (keys % n_features).astype(np.int32), indptr


class _Tfidf:
    """TfidfVectorizer.transform's arithmetic after counting (sublinear tf, idf, row norm)."""

    def __init__(self, vec: Any) -> None:
        from sklearn.utils import sparsefuncs_fast

        tfidf = vec._tfidf
        if vec.dtype is not np.float64 or tfidf.norm not in ("l1", "l2", None):
            raise _NotCovered("tf-idf settings")
        if vec.get_params()["binary"] or vec.get_params()["input"] != "content":
            raise _NotCovered("vectoriser input")
        self.n_features = len(vec.vocabulary_)
        self.sublinear = bool(tfidf.sublinear_tf)
        self.idf = tfidf.idf_ if hasattr(tfidf, "idf_") else None
        self.normalize = {
            "l2": sparsefuncs_fast.inplace_csr_row_normalize_l2,
            "l1": sparsefuncs_fast.inplace_csr_row_normalize_l1,
        }.get(tfidf.norm)

    def __call__(self, block: _Block, n_rows: int) -> _Block:
        from types import SimpleNamespace

        data, indices, indptr = block
        if self.sublinear:
            np.log(data, data)
            data += 1.0
        if self.idf is not None:
            data *= self.idf[indices]
        if self.normalize is not None:
            shape = (n_rows, self.n_features)
            self.normalize(SimpleNamespace(data=data, indices=indices, indptr=indptr, shape=shape))
        return block


class _Words(_Tfidf):
    """A word-analyser TfidfVectorizer."""

    def __init__(self, vec: Any) -> None:
        super().__init__(vec)
        params = vec.get_params()
        if params["tokenizer"] is not None or params["stop_words"] is not None:
            raise _NotCovered("word analyser settings")
        self.preprocess, self.tokenize = vec.build_preprocessor(), vec.build_tokenizer()
        self.low, self.high = vec.ngram_range
        self.get = vec.vocabulary_.get

    def transform(self, texts: list[str]) -> _Block:
        """n-grams are "w1 w2 ..." of consecutive tokens, like CountVectorizer's `_word_ngrams`;
        all of a batch's are looked up in one pass (unknown ones give -1)."""
        preprocess, tokenize = self.preprocess, self.tokenize
        grams: list[str] = []
        lengths: list[int] = []
        for doc in texts:
            tokens = tokenize(preprocess(doc))
            before = len(grams)
            if self.low == 1:
                grams += tokens
            for n in range(max(self.low, 2), self.high + 1):
                grams += map(" ".join, zip(*(tokens[i:] for i in range(n)), strict=False))
            lengths.append(len(grams) - before)
        ids = np.fromiter(map(self.get, grams, repeat(-1)), dtype=np.int64, count=len(grams))
        rows = np.repeat(np.arange(len(texts), dtype=np.int64), lengths)
        known = ids >= 0
        block = _count_block(ids[known], rows[known], len(texts), self.n_features)
        return self(block, len(texts))


class _CharWords(_Tfidf):
    """A `char_wb` TfidfVectorizer, vectorised over the batch.

    char_wb takes the n-grams of each whitespace-separated word padded with one space on each
    side. In the padded words of all texts joined into one string, every n-gram inside a padded
    word is a window, and every window across two words holds two spaces, which no n-gram has: so
    the counts are those of the windows that are in the vocabulary. Characters are numbered in the
    vocabulary's alphabet (0: not in it) and a window's code is its numbers side by side."""

    def __init__(self, vec: Any) -> None:
        super().__init__(vec)
        self.low, self.high = vec.ngram_range
        if self.low > 3:  # words shorter than min_n are then counted whole: not covered here
            raise _NotCovered("char_wb min_n > 3")
        self.preprocess = vec.build_preprocessor()
        alphabet = sorted({ord(ch) for gram in vec.vocabulary_ for ch in gram})
        self.bits = (len(alphabet) + 1).bit_length()
        if not alphabet or self.bits * self.high > 62:
            raise _NotCovered("char_wb alphabet")
        number = {code: i + 1 for i, code in enumerate(alphabet)}
        #: Character code -> its number; the last entry (0) stands for every code beyond.
        self.numbers = np.zeros(alphabet[-1] + 2, dtype=np.int64)
        self.numbers[alphabet] = np.arange(1, len(alphabet) + 1)
        by_length: dict[int, tuple[list[int], list[int]]] = {}
        for gram, feature in vec.vocabulary_.items():
            code = 0
            for ch in gram:
                code = (code << self.bits) | number[ord(ch)]
            codes, features = by_length.setdefault(len(gram), ([], []))
            codes.append(code)
            features.append(feature)
        self.table: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        for n, (codes, features) in by_length.items():
            order = np.argsort(np.asarray(codes, dtype=np.int64), kind="stable")
            known = np.asarray(codes, dtype=np.int64)[order]
            self.table[n] = (known, np.asarray(features, dtype=np.int64)[order])

    def transform(self, texts: list[str]) -> _Block:
        preprocess = self.preprocess
        padded = []
        for doc in texts:
            words = preprocess(doc).split()
            padded.append(" " + "  ".join(words) + " " if words else "")
        joined = "".join(padded).encode("utf-32-le", "surrogatepass")
        chars = np.frombuffer(joined, dtype=np.uint32)
        letters = self.numbers[np.minimum(chars, len(self.numbers) - 1)]
        starts = np.repeat(np.arange(len(texts), dtype=np.int64), [len(p) for p in padded])
        rows, ids = [np.zeros(0, np.int64)], [np.zeros(0, np.int64)]
        for n in range(self.low, self.high + 1):
            windows = len(letters) - n + 1
            if windows <= 0 or n not in self.table:
                continue
            codes = np.zeros(windows, dtype=np.int64)
            for k in range(n):
                codes = (codes << self.bits) | letters[k : k + windows]
            known, features = self.table[n]
            at = np.minimum(np.searchsorted(known, codes), len(known) - 1)
            hit = known[at] == codes
            rows.append(starts[:windows][hit])
            ids.append(features[at[hit]])
        block = _count_block(np.concatenate(ids), np.concatenate(rows), len(texts), self.n_features)
        return self(block, len(texts))


class _Function:
    """A FunctionTransformer without input validation (its `transform` calls func(X, **kw_args))."""

    def __init__(self, trans: Any) -> None:
        if trans.validate or trans.func is None:
            raise _NotCovered("function transformer settings")
        self.func, self.kw_args = trans.func, dict(trans.kw_args or {})

    def transform(self, texts: list[str]) -> _Block:
        if self.func is _intent:  # its dense matrix, without building a SciPy matrix from it
            dense = feature_matrix(list(texts)) * self.kw_args.get("weight", 0.25)
            rows, cols = np.nonzero(dense)  # row by row, like csr_matrix(dense)
            indptr = np.zeros(len(dense) + 1, dtype=np.int32)
            np.cumsum(np.bincount(rows, minlength=len(dense)), out=indptr[1:])
            return dense[rows, cols].astype(np.float64), cols.astype(np.int32), indptr
        out = sparse.csr_matrix(self.func(texts, **self.kw_args))
        out.sort_indices()
        return out.data.astype(np.float64), out.indices.astype(np.int32), out.indptr


class _FastScorer:
    """The pipeline's features and probabilities, computed faster (see above)."""

    def __init__(self, pipeline: Any) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.preprocessing import FunctionTransformer

        union, clf = pipeline.named_steps["features"], pipeline.named_steps["clf"]
        if list(pipeline.named_steps) != ["features", "clf"] or union.transformer_weights:
            raise _NotCovered("pipeline steps")
        if type(clf) is not LogisticRegression or len(clf.classes_) <= 2:
            raise _NotCovered("classifier")
        if getattr(union, "_sklearn_output_config", None):
            raise _NotCovered("output container")
        self.parts: list[Any] = []
        self.widths: list[int] = []
        for _name, trans in union.transformer_list:
            analyzer = trans.get_params()["analyzer"] if type(trans) is TfidfVectorizer else None
            if analyzer == "word":
                self.parts.append(_Words(trans))
            elif analyzer == "char_wb":
                self.parts.append(_CharWords(trans))
            elif type(trans) is FunctionTransformer:
                self.parts.append(_Function(trans))
            else:
                raise _NotCovered(f"step {type(trans).__name__}")
            self.widths.append(len(trans.vocabulary_) if analyzer else -1)
        functions = self.widths.count(-1)
        if functions > 1 or not isinstance(self.parts[0], _Words):
            raise _NotCovered("feature blocks")
        if functions:  # its width: what the classifier has beyond the vectorisers
            rest = clf.coef_.shape[1] - sum(w for w in self.widths if w > 0)
            self.widths[self.widths.index(-1)] = rest
        self.coef_t, self.intercept = clf.coef_.T, clf.intercept_

    def features(self, texts: list[str]) -> tuple[sparse.csr_matrix, _Block]:
        """(the union's output as CSR with sorted indices, its first block)."""
        n = len(texts)
        blocks = [part.transform(texts) for part in self.parts]
        rows, cols, data = [], [], []
        offset = 0
        for (block_data, indices, indptr), width in zip(blocks, self.widths, strict=True):
            rows.append(np.repeat(np.arange(n, dtype=np.int32), np.diff(indptr)))
            cols.append(indices + np.int32(offset))
            data.append(block_data)
            offset += width
        all_rows = np.concatenate(rows)
        order = np.argsort(all_rows, kind="stable")  # row by row, blocks (columns) in order
        indptr = np.zeros(n + 1, dtype=np.int32)
        np.cumsum(np.bincount(all_rows, minlength=n), out=indptr[1:])
        features = sparse.csr_matrix(
            (np.concatenate(data)[order], np.concatenate(cols)[order], indptr), shape=(n, offset)
        )
        return features, blocks[0]

    def proba(self, features: sparse.csr_matrix) -> np.ndarray:
        """LogisticRegression.predict_proba (multinomial): softmax of X @ coef.T + intercept,
        step by step as scikit-learn's `softmax` does it."""
        scores = features @ self.coef_t + self.intercept
        scores -= np.max(scores, axis=1).reshape((-1, 1))
        np.exp(scores, out=scores)
        scores /= np.sum(scores, axis=1).reshape((-1, 1))
        return scores


def _fast_scorer(pipeline: Any, texts: list[str]) -> _FastScorer | None:
    """A fast scorer for this pipeline if it gives exactly the pipeline's features and
    probabilities on probe texts (and the first texts scored), else None."""
    try:
        scorer = _FastScorer(pipeline)
        probe = [*_PROBES, *texts[:64]]
        union, clf = pipeline.named_steps["features"], pipeline.named_steps["clf"]
        slow = sparse.csr_matrix(union.transform(probe))
        slow.sort_indices()
        fast, _first = scorer.features(probe)
        same = (
            fast.shape == slow.shape
            and np.array_equal(fast.indptr, slow.indptr)
            and np.array_equal(fast.indices, slow.indices)
            and np.array_equal(fast.data, slow.data)
            and np.array_equal(scorer.proba(fast), clf.predict_proba(slow))
        )
    except _NotCovered as exc:
        log.info("offline model scored by scikit-learn (%s)", exc)
        return None
    except Exception as exc:  # noqa: BLE001 - anything unexpected: score the plain way
        log.warning("fast scoring unavailable (%s); using scikit-learn", exc)
        return None
    if not same:
        log.warning("fast scoring differs from scikit-learn's; using scikit-learn")
        return None
    return scorer


def intent_weight(pipeline: Any) -> float:
    """The intent-feature weight a fitted pipeline was built with."""
    union = pipeline.named_steps["features"]
    transformer = dict(union.transformer_list)["intent"]
    return float((transformer.kw_args or {}).get("weight", 0.25))


#: Placeholders the word n-grams see instead of links, amounts, phone numbers, short codes and
#: other numbers: the seed's invented numbers then teach "a phone number" rather than one number.
#: Upper case, so they never collide with a (lower-cased) word; shown in reasons as PLACEHOLDERS.
PLACEHOLDERS = {
    "LINK": "<a link>",
    "MONEY": "<an amount>",
    "PHONE": "<a phone number>",
    "CODE": "<a code>",
    "NUM": "<a number>",
}
_N_LINK = re.compile(
    r"(?:https?:/*|hxxps?:/*|www\.)\S+|\b[\w.-]+\.(?:com|net|org|co\.uk|info|xyz|top|ru|io|ly|me|us)"
    r"\b\S*"
)
#: What every _N_LINK match contains besides "http", "hxxp" or "www." (a quick test first).
_N_LINK_TLD = re.compile(r"\.(?:com|net|org|co\.uk|info|xyz|top|ru|io|ly|me|us)\b")
# The number patterns below are written to start with one character class, so that `re` jumps to
# the characters that can start a match instead of trying every position; each finds exactly the
# matches of the plain pattern in its comment (a look-behind after the first character stands for
# the \b before it).
#: [£$€]\s?\d[\d,.]*|\b\d[\d,.]*\s?(?:pounds|dollars|euros|usd|eur|gbp|rs)\b|\brs\.?\s?\d[\d,.]*
_N_MONEY = re.compile(
    r"[£$€\dr](?:(?<=[£$€])\s?\d[\d,.]*"
    r"|(?<=\d)(?<!\w\d)[\d,.]*\s?(?:pounds|dollars|euros|usd|eur|gbp|rs)\b"
    r"|(?<=r)(?<!\wr)s\.?\s?\d[\d,.]*)"
)
#: \+?\d[\d \-()]{8,}\d
_N_PHONE = re.compile(r"[+\d](?:(?<=\+)\d[\d \-()]{8,}\d|(?<=\d)[\d \-()]{8,}\d)")
#: \b\d{4,6}\b
_N_CODE = re.compile(r"\d(?<!\w\d)\d{3,5}\b")
#: \d{2,}
_N_NUM = re.compile(r"\d\d+")


def normalize_words(text: str) -> str:
    """What the word n-grams read: lower case, with links, amounts, phone numbers, short codes and
    numbers replaced by placeholders (single digits stay: "2", "4" are words in SMS)."""
    t = text.lower()
    if "http" in t or "hxxp" in t or "www." in t or _N_LINK_TLD.search(t):
        t = _N_LINK.sub(" LINK ", t)
    if any(map(str.isdigit, t)):
        t = _N_MONEY.sub(" MONEY ", t)
        t = _N_PHONE.sub(" PHONE ", t)
        t = _N_CODE.sub(" CODE ", t)
        t = _N_NUM.sub(" NUM ", t)
    return t


#: Words of one character count too ("u", "r", "2"): SMS writes them instead of longer ones.
WORD_TOKENS = r"(?u)\b\w+\b"


def word_vectorizer() -> Any:
    """The model's word n-gram TF-IDF (unfitted); `tune` cross-validates with the same one."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(
        ngram_range=(1, 2),
        sublinear_tf=True,
        max_features=40000,
        preprocessor=normalize_words,
        token_pattern=WORD_TOKENS,
    )


_DEFAULT: Any = object()


def _pipeline(
    intent_weight: float | None = None,
    C: float | None = None,  # noqa: N803 - the usual name
    char_range: Any = _DEFAULT,
) -> Any:
    """The model; arguments left out take HYPERPARAMS. `char_range=None`: no character n-grams."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion, Pipeline
    from sklearn.preprocessing import FunctionTransformer

    chars = HYPERPARAMS["char_range"] if char_range is _DEFAULT else char_range
    weight = intent_weight or HYPERPARAMS["intent_weight"]
    parts: list[tuple[str, Any]] = [("word", word_vectorizer())]
    if chars is not None:
        char = TfidfVectorizer(
            analyzer="char_wb",
            preprocessor=char_preprocess,
            ngram_range=tuple(chars),
            sublinear_tf=True,
            max_features=30000,
        )
        parts.append(("char", char))
    intent = FunctionTransformer(_intent, validate=False, kw_args={"weight": weight})
    parts.append(("intent", intent))
    clf = LogisticRegression(
        C=C or HYPERPARAMS["C"],
        class_weight=HYPERPARAMS["class_weight"],
        max_iter=3000,
        random_state=0,
    )
    return Pipeline([("features", FeatureUnion(parts)), ("clf", clf)])


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
class OfflineModel:
    pipeline: Any
    version: str
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def labels(self) -> list[str]:
        return [str(c) for c in self.pipeline.classes_]

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        return self._score(texts)[0]

    def predict_explain(self, texts: list[str], k: int = 4) -> tuple[np.ndarray, list[list[str]]]:
        """Probabilities and, per text, the word n-grams that pushed most towards its label."""
        coef = self.pipeline.named_steps["clf"].coef_
        probs, (data, indices, indptr) = self._score(texts)
        terms: list[list[str]] = []
        if not len(probs):
            return probs, terms
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
        return probs, terms

    def _term(self, index: int) -> tuple[str, bool]:
        """A word n-gram's text and whether it contains a stop word (memoised)."""
        cache = self.meta.setdefault("_terms", {})
        found = cache.get(index)
        if found is None:
            union = self.pipeline.named_steps["features"]
            text = str(self._vocab(union.transformer_list[0][1])[index])
            shown = " ".join(PLACEHOLDERS.get(word, word) for word in text.split())
            found = cache[index] = (shown, bool(_STOP.intersection(text.split())))
        return found

    def _score(self, texts: list[str]) -> tuple[np.ndarray, _Block]:
        """Probabilities and the word n-gram block (data, indices, indptr; sorted rows).

        The fast scorer needs no thread limit (it calls no BLAS routine: SciPy's own loops do the
        sparse product); the pipeline runs under one."""
        scorer = self._fast(texts)
        if scorer is not None:
            features, words = scorer.features(texts)
            return scorer.proba(features), words
        union = self.pipeline.named_steps["features"]
        with _one_thread_cached():
            features = union.transform(texts)
            probs = self.pipeline.named_steps["clf"].predict_proba(features)
        n_words = len(self._vocab(union.transformer_list[0][1]))
        block = sparse.csr_matrix(features[:, :n_words])
        return probs, (block.data, block.indices, block.indptr)

    def _fast(self, texts: list[str]) -> _FastScorer | None:
        """The model's fast scorer (checked at the first call), or None."""
        scorer = self.meta.get("_scorer")
        if scorer is None:
            scorer = self.meta["_scorer"] = _fast_scorer(self.pipeline, texts) or False
        return scorer or None

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
    for module in (
        here / "lexicon.py",
        here / "features.py",
        here / "offline.py",
        here / "links.py",
        here / "signals.py",
    ):
        h.update(module.read_bytes())
    for r in rows:
        h.update(json.dumps([r.text, r.label, r.weight], ensure_ascii=False).encode())
    return h.hexdigest()[:12]


def train(rows: list[TrainingRow]) -> OfflineModel:
    """Fit a model on these rows (deterministic: fixed seeds, fixed order)."""
    labels = {r.label for r in rows}
    missing = set(LABELS) - labels
    if missing:
        raise ValueError(f"training data lacks labels: {sorted(missing)}")
    pipe = _pipeline()
    with _one_thread():
        pipe.fit(
            [r.text for r in rows],
            [r.label for r in rows],
            clf__sample_weight=np.asarray([r.weight for r in rows]),
        )
    shift_towards_genuine(pipe, HYPERPARAMS["genuine_bias"], HYPERPARAMS["genuine_bias_no_risk"])
    meta = {"rows": len(rows), "trained_at": datetime.now(UTC).isoformat()}
    return OfflineModel(pipeline=pipe, version=rows_hash(rows), meta=meta)


def shift_towards_genuine(pipeline: Any, bias: float, no_risk_bias: float = 0.0) -> None:
    """Give genuine the benefit of the doubt: its odds times e**bias for every message, and times
    e**no_risk_bias more for a message with no risk signal (no link, phone number or fraud ask;
    the "no_risk" intent feature).

    The costs are not symmetric: a real message given another label may be declined or lost,
    while a pitch left as genuine costs a glance; but a message with a link or a payment ask
    gets little benefit, as it may be phishing or a scam. The shift lives in the model itself
    (intercept and the "no_risk" weight of the genuine row), so every scorer applies it.
    Chosen with the other hyper-parameters by leave-one-written-file-out cross-validation on the
    seed (`python -m responder.classify.training.tune --transfer`): the highest phishing+scam recall with
    at most 4% of held-out genuine messages flagged."""
    clf = pipeline.named_steps["clf"]
    row = list(clf.classes_).index("genuine")
    clf.intercept_[row] += bias
    if no_risk_bias:
        column = clf.coef_.shape[1] - len(FEATURE_NAMES) + FEATURE_NAMES.index("no_risk")
        clf.coef_[row, column] += no_risk_bias / intent_weight(pipeline)


def seed_rows() -> list[TrainingRow]:

    return [TrainingRow(r["text"], r["label"]) for r in load_seed()]


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
    return {"pipeline": model.pipeline, "version": model.version, "meta": meta}


def _load_file(path: Path) -> OfflineModel:
    data = joblib.load(path)
    return OfflineModel(pipeline=data["pipeline"], version=data["version"], meta=data["meta"])


def load_current(data_dir: Path) -> OfflineModel | None:
    """The user's current artifact (`responder train`), or None."""
    pointer = models_dir(data_dir) / "current"
    if not pointer.exists():
        return None
    path = models_dir(data_dir) / pointer.read_text(encoding="utf-8").strip()
    try:
        return _load_file(path)
    except (OSError, KeyError, ValueError, EOFError) as exc:
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
    # Import by name: pickles made from `__main__` would reference `__main__._intent`.
    from responder.classify import offline as _module

    log.info("shipped %s", _module.ship_seed_model())
