"""Migrations and the store on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from responder.store import db
from responder.store.models import Classification, Conversation, Message, Sender


def _roundtrip(url: str) -> None:
    db.upgrade(url)
    assert db.current_revision(url) == db.head_revision()
    # the models and the migrations describe the same schema
    command.check(db.alembic_config(url))
    engine = db.make_engine(url)
    local = datetime(2024, 3, 1, 12, 0, tzinfo=timezone(timedelta(hours=2)))
    with Session(engine) as s:
        sender = Sender(key="https://www.linkedin.com/in/jane", name="Jane")
        conv = Conversation(source="linkedin", source_id="c1")
        s.add_all([sender, conv])
        s.flush()
        msg = Message(
            source="linkedin",
            source_id="m1",
            body="héllo ✓",
            content_hash="h",
            sender_id=sender.id,
            conversation_id=conv.id,
            sent_at=local,
        )
        s.add(msg)
        s.flush()
        s.add(
            Classification(
                message_id=msg.id,
                label="genuine",
                confidence=0.9,
                reasons=["a reason"],
                signals={"links": []},
                method="offline",
            )
        )
        s.commit()
    with Session(engine) as s:
        got = s.exec(select(Message)).one()
        assert got.body == "héllo ✓"
        assert got.sent_at == local and got.sent_at.tzinfo is not None
        assert got.sent_at.utcoffset() == timedelta(0)
        c = s.exec(select(Classification)).one()
        assert c.reasons == ["a reason"] and c.signals == {"links": []}
    with Session(engine) as s, pytest.raises(IntegrityError):
        s.add(Message(source="linkedin", source_id="m1", body="dup", content_hash="h"))
        s.commit()
    engine.dispose()
    # downgrade to nothing and back up: every migration is reversible
    command.downgrade(db.alembic_config(url), "base")
    insp = sa.inspect(db.make_engine(url))
    assert "message" not in insp.get_table_names()
    db.upgrade(url)


def test_migrations_sqlite(settings) -> None:
    _roundtrip(settings.database_url)
    assert (settings.data_dir / "responder.store.db").exists()


@pytest.mark.postgres
def test_migrations_postgres(pg_url: str) -> None:
    _roundtrip(pg_url)
    engine = db.make_engine(pg_url)
    assert engine.dialect.name == "postgresql"
    engine.dispose()


def test_utc_datetime_naive_is_utc(session) -> None:
    s = Sender(key="x", name="X", first_seen=datetime(2024, 1, 1, 8, 0))
    session.add(s)
    session.commit()
    session.expire_all()
    got = session.get(Sender, s.id)
    assert got.first_seen == datetime(2024, 1, 1, 8, 0, tzinfo=UTC)
