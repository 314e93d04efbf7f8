"""Context: a follow-up inherits its conversation's label; a reply in a conversation the user
started is not a pitch. Pure rules, the store path, and the seed's written threads."""

from __future__ import annotations

from sqlmodel import Session

from responder.classify.classifier import build_classifier
from responder.classify.result import ClassificationResult
from responder.classify.thread import ThreadContext, apply_thread, from_seed_thread
from responder.settings import Settings
from tests.classify.helpers import add_conversation, add_message, add_sender, store

BUMP = "Hi Sophie, just bumping this up in case it slipped through. Any thoughts?"


def _result(label: str, confidence: float = 0.9) -> ClassificationResult:
    return ClassificationResult(label, confidence, ["model"], {}, "offline")


def test_a_short_follow_up_inherits_the_pitch_it_follows() -> None:
    out = apply_thread(_result("genuine"), ThreadContext(False, "sales_pitch"), BUMP)
    assert (out.label, out.method) == ("sales_pitch", "context")
    assert out.reasons[0].startswith("A follow-up in a conversation that opened with")
    # A long message is read on its own; without an opener nothing changes.
    long_text = " ".join(["word"] * 60)
    assert (
        apply_thread(_result("genuine"), ThreadContext(False, "sales_pitch"), long_text).label
        == "genuine"
    )
    assert apply_thread(_result("genuine"), ThreadContext(False, None), BUMP).label == "genuine"
    assert apply_thread(_result("genuine"), None, BUMP).label == "genuine"


def test_a_reply_in_a_conversation_the_user_started_is_not_a_pitch() -> None:
    out = apply_thread(
        _result("sales_pitch"), ThreadContext(True, None), "Happy to help, here is our price list."
    )
    assert out.label == "genuine" and "You started this conversation" in out.reasons[0]
    # Fraud and abuse keep their label even there.
    assert apply_thread(_result("scam"), ThreadContext(True, None), "x").label == "scam"


def test_seed_threads_give_contexts() -> None:
    them_first = [{"from": "them", "text": "pitch"}, {"from": "me", "text": "no thanks"}]
    assert from_seed_thread(them_first, "sales_pitch") == ThreadContext(False, "sales_pitch")
    assert from_seed_thread([{"from": "me", "text": "hi"}], None).started_by_user


def test_batch_follow_up_after_a_stored_pitch_is_a_pitch(
    settings: Settings, session: Session
) -> None:
    classifier = build_classifier(settings=settings)
    conv = add_conversation(session, user_participated=False)
    sender = add_sender(session)
    opener = add_message(
        session,
        "Hi Sophie, I run an agency that builds Shopify stores for fashion brands. We lifted "
        "conversion 30% for similar brands. Open to a quick call next week?",
        sender=sender,
        conversation=conv,
    )
    [first] = classifier.classify_batch(session=session, messages=[opener])
    assert first.label == "sales_pitch"
    store(session, opener, first)
    bump = add_message(session, BUMP, sender=sender, conversation=conv)
    alone = classifier.classify_text(text=BUMP)
    [result] = classifier.classify_batch(session=session, messages=[bump])
    assert result.label == "sales_pitch"
    if alone.label != "sales_pitch":
        assert result.method == "context"


def test_batch_reply_in_a_thread_the_user_started_is_genuine(
    settings: Settings, session: Session
) -> None:
    conv = add_conversation(session, user_participated=True)
    add_message(
        session,
        "Hi, could you send me your rates for a website redesign?",
        conversation=conv,
        direction="out",
    )
    reply = add_message(
        session,
        "Thanks for reaching out! Our website packages start at 4,900 EUR and include SEO and "
        "hosting for a year. Happy to jump on a call to walk you through them.",
        sender=add_sender(session),
        conversation=conv,
    )
    [result] = build_classifier(settings=settings).classify_batch(session=session, messages=[reply])
    assert result.label == "genuine"
