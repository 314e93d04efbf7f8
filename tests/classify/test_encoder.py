"""The static sentence encoder: deterministic unit vectors that put meaning before wording."""

from __future__ import annotations

import numpy as np

from responder.classify.encoder import DIM, get_encoder


def test_vectors_are_deterministic_unit_vectors_independent_of_the_batch() -> None:
    enc = get_encoder()
    texts = ["Quick call next week about our lead generation service?", "", "ok"]
    first = enc.encode(texts)
    assert first.shape == (3, DIM) and first.dtype == np.float32
    assert np.allclose(np.linalg.norm(first[[0, 2]], axis=1), 1.0, atol=1e-5)
    assert not first[1].any()  # nothing to read: the zero vector, not NaN
    again = np.vstack([enc.encode([t]) for t in texts])
    assert np.array_equal(first, again)
    assert np.array_equal(first, get_encoder().encode(texts))


def test_paraphrases_are_closer_than_other_topics() -> None:
    enc = get_encoder()
    pitch, paraphrase, other = enc.encode(
        [
            "We help agencies book more qualified sales meetings, open to a short call?",
            "Our team gets B2B companies extra qualified demos every month. Quick chat?",
            "Your parcel is held at customs, pay the fee to release it",
        ]
    )
    assert float(pitch @ paraphrase) > float(pitch @ other) + 0.03


def test_empty_batch() -> None:
    assert get_encoder().encode([]).shape == (0, DIM)
