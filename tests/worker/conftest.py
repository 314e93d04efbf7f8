"""Factories and servers for the worker tests."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select

from responder.settings import Settings, get_settings, reset_settings_cache
from responder.store.models import Conversation, Draft, Message, Sender
from tests.support.smtp_server import SMTPServer

_ids = itertools.count(1)

#: A Wednesday, 10:00 in Berlin (business hours).
WED_10_BERLIN = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)


def sender(
    session: Session, key: str, *, email: str | None = None, status: str = "neutral"
) -> Sender:
    row = session.exec(select(Sender).where(Sender.key == key)).first()
    if row is None:
        row = Sender(key=key, name=key.title(), email=email, status=status)
        session.add(row)
        session.flush()
    return row


def conversation(session: Session, source_id: str, *, participated: bool = False) -> Conversation:
    row = session.exec(select(Conversation).where(Conversation.source_id == source_id)).first()
    if row is None:
        row = Conversation(source="linkedin", source_id=source_id, user_participated=participated)
        session.add(row)
        session.flush()
    return row


def message(
    session: Session,
    *,
    sent_at: datetime,
    label: str | None = "genuine",
    who: str = "dana",
    conv: str | None = None,
    direction: str = "in",
    source: str = "linkedin",
    email: str | None = None,
    confidence: float = 0.95,
    **extra: Any,
) -> Message:
    n = next(_ids)
    s = sender(session, who, email=email)
    c = conversation(session, conv) if conv else None
    row = Message(
        source=source,
        source_id=f"m{n}",
        sender_id=s.id,
        conversation_id=c.id if c else None,
        direction=direction,
        sent_at=sent_at,
        body=f"message {n} from {who}",
        content_hash=f"{n:064d}",
        label=label,
        confidence=confidence,
        **({"triage_status": "triaged"} | extra),
    )
    session.add(row)
    session.flush()
    return row


def draft(
    session: Session, msg: Message, *, kind: str = "decline", status: str = "pending", **kw: Any
) -> Draft:
    row = Draft(
        message_id=msg.id,
        kind=kind,
        text=f"{kind} text for {msg.id}",
        label=msg.label,
        status=status,
        **kw,
    )
    session.add(row)
    session.flush()
    return row


@pytest.fixture
def configure(monkeypatch: pytest.MonkeyPatch) -> Callable[..., Settings]:
    """Set RESPONDER_* variables (and others) and return fresh settings."""

    def apply(**env: str) -> Settings:
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        reset_settings_cache()
        return get_settings()

    return apply


@pytest.fixture
def berlin(configure: Callable[..., Settings]) -> Settings:
    return configure(RESPONDER_PROFILE_TIMEZONE="Europe/Berlin")


@pytest.fixture
def smtp_plain() -> Iterator[SMTPServer]:
    server = SMTPServer(security="none").start()
    yield server
    server.stop()


def tls_server(security: str, tmp_path: Path) -> SMTPServer:
    try:
        return SMTPServer(security=security, cert_dir=tmp_path).start()
    except FileNotFoundError as exc:
        pytest.skip(f"cannot make a test certificate: {exc}")
