"""The demo inbox is counted and removed in one step; the user's own messages stay."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from responder.app.demo_data import demo_message_count, remove_demo
from responder.ingest.importer import import_text, load_demo_inbox
from responder.settings import Settings
from responder.store.models import (
    Classification,
    Conversation,
    Draft,
    Event,
    FollowUp,
    Message,
    Sender,
)
from responder.triage.pipeline import triage_new


def _count(s: Session, table: type) -> int:
    return int(s.exec(select(func.count()).select_from(table)).one())


def test_remove_demo_keeps_the_users_messages(engine: Engine, settings: Settings) -> None:
    load_demo_inbox(engine=engine, settings=settings)
    import_text(
        engine=engine,
        text="From: Real Person <real@example.com>\n\nCan we meet on Tuesday about the offer?",
        settings=settings,
    )
    triage_new(engine=engine, settings=settings, chat_model=None)
    with Session(engine) as s:
        demo = demo_message_count(session=s)
        assert demo >= 40
        assert _count(s, Draft) > 0 and _count(s, Classification) > demo // 2
        removal = remove_demo(session=s)
        s.commit()
    assert removal.messages == demo and removal.drafts > 0 and removal.senders > 0
    with Session(engine) as s:
        assert demo_message_count(session=s) == 0
        (left,) = s.exec(select(Message)).all()
        assert left.source == "paste" and left.label is not None
        assert s.exec(select(Classification.message_id)).all() == [left.id]
        assert {d.message_id for d in s.exec(select(Draft))} <= {left.id}
        assert all(f.message_id == left.id for f in s.exec(select(FollowUp)))
        (sender,) = s.exec(select(Sender)).all()
        assert sender.email == "real@example.com"
        assert s.exec(select(Conversation).where(Conversation.source == "demo")).all() == []
        assert s.exec(select(Event).where(Event.kind == "demo_removed")).one()


def test_remove_demo_when_there_is_none(session: Session) -> None:
    removal = remove_demo(session=session)
    assert removal.messages == 0 and removal.senders == 0
