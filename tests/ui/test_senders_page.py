"""AppTest for the Senders page: list, sender page, allow/block, campaigns."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from responder.settings import PROJECT_ROOT
from responder.store.models import Draft, Event, Sender
from tests.support.app_seed import CAMPAIGN, Seeded, seed_views

PAGE = str(PROJECT_ROOT / "ui" / "pages" / "senders.py")


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    import streamlit as st

    st.cache_data.clear()


@pytest.fixture
def seeded(engine: Engine) -> Seeded:
    with Session(engine) as s:
        return seed_views(s, now=datetime.now(UTC))


def _app() -> AppTest:
    return AppTest.from_file(PAGE, default_timeout=60).run()


def _button(at: AppTest, key: str) -> AppTest:
    return at.button(key=key).click().run()


def _markdown_text(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown) + "\n".join(
        str(x.value) for kind in ("success", "info", "warning", "error") for x in at.get(kind)
    )


def _status(engine: Engine, sender_id: int) -> str:
    with Session(engine) as s:
        sender = s.get(Sender, sender_id)
        assert sender is not None
        return sender.status


def test_empty(engine: Engine) -> None:
    at = _app()
    assert not at.exception
    assert any("Nobody wrote yet" in i.value for i in at.info)
    assert any("No campaigns" in i.value for i in at.info)


def test_list_and_search(seeded: Seeded) -> None:
    at = _app()
    assert not at.exception
    table = at.dataframe[0].value
    assert len(table) == 8
    assert "Phil <b>Phish</b>" in list(table["Sender"])  # a table cell, not markup
    assert "Phil" not in _markdown_text(at)
    at.text_input(key="senders_search").input("gina").run()
    assert list(at.dataframe[0].value["Sender"]) == ["Gina Genuine"]
    at.text_input(key="senders_search").input("nobody-like-this").run()
    assert any("No sender matches" in i.value for i in at.info)


def test_sender_page_and_block(engine: Engine, seeded: Seeded) -> None:
    phil = seeded.senders["phil"]
    at = _app()
    at.selectbox(key="senders_open").set_value(phil).run()
    assert not at.exception
    texts = [t.value for t in at.text]
    assert "Phil <b>Phish</b>" in texts
    msgs = at.dataframe[1].value
    assert list(msgs["Label"]) == ["Phishing"]
    # links in message subjects are shown defanged
    assert "hxxp://evil[.]example" in list(msgs["Subject / start"])[0]
    at = _button(at, f"sender_{phil}_block")
    assert not at.exception
    assert _status(engine, phil) == "blocked"
    flashes = [s.value for s in at.success]
    assert flashes and "blocked" in flashes[0] and "<b>" not in flashes[0]  # escaped
    at.selectbox(key="senders_filter").set_value("Blocked").run()
    assert list(at.dataframe[0].value["Sender"]) == ["Phil <b>Phish</b>"]
    at.selectbox(key="senders_open").set_value(phil).run()
    at = _button(at, f"sender_{phil}_allow")
    assert _status(engine, phil) == "allowed"


def test_read_a_message_as_text(seeded: Seeded) -> None:
    pat = seeded.senders["pat"]
    at = _app()
    at.selectbox(key="senders_open").set_value(pat).run()
    at.selectbox(key=f"sender_msg_{pat}").set_value(seeded.messages["pitch1"]).run()
    assert "body of pitch1" in [t.value for t in at.text]
    drafts = at.dataframe[2].value
    assert set(drafts["Status"]) == {"sent (auto)", "pending"}


def test_add_to_block_list(engine: Engine, seeded: Seeded) -> None:
    at = _app()
    at.text_input(key="senders_add_id").input("spammer@example.com")
    at = _submit(at, "Add")
    assert any("is on the block list" in x.value for x in at.success)
    assert not at.exception
    with Session(engine) as s:
        sender = s.exec(select(Sender).where(Sender.key == "spammer@example.com")).one()
    assert sender.status == "blocked"


def _submit(at: AppTest, label: str) -> AppTest:
    return next(b for b in at.button if b.label == label).click().run()


def test_campaign_report_and_block(engine: Engine, seeded: Seeded) -> None:
    at = _app()
    camp = at.dataframe[-1].value
    assert list(camp["Senders"]) == [3]
    at.selectbox(key="campaign_open").set_value(CAMPAIGN).run()
    assert not at.exception
    assert len(at.dataframe[-1].value) == 3
    at = _button(at, "campaign_report")
    assert not at.exception
    assert any("report notes written" in s.value for s in at.success)
    campaign_ids = {seeded.messages[k] for k in ("camp_a", "camp_b", "camp_c")}
    with Session(engine) as s:
        notes = s.exec(select(Draft).where(Draft.kind == "report_note")).all()
        marked = s.exec(select(Event).where(Event.kind == "report_requested")).all()
    reported = {d.message_id for d in notes} | {e.message_id for e in marked}
    assert campaign_ids <= reported
    at.selectbox(key="campaign_open").set_value(CAMPAIGN).run()
    at = _button(at, "campaign_block")
    assert any("3 senders blocked" in s.value for s in at.success)
    camp = next(f.value for f in at.dataframe if "Blocked" in f.value.columns)
    assert list(camp["Blocked"]) == [3]  # the cached list was refreshed
    for who in ("ann", "bob", "cid"):
        assert _status(engine, seeded.senders[who]) == "blocked"
