"""The offline model and the combiner: training, artifacts, corrections, safety rules."""

from __future__ import annotations

import numpy as np
import pytest
from sqlmodel import Session

from responder.classify import offline as off
from responder.classify.classifier import build_classifier
from responder.classify.training.retrain import train_from_store
from responder.settings import Settings
from responder.store.models import Correction
from tests.classify.helpers import add_conversation, add_message, add_sender


def _subset() -> list[off.TrainingRow]:
    return off.seed_rows()[::4]


def test_training_is_deterministic() -> None:
    a, b = off.train(_subset()), off.train(_subset())
    assert a.version == b.version
    np.testing.assert_array_equal(
        a.pipeline.named_steps["clf"].coef_, b.pipeline.named_steps["clf"].coef_
    )


def test_training_needs_every_label() -> None:
    rows = [r for r in _subset() if r.label != "harassment"]
    with pytest.raises(ValueError, match="harassment"):
        off.train(rows)


def test_artifact_is_versioned_and_loads(settings: Settings) -> None:
    model = off.train(_subset())
    path = off.save(model, settings.data_dir)
    assert path.name.startswith("offline-v") and path.name.endswith(f"-{model.version}.joblib")
    assert (settings.data_dir / "models" / "current").read_text() == path.name
    loaded = off.load_current(settings.data_dir)
    assert loaded is not None and loaded.version == model.version
    texts = ["Verify your account at https://1inkedin.com/login", "lunch tomorrow?"]
    np.testing.assert_allclose(loaded.predict_proba(texts), model.predict_proba(texts))


def test_broken_artifact_falls_back_to_seed_model(settings: Settings) -> None:
    folder = settings.data_dir / "models"
    folder.mkdir(parents=True)
    (folder / "offline-vbroken.joblib").write_bytes(b"not a pickle")
    (folder / "current").write_text("offline-vbroken.joblib")
    assert off.load_current(settings.data_dir) is None
    assert off.load_model(settings.data_dir).version == off.rows_hash(off.seed_rows())


@pytest.mark.parametrize(
    ("text", "label"),
    [
        (
            "LinkedIn Security: your account is restricted. Verify your identity at https://linkedin-security-check.com/verify within 24 hours.",
            "phishing",
        ),
        (
            "Hi, are you free? I need you to buy 4 Apple gift cards for a client right now, send me the codes and I'll pay you back.",
            "scam",
        ),
        (
            "Congratulations! You have won a £2000 cash prize. To claim call 09061 701 461 now. Claim code K7Q2.",
            "scam",
        ),
        ("You're a worthless idiot, shut up and go away", "harassment"),
        (
            "Hi Jana, I'm a recruiter at Helix Data. Your background is a great fit for our Head of Data role in Munich. Open to a chat?",
            "recruiting",
        ),
        (
            "Hi Mark, we help B2B SaaS teams book 20+ qualified demos a month with outbound. Worth a 15 minute call? calendly.com/growth/15min",
            "sales_pitch",
        ),
        (
            "Hi Alex, here are the slides from today's review: https://docs.google.com/presentation/d/1x - let me know if I missed anything.",
            "genuine",
        ),
        (
            "Hello, we are a customer of yours and would like a quote for the enterprise plan for 80 seats.",
            "genuine",
        ),
        ("Quick call tomorrow about the contract draft before I send it to legal?", "genuine"),
    ],
)
def test_offline_labels_clear_cases(settings: Settings, text: str, label: str) -> None:
    result = build_classifier(settings=settings).classify_text(text=text)
    assert result.label == label, result.reasons
    assert result.reasons and all(isinstance(r, str) and r for r in result.reasons)
    assert result.method in {"offline", "rules"}
    assert result.template_hash


def test_rule_overrides_model_for_disguised_login_links(settings: Settings) -> None:
    text = '<a href="http://185.224.61.7/x">https://www.linkedin.com</a> please sign in to confirm your password'
    result = build_classifier(settings=settings).classify_text(text=text)
    assert result.label == "phishing"
    assert result.confidence >= 0.95
    assert any("disguised link" in r for r in result.reasons)


def test_corrections_change_the_prediction(settings: Settings, session: Session) -> None:
    text = "The quarterly partner newsletter is out: new regional events, product notes and our team updates."
    before = build_classifier(settings=settings).classify_text(text=text)
    target = "sales_pitch" if before.label != "sales_pitch" else "genuine"
    for variant in (
        text,
        text + " Enjoy!",
        "Our quarterly partner newsletter: events, product notes, team updates.",
    ):
        message = add_message(session, variant)
        session.add(Correction(message_id=message.id, old_label=before.label, new_label=target))
    session.commit()
    info = train_from_store(settings=settings, session=session)
    assert info["corrections"] == 3
    after = build_classifier(settings=settings).classify_text(text=text)
    assert after.label == target
    assert after.model == f"offline-{info['version']}"


def test_batch_never_auto_declines_a_conversation_the_user_joined(
    settings: Settings, session: Session
) -> None:
    conv = add_conversation(session, user_participated=True)
    pitch = "Hi, we help B2B teams book 20 qualified meetings a month with our lead generation service. Quick 15 minute call? calendly.com/x/15min"
    message = add_message(session, pitch, sender=add_sender(session), conversation=conv)
    [result] = build_classifier(settings=settings).classify_batch(
        session=session, messages=[message]
    )
    assert result.needs_review is True
    assert result.method == "safety"
    assert "took part in this conversation" in result.reasons[0]
    assert result.signals["user_participated"]["value"] is True


def test_batch_blocked_sender_keeps_label_with_reason(settings: Settings, session: Session) -> None:
    sender = add_sender(session, status="blocked")
    message = add_message(session, "you are a stupid worthless idiot, shut up", sender=sender)
    [result] = build_classifier(settings=settings).classify_batch(
        session=session, messages=[message]
    )
    assert result.label == "harassment"
    assert result.reasons[0].startswith("Blocked sender")


def test_batch_detects_mass_outreach(settings: Settings, session: Session) -> None:
    names = ["John", "Maria", "Priya", "Tom"]
    messages = [
        add_message(
            session,
            f"Hi {n}, I noticed your company is growing. We help teams like yours hire {i + 3} engineers in two weeks. Open to a chat?",
            sender=add_sender(session, name=f"Rep {n}"),
        )
        for i, n in enumerate(names)
    ]
    results = build_classifier(settings=settings).classify_batch(session=session, messages=messages)
    assert len({r.template_hash for r in results}) == 1
    assert all(
        r.signals["mass_outreach"]["value"] == {"messages": 4, "senders": 4} for r in results
    )


def test_short_messages_are_not_templates(settings: Settings, session: Session) -> None:
    messages = [add_message(session, "ok thanks!", sender=add_sender(session)) for _ in range(4)]
    results = build_classifier(settings=settings).classify_batch(session=session, messages=messages)
    assert all("mass_outreach" not in r.signals for r in results)


def test_low_confidence_needs_review(settings: Settings) -> None:
    settings.policy.review_threshold = 1.01
    result = build_classifier(settings=settings).classify_text(text="hello")
    assert result.needs_review
    assert "review threshold" in result.reasons[-1]


def test_shipped_seed_model_matches_the_seed_and_code() -> None:
    """Rebuild with `python -m responder.classify.offline` after changing seed or features."""
    version = off.rows_hash(off.seed_rows())
    shipped = off.SHIPPED_DIR / f"seed-{version}.joblib"
    assert shipped.exists(), f"shipped seed model is stale; expected {shipped.name}"
    model = off._load_file(shipped)
    assert model.labels == sorted(off.LABELS)
