"""AppTest for the Inbox page: empty state and demo, counts, filters, pagination, the message
view (inert text, reasons), relabel and allow/block, all checked in the database."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select
from streamlit.testing.v1 import AppTest

from responder.settings import PROJECT_ROOT, Settings
from responder.store.models import Classification, Correction, Draft, Message, Sender

PAGE = str(PROJECT_ROOT / "ui" / "pages" / "inbox.py")
HOSTILE = (
    "Hello <script>window.pwned=1</script> <b>bold</b> <img src=x onerror=alert(1)>\n"
    "[Claim your prize](https://evil.example.com/login) ![img](https://evil.example.com/i.png)\n"
    "Visit www.evil-site.example/pay and bit.ly/abc\u200b now \u202egnp.exe\n"
    "**not bold** # not a heading"
)


def _app() -> AppTest:
    return AppTest.from_file(PAGE, default_timeout=120)


def _texts(at: AppTest) -> list[str]:
    return [t.value for t in at.text]


def _markdown(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += (
        [e.value for e in at.error] + [w.value for w in at.warning] + [i.value for i in at.info]
    )
    return "\n".join(parts)


def test_empty_inbox_offers_the_demo_and_loads_it(trained: Settings, engine: Engine) -> None:
    at = _app().run()
    assert not at.exception
    assert "inbox is empty" in at.info[0].value
    at.button(key="inbox_demo").click().run()
    assert not at.exception
    with Session(engine) as s:
        total = s.exec(select(func.count()).select_from(Message)).one()
        untriaged = s.exec(
            select(func.count()).where(Message.direction == "in", Message.label == None)  # noqa: E711
        ).one()
        drafts = s.exec(select(func.count()).select_from(Draft)).one()
    assert total >= 40 and untriaged == 0 and drafts > 0
    assert any("Demo inbox loaded" in s.value for s in at.success)
    assert at.selectbox(key="inbox_open").options  # the table has rows now


def _db_counts(engine: Engine) -> dict[str, int]:
    with Session(engine) as s:
        rows = s.exec(
            select(Message.label, func.count())
            .where(Message.direction == "in")
            .group_by(Message.label)
        )
        return {label: n for label, n in rows}


def test_counts_and_label_filter(demo_engine: Engine) -> None:
    at = _app().run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    counts = _db_counts(demo_engine)
    assert metrics["Sales pitch"] == str(counts["sales_pitch"])
    assert metrics["Phishing"] == str(counts["phishing"])
    at.multiselect(key="inbox_labels").set_value(["phishing"]).run()
    table = at.dataframe[0].value
    assert len(table) == counts["phishing"]
    assert set(table["Label"]) == {"Phishing"}
    assert f"{counts['phishing']} message(s)" in " ".join(c.value for c in at.caption)


def test_search_sender_and_needs_review_filters(demo_engine: Engine) -> None:
    with Session(demo_engine) as s:
        target = s.exec(select(Message).where(Message.label == "sales_pitch")).first()
        sender = s.get(Sender, target.sender_id)
        review_n = s.exec(
            select(func.count()).where(
                col(Message.needs_review).is_(True), Message.direction == "in"
            )
        ).one()
    word = target.body.split()[3]
    at = _app().run()
    at.text_input(key="inbox_search").set_value(word).run()
    assert not at.exception
    assert 1 <= len(at.dataframe[0].value) < 45
    at.text_input(key="inbox_search").set_value("").run()
    at.text_input(key="inbox_sender").set_value(sender.name).run()
    assert set(at.dataframe[0].value["From"]) == {sender.name}
    at.text_input(key="inbox_sender").set_value("").run()
    at.toggle(key="inbox_review").set_value(True).run()
    assert len(at.dataframe[0].value) == review_n


def test_pagination(demo_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    from responder.settings import reset_settings_cache

    monkeypatch.setenv("RESPONDER_UI_PAGE_SIZE", "10")
    reset_settings_cache()
    at = _app().run()
    first = list(at.dataframe[0].value["Subject / text"])
    assert len(first) == 10
    assert at.button(key="inbox_prev").disabled
    at.button(key="inbox_next").click().run()
    second = list(at.dataframe[0].value["Subject / text"])
    assert len(second) == 10 and not set(first) & set(second)
    assert any("Page 2 of" in c.value for c in at.caption)


def test_message_view_shows_reasons_and_relabel_stores_a_correction(
    demo_engine: Engine,
) -> None:
    with Session(demo_engine) as s:
        msg = s.exec(
            select(Message).where(Message.label == "sales_pitch").order_by(col(Message.id))
        ).first()
        reasons = s.get(Classification, msg.classification_id).reasons
    at = _app().run()
    at.selectbox(key="inbox_open").set_value(msg.id).run()
    assert not at.exception
    texts = _texts(at)
    assert any(msg.body.split("\n")[0][:30] in t for t in texts)
    assert any(reasons[0][:30] in t for t in texts)
    at.selectbox(key=f"relabel_{msg.id}").set_value("phishing").run()
    at.button(key=f"relabel_btn_{msg.id}").click().run()
    assert not at.exception
    with Session(demo_engine) as s:
        stored = s.get(Message, msg.id)
        correction = s.exec(select(Correction).where(Correction.message_id == msg.id)).one()
        live = s.exec(
            select(Draft).where(Draft.message_id == msg.id, Draft.status == "pending")
        ).all()
    assert stored.label == "phishing"
    assert (correction.old_label, correction.new_label) == ("sales_pitch", "phishing")
    assert [d.kind for d in live] == ["report_note"]  # the decline was replaced
    assert any("Relabelled as Phishing" in s.value for s in at.success)


def test_block_and_allow_sender(demo_engine: Engine) -> None:
    with Session(demo_engine) as s:
        msg = s.exec(select(Message).where(Message.label == "sales_pitch")).first()
    at = _app().run()
    at.selectbox(key="inbox_open").set_value(msg.id).run()
    at.button(key=f"sender_blocked_{msg.id}").click().run()
    with Session(demo_engine) as s:
        assert s.get(Sender, msg.sender_id).status == "blocked"
    assert at.button(key=f"sender_blocked_{msg.id}").disabled
    at.button(key=f"sender_allowed_{msg.id}").click().run()
    with Session(demo_engine) as s:
        assert s.get(Sender, msg.sender_id).status == "allowed"


def test_hostile_message_is_inert_text(demo_engine: Engine) -> None:
    with Session(demo_engine) as s:
        sender = Sender(
            key="name:[Click](https://evil.example.com)", name="[Click](https://evil.example.com)"
        )
        s.add(sender)
        s.flush()
        msg = Message(
            source="paste",
            source_id="hostile",
            sender_id=sender.id,
            sent_at=datetime(2030, 1, 1, tzinfo=UTC),
            subject="<h1>Urgent</h1> [reset](https://evil.example.com/reset)",
            body=HOSTILE,
            content_hash="x",
            label="phishing",
            confidence=0.97,
            triage_status="triaged",
        )
        s.add(msg)
        s.commit()
        msg_id = msg.id
    at = _app().run()
    table = at.dataframe[0].value
    assert "evil[.]example[.]com" in table["Subject / text"].iloc[0]  # newest first
    assert "evil.example.com" not in " ".join(table["From"]) + " ".join(table["Subject / text"])
    at.selectbox(key="inbox_open").set_value(msg_id).run()
    assert not at.exception
    body = next(t for t in _texts(at) if "window.pwned" in t)
    assert "<script>window.pwned=1</script>" in body  # shown, as text
    assert "hxxps://evil[.]example[.]com/login" in body
    assert "[U+200B ZERO WIDTH SPACE]" in body and "[U+202E RIGHT-TO-LEFT OVERRIDE]" in body
    assert "\u202e" not in body and "\u200b" not in body
    assert "evil.example.com" not in "\n".join(_texts(at))
    rendered = _markdown(at)
    assert "evil" not in rendered and "pwned" not in rendered and "Urgent" not in rendered
    assert not at.get("html")


def test_flagged_message_says_why_in_words(demo_engine: Engine) -> None:
    with Session(demo_engine) as s:
        msg = s.exec(
            select(Message).where(
                Message.needs_review == True,  # noqa: E712
                Message.status == "open",
                Message.direction == "in",
            )
        ).first()
    assert msg is not None
    at = _app().run()
    assert {m.label: m.value for m in at.metric}["Needs review"] == "1"  # the sidebar's number
    at.selectbox(key="inbox_open").set_value(msg.id).run()
    assert not at.exception
    warnings = [w.value for w in at.warning]
    assert not any("Low confidence" in w for w in warnings)
    assert any(
        w.startswith(("You replied", "Unsure between", "The label's confidence")) for w in warnings
    ), warnings
    assert any("Check the label" in c.value for c in at.caption)


def _link_buttons(at: AppTest) -> dict[str, str]:
    return {
        el.proto.label: el.proto.url for el in at.main if getattr(el, "type", "") == "link_button"
    }


def _add(engine: Engine, *, label: str, profile_url: str, body: str) -> int:
    with Session(engine) as s:
        sender = Sender(key=profile_url, name="Sam Friend", profile_url=profile_url)
        s.add(sender)
        s.flush()
        msg = Message(
            source="linkedin", source_id=f"l-{label}-{profile_url[-6:]}", sender_id=sender.id,
            sent_at=datetime(2030, 1, 1, tzinfo=UTC), body=body, content_hash=label + profile_url,
            label=label, confidence=0.95, triage_status="triaged",
        )  # fmt: skip
        s.add(msg)
        s.commit()
        return msg.id


def test_a_genuine_contacts_linkedin_profile_is_a_button(demo_engine: Engine) -> None:
    msg_id = _add(
        demo_engine,
        label="genuine",
        profile_url="https://www.linkedin.com/in/sam-friend",
        body="Lunch on Friday? My page: https://www.linkedin.com/in/sam-friend and evil.example/x",
    )
    at = _app().run()
    at.selectbox(key="inbox_open").set_value(msg_id).run()
    assert not at.exception
    assert _link_buttons(at) == {"Open on LinkedIn": "https://www.linkedin.com/in/sam-friend/"}
    body = next(t for t in _texts(at) if "Lunch on Friday" in t)
    assert "hxxps://www[.]linkedin[.]com/in/sam-friend" in body  # links in the text stay inert


@pytest.mark.parametrize(
    ("label", "url"),
    [("phishing", "https://www.linkedin.com/in/fake-support"),
     ("genuine", "https://www.linkedin.com.evil.example/in/sam")],
)  # fmt: skip
def test_no_button_for_a_reported_sender_or_a_lookalike_host(
    demo_engine: Engine, label: str, url: str
) -> None:
    msg_id = _add(demo_engine, label=label, profile_url=url, body="Hello there, a message.")
    at = _app().run()
    at.selectbox(key="inbox_open").set_value(msg_id).run()
    assert not at.exception
    assert "Open on LinkedIn" not in _link_buttons(at)
    assert any("[.]" in t and "/in/" in t for t in _texts(at))  # shown defanged instead
