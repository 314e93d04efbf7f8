"""Secrets never reach the database, the logs or the rendered pages (issue 8, part 6).

A full run with every secret set: import, triage and drafting through the LLM (test server),
an e-mail reply sent over SMTP with a password, every page rendered with AppTest. Then the
database file, the captured logs and output, and the rendered pages are searched for the
secrets. The run must really have used them (the SMTP server got the mail after AUTH, the model
was called), so a run that silently skipped them cannot pass.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest
import streamlit as st
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from responder.channels.outbox import process_outbox
from responder.followups.business_hours import next_business_time
from responder.ingest.importer import import_path, load_demo_inbox
from responder.llm import build_chat_model
from responder.settings import PROJECT_ROOT, get_settings, reset_settings_cache
from responder.store import db
from responder.store.models import Delivery, Draft, Message
from responder.triage.pipeline import triage_new
from responder.triage.review import approve_draft
from tests.support.openai_server import Reply
from tests.support.smtp_server import PASSWORD as SMTP_PASSWORD
from tests.support.smtp_server import SMTPServer

OPENAI_KEY = "sk-test-SECRET-openai-9f8e7d6c5b4a3210"
IMAP_PASSWORD = "imap-SECRET-password-5150"
UI_PASSWORD = "ui-SECRET-password-8086"
SECRETS = (OPENAI_KEY, SMTP_PASSWORD, IMAP_PASSWORD, UI_PASSWORD)

PITCH_EML = b"""From: Kevin Seller <kevin@leads.example>
To: Alex Morgan <alex@example.test>
Subject: 30 qualified meetings next month?
Date: Wed, 12 Mar 2025 14:20:09 +0100
Message-ID: <pitch-0001@leads.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

Hi Alex, we book 30 qualified sales meetings a month for SaaS teams. Open to a quick call?
"""


def _model(request: dict) -> Reply | str:
    if request.get("tools") or request.get("response_format"):
        return Reply.structured(
            {
                "reasons": ["Unsolicited offer of lead generation."],
                "label": "sales_pitch",
                "confidence": 0.93,
            }
        )
    return (
        "Hi Kevin,\n\nthanks for reaching out, but this is not a fit for us.\n\nBest regards,\nAlex"
    )


def _page_texts(at: AppTest) -> str:
    out: list[str] = []

    def walk(node: object) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None:
            out.append(str(proto))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return "\n".join(out)


@pytest.fixture
def smtp_tls(tmp_path: Path):
    server = SMTPServer(security="starttls", cert_dir=tmp_path).start()
    yield server
    server.stop()


def test_no_secret_in_database_logs_or_pages(
    monkeypatch, tmp_path, openai_server, smtp_tls, caplog, capsys
) -> None:
    caplog.set_level(logging.DEBUG)
    openai_server.handler = _model
    for key, value in {
        **smtp_tls.settings_env(),
        "OPENAI_API_KEY": OPENAI_KEY,
        "RESPONDER_LLM_PROVIDER": "openai",
        "RESPONDER_LLM_BASE_URL": openai_server.base_url,
        "RESPONDER_MAIL_IMAP_PASSWORD": IMAP_PASSWORD,
        "RESPONDER_UI_PASSWORD": UI_PASSWORD,
        "RESPONDER_PROFILE_TIMEZONE": "Europe/Berlin",
    }.items():
        monkeypatch.setenv(key, value)
    reset_settings_cache()
    db.reset_engine()
    settings = get_settings()
    db.upgrade()
    engine = db.get_engine()

    eml = tmp_path / "pitch.eml"
    eml.write_bytes(PITCH_EML)
    load_demo_inbox(engine=engine, settings=settings)
    import_path(engine=engine, path=eml, settings=settings)
    triage_new(engine=engine, settings=settings, chat_model=build_chat_model(settings))
    assert openai_server.call_count > 0

    with Session(engine) as s:
        pitch = s.exec(select(Message).where(Message.source_id.contains("pitch-0001"))).one()
        draft = s.exec(
            select(Draft).where(Draft.message_id == pitch.id, Draft.status == "pending")
        ).one()
        approve_draft(session=s, draft_id=draft.id)
        s.commit()
    now = next_business_time(datetime.now(UTC), settings)
    process_outbox(engine=engine, settings=settings, worker_id="secrets-test", now=now)
    with Session(engine) as s:
        assert s.exec(select(Delivery)).one().state == "sent"
    assert len(smtp_tls.received) == 1  # sent after STARTTLS + AUTH with the password

    pages = sorted((PROJECT_ROOT / "ui" / "pages").glob("*.py")) + [PROJECT_ROOT / "ui" / "app.py"]
    rendered = []
    for page in pages:
        st.cache_resource.clear()
        st.cache_data.clear()
        at = AppTest.from_file(str(page), default_timeout=60).run()
        assert not at.exception, (page.name, at.exception)
        rendered.append(_page_texts(at))
    engine.dispose()
    db.reset_engine()

    stored = b"".join(p.read_bytes() for p in settings.data_dir.glob("responder.store.db*"))
    logs = "\n".join(r.getMessage() for r in caplog.records)
    out = capsys.readouterr()
    for secret in SECRETS:
        assert secret.encode() not in stored, "a secret is in the database"
        assert secret not in logs, "a secret is in the logs"
        assert secret not in out.out + out.err, "a secret was printed"
        for name, text in zip(pages, rendered, strict=True):
            assert secret not in text, f"a secret is shown on {name.name}"
