"""The offline model's fast scorer gives exactly the pipeline's features, probabilities and
explanations, with and without character n-grams, and steps aside for pipelines it does not
cover."""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np
import pytest
from scipy import sparse

from responder.classify import offline as off

_TEXTS = [
    "Hi Anna, thanks for the intro - let's talk on Tuesday!",
    "VERIFY YOUR ACCOUNT now at http://paypa1-secure.com/login or it will be SUSPENDED",
    "Congratulations! You have won a £1000 prize. Call 09061701461 to claim. T&C apply.",
    "Quick question: would a 15-minute call next week make sense? calendly.com/jo/15min",
    "We're hiring a senior data engineer (remote, 120k). Interested? Send your CV.",
    "you are a worthless idiot",
    "",
    "   \n\t ",
    "a b c ab abc abcd I x",
    "Ünïcödé façade straße İstanbul ﬁne 𝔘𝔫𝔦 — ½ ① ß ΣΑΣ",
    "x" * 900 + " and then some words at the end",
]


@cache
def _texts() -> list[str]:
    rows = off.seed_rows()
    return _TEXTS + [r.text for r in rows[1::37]]


@cache
def _model(chars: tuple[int, int] | None) -> off.OfflineModel:
    rows = off.seed_rows()[::5]
    pipe = off._pipeline(char_range=chars)
    with off._one_thread():
        pipe.fit([r.text for r in rows], [r.label for r in rows])
    return off.OfflineModel(pipeline=pipe, version=f"test-{chars}")


def _reference_explain(model: off.OfflineModel, texts: list[str], k: int = 4) -> Any:
    """predict_explain as first written: the union, the classifier, one row at a time."""
    union = model.pipeline.named_steps["features"]
    clf = model.pipeline.named_steps["clf"]
    features = union.transform(texts)
    probs = clf.predict_proba(features)
    vocab = union.transformer_list[0][1].get_feature_names_out()
    words = sparse.csr_matrix(features[:, : len(vocab)])
    terms = []
    for i, row in enumerate(probs):
        coef = clf.coef_[int(row.argmax())]
        start, end = words.indptr[i], words.indptr[i + 1]
        idx, val = words.indices[start:end], words.data[start:end]
        scores = val * coef[idx]
        order = np.argsort(-scores)[: k * 3]
        picked = [str(vocab[idx[j]]) for j in order if scores[j] > 0.05]
        picked = [t for t in picked if not off._STOP.intersection(t.split())]
        # Placeholders read as what they stand for ("<a link>", not "LINK").
        picked = [" ".join(off.PLACEHOLDERS.get(w, w) for w in t.split()) for t in picked]
        terms.append(picked[:k])
    return probs, terms


@pytest.mark.parametrize("chars", [None, (3, 4), (2, 3)])
def test_fast_scorer_reproduces_the_pipeline(chars: tuple[int, int] | None) -> None:
    model = _model(chars)
    scorer = off._fast_scorer(model.pipeline, [])
    assert scorer is not None
    texts = _texts()
    union = model.pipeline.named_steps["features"]
    slow = sparse.csr_matrix(union.transform(texts))
    slow.sort_indices()
    fast, words = scorer.features(texts)
    assert (fast != slow).nnz == 0
    np.testing.assert_array_equal(fast.indices, slow.indices)
    n_words = len(union.transformer_list[0][1].vocabulary_)
    words_matrix = sparse.csr_matrix(words, shape=(len(texts), n_words))
    assert (words_matrix != slow[:, :n_words]).nnz == 0
    clf = model.pipeline.named_steps["clf"]
    np.testing.assert_array_equal(scorer.proba(fast), clf.predict_proba(slow))


