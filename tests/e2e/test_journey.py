"""The main journey in a real browser, one step per test (they run in order and share the app):
load the demo inbox, open a pitch, approve its decline (click, then keyboard), copy / mark sent,
relabel a message, show hostile content as inert text, and screenshot every page.

Add a step: write `test_NN_what(e2e)` using the `e2e` helper (tests/e2e/conftest.py).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlmodel import Session, col, func, select

from responder.store.models import Correction, Draft, Message, Sender
from tests.e2e.driver import E2EApp

HOSTILE_BODY = (
    "Dear user <script>window.pwned=1;alert('xss')</script> <b>bold?</b> "
    '<img src=x onerror="window.pwned=2">\n'
    "[Claim your prize](https://evil.example.com/login) ![pixel](https://evil.example.com/p.png)\n"
    "Pay at www.evil-pay.example/now or bit.ly/3xYz\u200b today \u202eexe.txt\n"
    '**not bold** <a href="https://evil.example.com/a">click</a>'
)
EVIL_HOSTS = ("evil.example.com", "evil-pay.example", "bit.ly")


def _first_pitch_draft(e2e: E2EApp) -> tuple[int, int]:
    """The draft the Review page focuses first: oldest pending sales-pitch decline."""
    with Session(e2e.engine) as s:
        draft, message = s.exec(
            select(Draft, Message)
            .join(Message, col(Message.id) == Draft.message_id)
            .where(Draft.status == "pending", Message.label == "sales_pitch")
            .order_by(col(Message.sent_at), col(Draft.id))
        ).first()
        return draft.id, message.id


def test_01_load_demo_inbox(e2e: E2EApp) -> None:
    e2e.open()
    e2e.expect_text("Your inbox is empty")
    e2e.shot("inbox-empty")
    e2e.click("Load demo inbox")
    e2e.expect_text("Demo inbox loaded")
    e2e.assert_no_exception()
    with Session(e2e.engine) as s:
        total = s.exec(select(func.count()).select_from(Message)).one()
        unlabelled = s.exec(
            select(func.count()).where(Message.direction == "in", col(Message.label).is_(None))
        ).one()
    assert total >= 40 and unlabelled == 0
    e2e.expect_text("Needs review")
    e2e.shot("inbox-demo")


def test_02_open_a_pitch(e2e: E2EApp) -> None:
    _, message_id = _first_pitch_draft(e2e)
    with Session(e2e.engine) as s:
        body = s.get(Message, message_id).body
    e2e.open(f"?message={message_id}")
    e2e.expect_text(f"Message #{message_id}")
    e2e.expect_text(body.split("\n")[0][:40])
    e2e.expect_text("Why this label")
    e2e.assert_no_exception()
    e2e.shot("message-pitch")


def test_03_approve_its_decline_then_the_next_by_keyboard(e2e: E2EApp) -> None:
    draft_id, _ = _first_pitch_draft(e2e)
    e2e.open("review")
    e2e.expect_text("Drafts to approve")
    e2e.shot("review")
    e2e.click("Approve & next")
    with Session(e2e.engine) as s:
        assert s.get(Draft, draft_id).status == "approved"
    e2e.expect_text("Ready to send on LinkedIn")
    next_id, _ = _first_pitch_draft(e2e)
    assert next_id != draft_id
    e2e.press("a")
    with Session(e2e.engine) as s:
        assert s.get(Draft, next_id).status == "approved"
    links = e2e.page.eval_on_selector_all("a", "els => els.map(e => e.href)")
    assert any(h.startswith("https://www.linkedin.com/messaging/thread/") for h in links)
    e2e.shot("review-ready-to-send")
    e2e.click("Mark sent")
    with Session(e2e.engine) as s:
        assert s.get(Draft, draft_id).status == "sent"
    e2e.assert_no_exception()


def test_04_relabel_a_message(e2e: E2EApp) -> None:
    with Session(e2e.engine) as s:
        message = s.exec(
            select(Message).where(Message.label == "recruiting").order_by(col(Message.id))
        ).first()
        message_id = message.id
    e2e.open(f"?message={message_id}")
    e2e.expect_text(f"Message #{message_id}")
    e2e.choose("Correct label", "Scam")
    e2e.click("Relabel")
    e2e.expect_text("Relabelled as Scam")
    with Session(e2e.engine) as s:
        assert s.get(Message, message_id).label == "scam"
        correction = s.exec(select(Correction).where(Correction.message_id == message_id)).one()
        assert (correction.old_label, correction.new_label) == ("recruiting", "scam")
        notes = s.exec(
            select(Draft).where(Draft.message_id == message_id, Draft.status == "pending")
        ).all()
        assert [d.kind for d in notes] == ["report_note"]
    e2e.assert_no_exception()
    e2e.shot("message-relabelled")


def _insert_hostile(e2e: E2EApp) -> int:
    """A message as a plain-text mail part could carry it (no HTML clean-up on the way in)."""
    with Session(e2e.engine) as s:
        sender = Sender(key="e2e:hostile", name="[Support](https://evil.example.com/s) <i>Team</i>")
        s.add(sender)
        s.flush()
        message = Message(
            source="email",
            source_id="e2e-hostile",
            sender_id=sender.id,
            sent_at=datetime(2031, 1, 1, tzinfo=UTC),
            subject="<h1>URGENT</h1> [verify](https://evil.example.com/v)",
            body=HOSTILE_BODY,
            content_hash="e2e-hostile",
            label="phishing",
            confidence=0.99,
            triage_status="triaged",
        )
        s.add(message)
        s.commit()
        return int(message.id)


def test_05_hostile_content_is_inert_text(e2e: E2EApp) -> None:
    e2e.open("import")
    e2e.page.get_by_label("Message", exact=True).fill(
        "From: Mallory <mallory@evil.example.com>\nSubject: Invoice\n\n"
        "Open [your invoice](https://evil.example.com/inv) or <a href='https://evil.example.com/x'>here</a>"
    )
    e2e.click("Add message")
    e2e.expect_text("Pasted message")
    message_id = _insert_hostile(e2e)
    e2e.open("")  # the inbox table, newest first: the hostile row is on top
    e2e.shot("inbox-hostile-row")
    e2e.open(f"?message={message_id}")
    e2e.expect_text(f"Message #{message_id}")
    e2e.expect_text("<script>window.pwned=1;alert('xss')</script>")
    e2e.expect_text("hxxps://evil[.]example[.]com/login")
    e2e.expect_text("[U+202E RIGHT-TO-LEFT OVERRIDE]")
    e2e.expect_text("[U+200B ZERO WIDTH SPACE]")
    e2e.expect_text("**not bold**")
    page = e2e.page
    assert page.evaluate("() => window.pwned") is None
    assert e2e.dialogs == []
    hrefs = page.eval_on_selector_all("a", "els => els.map(e => e.href)")
    srcs = page.eval_on_selector_all("img, iframe", "els => els.map(e => e.src || '')")
    for host in EVIL_HOSTS:
        assert not [h for h in hrefs if host in h], hrefs
        assert not [s for s in srcs if host in s], srcs
    assert page.locator("h1", has_text="URGENT").count() == 0
    assert page.locator("b", has_text="bold?").count() == 0
    assert page.locator("i", has_text="Team").count() == 0
    scripts = page.eval_on_selector_all("script", "els => els.map(e => e.textContent)")
    assert not [s for s in scripts if "pwned" in s]
    visible = page.inner_text("body")
    assert "evil.example.com" not in visible and "\u202e" not in visible
    e2e.assert_no_exception()
    e2e.shot("message-hostile")


def test_06_every_page_renders(e2e: E2EApp) -> None:
    from ui.app import page_specs

    for path, title, _icon, url_path in page_specs():
        e2e.open("" if path.name == "inbox.py" else url_path)
        e2e.page.get_by_role("heading", level=1).first.wait_for()
        e2e.assert_no_exception()
        e2e.shot(f"page-{title}")


def test_07_edit_a_prompt_and_see_the_preview_change(e2e: E2EApp) -> None:
    """Edit the decline template in the editor; the offline draft in Preview follows the edit."""
    marker = "P.S. Preview follows the edit."
    e2e.open("prompts")
    editor = e2e.page.get_by_label(re.compile("^Template \\(YAML")).first
    editor.wait_for()
    original = editor.input_value()
    assert "offline:" in original and marker not in original
    edited = original.replace(
        "\n      {{ signature }}", f"\n      {marker}\n\n      {{{{ signature }}}}"
    )
    assert edited != original
    editor.fill(edited)
    editor.press("Control+Enter")
    e2e.wait()
    e2e.expect_text("Valid. Not saved yet.")
    e2e.page.get_by_role("tab", name="Preview").click()
    e2e.wait()
    e2e.expect_text("Offline draft")
    draft = e2e.page.locator("[data-testid='stCode']", has_text=marker).first
    draft.wait_for(state="visible", timeout=60_000)
    e2e.assert_no_exception()
    e2e.shot("prompt-preview-edited")


def test_08_dashboard_renders_its_charts(e2e: E2EApp) -> None:
    e2e.open("dashboard")
    e2e.expect_text("Messages per week by label")
    chart = e2e.page.locator("[data-testid='stVegaLiteChart']").first
    chart.wait_for(timeout=60_000)
    # Vega draws the bars into a canvas or an SVG inside the chart element
    e2e.page.wait_for_function(
        "() => !!document.querySelector(\"[data-testid='stVegaLiteChart'] canvas, "
        "[data-testid='stVegaLiteChart'] svg\")",
        timeout=60_000,
    )
    assert chart.bounding_box()["height"] > 100
    e2e.assert_no_exception()
    e2e.shot("dashboard-chart")
