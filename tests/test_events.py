"""LLM failures during triage become visible events; the message is classified offline."""

from __future__ import annotations

from sqlmodel import Session, select

from responder.ingest.importer import import_text
from responder.llm import build_chat_model
from responder.settings import get_settings, reset_settings_cache
from responder.store.events import recent_problems
from responder.store.models import Message
from responder.triage.pipeline import triage_new
from tests.support.openai_server import Reply


def test_llm_outage_is_an_event_and_nothing_is_stuck(monkeypatch, engine, openai_server) -> None:
    openai_server.handler = lambda req: Reply.error(500)
    monkeypatch.setenv("RESPONDER_LLM_PROVIDER", "openai")
    monkeypatch.setenv("RESPONDER_LLM_BASE_URL", openai_server.base_url)
    monkeypatch.setenv("RESPONDER_LLM_MAX_RETRIES", "0")
    reset_settings_cache()
    settings = get_settings()
    import_text(
        engine=engine,
        settings=settings,
        text="From: Kim\nHi, we help SaaS founders book 20 demos a month. Quick call?",
    )
    summary = triage_new(engine=engine, settings=settings, chat_model=build_chat_model(settings))
    assert summary.triaged == 1 and summary.failed == 0
    assert openai_server.call_count >= 1
    with Session(engine) as s:
        message = s.exec(select(Message)).one()
        assert message.triage_status == "triaged" and message.label
        problems = recent_problems(session=s)
        assert any(p.kind == "llm_fallback" and p.message_id == message.id for p in problems)
