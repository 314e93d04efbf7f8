"""Helpers for draft tests: stored senders and messages, and settings pointed at the fake LLM."""

from __future__ import annotations

import hashlib
import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session

from responder.classify.signals import template_fingerprint
from responder.settings import Settings, get_settings, reset_settings_cache
from responder.store import db
from responder.store.models import Conversation, Message, Sender

NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture(scope="session")
def _migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite file migrated with Alembic for the whole session; tests get a copy (running
    the migrations for every test costs ~2 s each on this machine)."""
    path = tmp_path_factory.mktemp("migrated") / "template.db"
    db.upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def engine(settings: Settings, _migrated_template: Path) -> Iterator[Engine]:
    """Overrides the shared fixture: the per-test SQLite database, copied from a migrated file."""
    target = Path(make_url(settings.database_url).database or "")
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(_migrated_template, target)
    yield db.get_engine()


def add_sender(session: Session, name: str = "Anna Weber", **kw: Any) -> Sender:
    key = kw.pop("key", None) or f"name:{name}:{uuid.uuid4().hex}"
    sender = Sender(key=key, name=name, **kw)
    session.add(sender)
    session.flush()
    return sender


def add_message(
    session: Session,
    body: str,
    *,
    sender: Sender | None = None,
    sender_name: str = "Anna Weber",
    source: str = "linkedin",
    days_ago: float = 0,
    label: str | None = None,
    **kw: Any,
) -> Message:
    if sender is None:
        sender = add_sender(session, sender_name)
    h = hashlib.sha256(f"{body}|{datetime.now(UTC).timestamp()}|{id(kw)}".encode()).hexdigest()
    message = Message(
        source=source,
        source_id=h[:32],
        sender_id=sender.id,
        body=body,
        content_hash=kw.pop("content_hash", hashlib.sha256(body.encode()).hexdigest()),
        template_hash=kw.pop("template_hash", template_fingerprint(body)),
        sent_at=NOW - timedelta(days=days_ago),
        label=label,
        **kw,
    )
    session.add(message)
    session.flush()
    return message


def add_conversation(session: Session, url: str) -> Conversation:
    conv = Conversation(source="linkedin", source_id=url, url=url)
    session.add(conv)
    session.flush()
    return conv


@pytest.fixture
def llm_settings(openai_server, monkeypatch: pytest.MonkeyPatch, engine) -> Settings:
    """Settings for the real OpenAI client against the local fake server (no retries)."""
    monkeypatch.setenv("RESPONDER_LLM_PROVIDER", "openai")
    monkeypatch.setenv("RESPONDER_LLM_BASE_URL", openai_server.base_url)
    monkeypatch.setenv("RESPONDER_LLM_MAX_RETRIES", "0")
    monkeypatch.setenv("RESPONDER_LLM_TIMEOUT_S", "5")
    reset_settings_cache()
    return get_settings()


@pytest.fixture
def chat_model(llm_settings: Settings):
    from responder.llm import build_chat_model

    model = build_chat_model(llm_settings, purpose="draft")
    assert model is not None
    return model
