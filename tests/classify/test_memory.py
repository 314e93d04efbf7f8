"""The nearest-neighbour memory: a user's correction changes the next similar message at once,
without retraining, and feeds the LLM's few-shot examples."""

from __future__ import annotations

import numpy as np
from sqlmodel import Session

from responder.classify.classifier import build_classifier
from responder.classify.meaning import Memory, vote
from responder.settings import Settings
from responder.store.models import Correction
from tests.classify.helpers import add_message, add_sender


def test_vote_weighs_close_neighbours_most() -> None:
    memory = Memory(
        vectors=np.asarray([[1.0, 0.0], [0.0, 1.0], [0.0, 1.0]], dtype=np.float16),
        labels=np.asarray([0, 1, 1]),
    )
    probs, sims, nearest = vote(np.asarray([[1.0, 0.0]], dtype=np.float32), memory, 2, k=3)
    assert probs[0].argmax() == 0 and probs[0, 0] > 0.99
    assert sims[0] == 1.0 and nearest[0] == 0


def test_a_correction_changes_the_next_similar_message_at_once(
    settings: Settings, session: Session
) -> None:
    classifier = build_classifier(settings=settings)
    text = (
        "Hello Anna, our community hosts a monthly founders breakfast in Lisbon. "
        "Next one is on the 14th, we would love to see you there."
    )
    first = add_message(session, text, sender=add_sender(session))
    [before] = classifier.classify_batch(session=session, messages=[first])
    target = "sales_pitch" if before.label != "sales_pitch" else "genuine"
    session.add(Correction(message_id=first.id, old_label=before.label, new_label=target))
    session.commit()
    similar = add_message(session, text.replace("Anna", "Marco").replace("14th", "21st"))
    [after] = classifier.classify_batch(session=session, messages=[similar])
    assert after.label == target
    assert any("You corrected a message like this one" in r for r in after.reasons)
    # Few-shot examples for the LLM: the correction first.
    shots = classifier.few_shot([similar.body], classifier.corrections(session))
    assert shots is not None and shots[0][0] == (text, target)
    # An unrelated message is not touched by that correction.
    other = add_message(session, "Your invoice 4471 is attached, payment due in 30 days.")
    [unrelated] = classifier.classify_batch(session=session, messages=[other])
    assert not any("You corrected" in r for r in unrelated.reasons)
