"""A small LinkedIn export whose owner (Jordan Rivera) answered one message, and offline
declines for its two pitches (first-run tests: core, AppTest and browser)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from sqlmodel import Session, select

from responder.drafts.drafter import build_drafter
from responder.drafts.lifecycle import create_draft
from responder.settings import get_settings
from responder.store.models import Draft, Message
from responder.store.preferences import effective_settings

HEADER = ["CONVERSATION ID", "CONVERSATION TITLE", "FROM", "SENDER PROFILE URL", "TO",
          "RECIPIENT PROFILE URLS", "DATE", "SUBJECT", "CONTENT", "FOLDER", "ATTACHMENTS"]  # fmt: skip
OWNER = ("Jordan Rivera", "https://www.linkedin.com/in/jordan-rivera")
PITCH = "Hi Jordan, we help SaaS founders book 30 demos a month with our lead generation service."
PITCH2 = "Hello! Our SEO services get agencies like yours to page one. Free audit this week?"


def write_export(tmp_path: Path) -> Path:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(HEADER)
    rows = [
        ("c-1", "Pat Seller", "2026-05-01 10:00:00 UTC", PITCH),
        ("c-2", "Sam Friend", "2026-05-02 11:00:00 UTC", "Lunch on Friday? It's been ages."),
        ("c-3", "Rita Recruit", "2026-05-03 12:00:00 UTC", PITCH2),
    ]
    for conv, frm, date, content in rows:
        url = "https://www.linkedin.com/in/" + frm.lower().replace(" ", "-")
        w.writerow([conv, frm, frm, url, OWNER[0], OWNER[1], date, "", content, "INBOX", ""])
    # The owner answered Sam: an "out" message from the owner.
    w.writerow(["c-2", "Sam Friend", OWNER[0], OWNER[1], "Sam Friend",
                "https://www.linkedin.com/in/sam-friend", "2026-05-02 12:00:00 UTC", "",
                "Friday works!", "INBOX", ""])  # fmt: skip
    path = tmp_path / "messages.csv"
    path.write_bytes(buf.getvalue().encode())
    return path


def draft_pitches(session: Session) -> list[Draft]:
    settings = effective_settings(session=session, base=get_settings())
    drafter = build_drafter(settings=settings)
    drafts = []
    for message in session.exec(select(Message).where(Message.direction == "in")):
        if message.body in (PITCH, PITCH2):
            message.label = "sales_pitch"
            session.add(message)
            draft = create_draft(
                session=session, message=message, label="sales_pitch", kind=None, drafter=drafter
            )
            assert draft is not None
            drafts.append(draft)
    session.commit()
    return drafts
