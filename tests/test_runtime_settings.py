"""Preferences saved in the app reach the processes that act on them (CLI triage, worker jobs)."""

from __future__ import annotations

from sqlmodel import Session, select
from typer.testing import CliRunner

from responder.app.context import runtime_settings
from responder.cli import app
from responder.ingest.importer import load_demo_inbox
from responder.store.models import Draft, Message
from responder.store.preferences import save_preferences


def test_runtime_settings_apply_stored_preferences(engine, settings) -> None:
    assert runtime_settings().profile.keep_recruiters is False
    with Session(engine) as s:
        save_preferences(session=s, changes={"profile.keep_recruiters": True}, base=settings)
        s.commit()
    assert runtime_settings().profile.keep_recruiters is True


def test_cli_triage_uses_the_preferences(engine, settings) -> None:
    """With "keep recruiters" switched on in the app, triage drafts no decline for recruiters."""
    with Session(engine) as s:
        save_preferences(session=s, changes={"profile.keep_recruiters": True}, base=settings)
        s.commit()
    load_demo_inbox(engine=engine, settings=settings)
    result = CliRunner().invoke(app, ["triage", "--json"])
    assert result.exit_code == 0, result.output
    with Session(engine) as s:
        recruiters = s.exec(select(Message).where(Message.label == "recruiting")).all()
        assert recruiters
        for m in recruiters:
            assert s.exec(select(Draft).where(Draft.message_id == m.id)).all() == []


def test_runtime_settings_before_migrations(settings) -> None:
    assert runtime_settings().profile.name == settings.profile.name
