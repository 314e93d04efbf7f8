"""Real-browser steps for the review queue, bulk actions with undo and the demo workspace (they
run after the main journey and share its app): check a label with one key, bulk approve with a
confirmation and undo it, remove the demo inbox while the user's own message stays.
"""

from __future__ import annotations

import re

from sqlmodel import Session, col, func, select

from responder.ingest.importer import import_text
from responder.settings import Settings
from responder.store.models import Delivery, Draft, Message
from tests.e2e.driver import E2EApp


def _flagged(e2e: E2EApp) -> int:
    with Session(e2e.engine) as s:
        return s.exec(
            select(func.count()).where(
                Message.needs_review == True,  # noqa: E712
                Message.status == "open",
                Message.direction == "in",
            )
        ).one()


def test_10_check_the_label_with_one_key(e2e: E2EApp) -> None:
    e2e.open()  # the app migrates its database on first use
    e2e.ensure_demo()
    before = _flagged(e2e)
    assert before >= 1, "the demo has a message that needs review"
    e2e.open("review")
    e2e.expect_text("Check the label:")
    e2e.page.get_by_text("Check the label:", exact=False).first.click()  # unfold it
    e2e.wait()
    e2e.expect_text("Keep ")
    assert e2e.page.get_by_text("Low confidence: check the label").count() == 0
    e2e.shot("review-check-the-label")
    e2e.press("k")
    e2e.assert_no_exception()
    assert _flagged(e2e) == before - 1
    e2e.expect_text("Label kept")


def test_11_bulk_approve_confirm_and_undo(e2e: E2EApp) -> None:
    e2e.open("review")
    e2e.expect_text("Drafts to approve")
    e2e.page.get_by_role("button", name=re.compile(r"Approve all \d+ lint-clean")).first.click()
    e2e.wait()
    e2e.expect_text("at once? You can undo this")
    confirm = e2e.page.get_by_role("button", name="Yes, approve ").first
    count = int(confirm.inner_text().split("Yes, approve ", 1)[1].split()[0])
    assert count >= 1
    e2e.shot("review-bulk-confirm")
    confirm.click()
    e2e.wait()
    e2e.expect_text(f"Approved {count} ")
    with Session(e2e.engine) as s:
        approved = s.exec(
            select(Draft).where(Draft.status == "approved", col(Draft.sent_at).is_(None))
        ).all()
        ids = [d.id for d in approved][-count:]
    assert len(ids) == count
    e2e.shot("review-bulk-approved")
    e2e.click("Undo")
    e2e.expect_text(f"Undone: {count} draft(s)")
    e2e.assert_no_exception()
    with Session(e2e.engine) as s:
        assert {s.get(Draft, i).status for i in ids} == {"pending"}
        assert s.exec(select(Delivery).where(col(Delivery.draft_id).in_(ids))).all() == []
    e2e.shot("review-bulk-undone")


def test_12_remove_the_demo_keeps_your_messages(e2e: E2EApp) -> None:
    settings = Settings(data_dir=e2e.data_dir)
    import_text(
        engine=e2e.engine,
        text="Could we meet next Tuesday about the partnership?",
        settings=settings,
        sender="Real Colleague <colleague@example.com>",
    )
    e2e.open("import")
    e2e.expect_text("The demo inbox is loaded")
    e2e.click("Remove demo inbox")
    e2e.expect_text("Your own imported messages stay")
    e2e.shot("import-demo-remove-confirm")
    e2e.click("Yes, remove the demo")
    e2e.expect_text("Demo inbox removed")
    e2e.assert_no_exception()
    with Session(e2e.engine) as s:
        sources = set(s.exec(select(Message.source)).all())
    assert "demo" not in sources and "paste" in sources
    e2e.expect_text("Load demo inbox")
    e2e.shot("import-demo-removed")
    e2e.open()
    e2e.expect_text("Needs review")  # the inbox still has your message (table cells are canvas)
    assert e2e.page.get_by_text("Your inbox is empty").count() == 0
    assert e2e.page.get_by_text("Demo inbox loaded").count() == 0
    assert e2e.page.get_by_role("button", name="Deploy").count() == 0
    e2e.shot("inbox-after-demo-removed")
