"""Auto-approve rules (responder.triage.policy.may_auto_approve)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import Session

from responder.settings import AutoApproveRule, Settings
from responder.store.models import Draft, Message
from responder.triage.policy import auto_approved_today, may_auto_approve
from responder.triage.review import approve_draft
from tests.worker.conftest import conversation, draft, message, sender

NOW = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)


@pytest.fixture
def on(settings: Settings) -> Settings:
    settings.policy.auto_approve["sales_pitch"] = AutoApproveRule(enabled=True, min_confidence=0.9)
    settings.policy.auto_approve["recruiting"] = AutoApproveRule(enabled=True, min_confidence=0.8)
    return settings


def pitch(session: Session, **kw) -> tuple[Message, Draft]:
    msg = message(session, sent_at=NOW, label=kw.pop("label", "sales_pitch"), **kw)
    return msg, draft(session, msg, kind="decline")


def ask(session: Session, settings: Settings, msg: Message, d: Draft) -> tuple[bool, str]:
    return may_auto_approve(session=session, draft=d, message=msg, settings=settings)


def test_confident_pitch_is_approved(session, on) -> None:
    msg, d = pitch(session, confidence=0.95)
    ok, why = ask(session, on, msg, d)
    assert ok and "0.95" in why


def test_off_by_default(session, settings) -> None:
    msg, d = pitch(session)
    assert ask(session, settings, msg, d) == (False, "auto-approve is off for sales_pitch")


@pytest.mark.parametrize("label", ["phishing", "scam", "harassment"])
def test_never_for_report_labels(session, on, label) -> None:
    msg = message(session, sent_at=NOW, label=label, confidence=0.99)
    ok, why = ask(session, on, msg, draft(session, msg, kind="report_note"))
    assert not ok and "never" in why
    with pytest.raises(ValueError):
        on.policy.__class__(auto_approve={label: {"enabled": True}})


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"confidence": 0.85}, "below"),
        ({"needs_review": True}, "below"),
        ({"label": "genuine"}, "off for genuine"),
    ],
)
def test_confidence_and_rules(session, on, change, reason) -> None:
    msg, d = pitch(session, **change)
    ok, why = ask(session, on, msg, d)
    assert not ok and reason in why


def test_never_for_a_draft_failing_lint_or_not_pending(session, on) -> None:
    msg, d = pitch(session)
    d.lint_ok, d.lint_problems = False, ["contains a link"]
    ok, why = ask(session, on, msg, d)
    assert not ok and "contains a link" in why
    d.lint_ok, d.status = True, "superseded"
    assert not ask(session, on, msg, d)[0]


def test_never_for_a_firm_decline(session, on) -> None:
    msg = message(session, sent_at=NOW, label="sales_pitch")
    ok, why = ask(session, on, msg, draft(session, msg, kind="decline_firm"))
    assert not ok and "firm" in why


def test_never_in_an_ongoing_conversation(session, on) -> None:
    conversation(session, "talk", participated=True)
    msg, d = pitch(session, conv="talk", who="olga")
    assert ask(session, on, msg, d) == (False, "you take part in this conversation")
    # The same sender pitching in a new thread is still someone the user talks to.
    msg2, d2 = pitch(session, conv="new-thread", who="olga")
    assert ask(session, on, msg2, d2) == (
        False,
        "you have an ongoing conversation with this sender",
    )


@pytest.mark.parametrize("status", ["allowed", "blocked"])
def test_never_to_allowed_or_blocked_senders(session, on, status) -> None:
    sender(session, f"s-{status}", status=status)
    msg, d = pitch(session, who=f"s-{status}")
    assert ask(session, on, msg, d) == (False, f"the sender is {status}")


def test_daily_cap(session, on) -> None:
    on.policy.daily_auto_approve_cap = 2
    for i in range(2):
        msg, d = pitch(session, who=f"cap{i}")
        assert ask(session, on, msg, d)[0]
        approve_draft(session=session, draft_id=d.id, auto=True)
    assert auto_approved_today(session=session, settings=on) == 2
    msg, d = pitch(session, who="cap-over")
    ok, why = ask(session, on, msg, d)
    assert not ok and "cap of 2" in why