@pytest.mark.parametrize("chars", [None, (3, 4)])
def test_predict_explain_is_unchanged(chars: tuple[int, int] | None) -> None:
    model = _model(chars)
    texts = _texts()
    probs, terms = model.predict_explain(texts)
    ref_probs, ref_terms = _reference_explain(model, texts)
    np.testing.assert_array_equal(probs, ref_probs)
    assert terms == ref_terms
    assert model.meta["_scorer"]  # the fast path was used
    for size in (1, 2, 7):  # small batches and single messages too
        for start in range(0, 14, size):
            chunk = texts[start : start + size]
            p, t = model.predict_explain(chunk)
            np.testing.assert_array_equal(p, ref_probs[start : start + size])
            assert t == ref_terms[start : start + size]
    np.testing.assert_array_equal(model.predict_proba(texts[:5]), ref_probs[:5])


def test_uncovered_pipelines_are_scored_by_scikit_learn() -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer

    rows = off.seed_rows()[::9]
    pipe = off._pipeline(char_range=None)
    union = pipe.named_steps["features"]
    union.transformer_list.insert(1, ("char", TfidfVectorizer(analyzer="char", ngram_range=(2, 3))))
    with off._one_thread():
        pipe.fit([r.text for r in rows], [r.label for r in rows])
    model = off.OfflineModel(pipeline=pipe, version="test-char-analyzer")
    texts = _TEXTS
    probs, terms = model.predict_explain(texts)
    assert model.meta["_scorer"] is False
    ref_probs, ref_terms = _reference_explain(model, texts)
    np.testing.assert_array_equal(probs, ref_probs)
    assert terms == ref_terms


def test_a_scorer_that_disagrees_is_not_used(monkeypatch: pytest.MonkeyPatch) -> None:
    model = _model(None)
    real = off._Words.transform

    def off_by_a_little(self: Any, texts: list[str]) -> Any:
        data, indices, indptr = real(self, texts)
        return data * 1.0000001, indices, indptr

    monkeypatch.setattr(off._Words, "transform", off_by_a_little)
    assert off._fast_scorer(model.pipeline, _TEXTS) is None


_ORIGINAL_NUMBERS = {
    "_N_MONEY": r"[£$€]\s?\d[\d,.]*|\b\d[\d,.]*\s?(?:pounds|dollars|euros|usd|eur|gbp|rs)\b"
    r"|\brs\.?\s?\d[\d,.]*",
    "_N_PHONE": r"\+?\d[\d \-()]{8,}\d",
    "_N_CODE": r"\b\d{4,6}\b",
    "_N_NUM": r"\d{2,}",
}


def _number_texts() -> list[str]:
    import random

    rng = random.Random(5)
    pieces = [*"0123456789+-() ,.£$€rsx_a", "rs.", "rs 5", "usd", "eur", "pounds", "٣", "١٢"]
    pieces += ["+44 20 7946 0958", "12345", "1234567", "www.x.com", "http://a", "e.g. sth.io"]
    texts = [*_TEXTS, *(r.text.lower() for r in off.seed_rows()[::7])]
    texts += ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 30))) for _ in range(4000)]
    return texts


@pytest.mark.parametrize("name", list(_ORIGINAL_NUMBERS))
def test_number_patterns_match_as_written(name: str) -> None:
    import re

    fast, plain = getattr(off, name), re.compile(_ORIGINAL_NUMBERS[name])
    for text in _number_texts():
        assert [m.span() for m in fast.finditer(text)] == [
            m.span() for m in plain.finditer(text)
        ], text


def test_normalize_words_is_unchanged() -> None:
    import re

    def plain(text: str) -> str:
        t = off._N_LINK.sub(" LINK ", text.lower())
        if any(ch.isdigit() for ch in t):
            for name, word in (("_N_MONEY", "MONEY"), ("_N_PHONE", "PHONE")):
                t = re.sub(_ORIGINAL_NUMBERS[name], f" {word} ", t)
            for name, word in (("_N_CODE", "CODE"), ("_N_NUM", "NUM")):
                t = re.sub(_ORIGINAL_NUMBERS[name], f" {word} ", t)
        return t

    for text in _number_texts():
        assert off.normalize_words(text) == plain(text), text
