"""A small, fully known store for dashboard, senders and follow-up tests (and their AppTests).

Every count the tests assert follows from the table in `seed_views` (nothing is computed by the
code under test). `NOW` is a Wednesday so week buckets are easy to reason about.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from responder.store.models import Conversation, Delivery, Draft, FollowUp, Message, Sender

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # Wednesday
THIS_MONDAY = datetime(2026, 11, 23, tzinfo=UTC)
CAMPAIGN = "c" * 64


@dataclass
class Seeded:
    senders: dict[str, int] = field(default_factory=dict)
    messages: dict[str, int] = field(default_factory=dict)
    drafts: dict[str, int] = field(default_factory=dict)
    followups: dict[str, int] = field(default_factory=dict)
    deliveries: dict[str, int] = field(default_factory=dict)


def _msg(s: Session, key: str, out: Seeded, **kw: object) -> Message:
    m = Message(
        source="linkedin",
        source_id=key,
        content_hash=key.ljust(64, "0")[:64],
        body=kw.pop("body", f"body of {key}"),  # type: ignore[arg-type]
        triage_status=kw.pop("triage_status", "triaged"),  # type: ignore[arg-type]
        **kw,  # type: ignore[arg-type]
    )
    s.add(m)
    s.flush()
    out.messages[key] = m.id  # type: ignore[assignment]
    return m


def seed_views(s: Session, now: datetime = NOW) -> Seeded:
    """Senders, 12 inbound messages over three weeks, drafts, follow-ups, a 3-sender campaign.

    this week (Mon 23 Nov): pitch1 (sales_pitch, auto-approved decline, sent),
        pitch2 (sales_pitch, pending decline), genuine1 (genuine, open, reminder overdue),
        phish1 (phishing, pending report note), camp_a / camp_b / camp_c (campaign, sales_pitch),
        untriaged1 (no label yet)
    last week (Mon 16 Nov): rec1 (recruiting, approved by user unedited, sent -> answered),
        genuine2 (genuine, answered), lowconf (recruiting, needs_review, no draft)
    13 weeks ago: old1 (genuine; outside a 12-week dashboard)

    With another `now` (UI tests use the real clock) everything moves with it: "this week" is
    the week of `now` and the messages sit at the same offsets from its Monday (some may then be
    later than `now`, which nothing here minds).
    """
    out = Seeded()
    names = {
        "pat": "Pat Pitcher",
        "gina": "Gina Genuine",
        "phil": "Phil <b>Phish</b>",
        "rita": "Rita Recruiter",
        "ann": "Ann A",
        "bob": "Bob B",
        "cid": "Cid C",
        "old": "Olden Days",
    }
    for key, name in names.items():
        sender = Sender(key=f"https://www.linkedin.com/in/{key}", name=name, last_seen=now)
        s.add(sender)
        s.flush()
        out.senders[key] = sender.id  # type: ignore[assignment]
    conv = Conversation(source="linkedin", source_id="conv-gina")
    s.add(conv)
    s.flush()
    sid = out.senders
    monday = datetime.combine(now.date() - timedelta(days=now.weekday()), datetime.min.time(), UTC)
    wk = monday + timedelta(hours=10)
    last = monday - timedelta(days=7) + timedelta(hours=10)
    _msg(
        s,
        "pitch1",
        out,
        sender_id=sid["pat"],
        sent_at=wk,
        label="sales_pitch",
        confidence=0.97,
        status="answered",
        subject="Grow your pipeline",
    )
    _msg(
        s,
        "pitch2",
        out,
        sender_id=sid["pat"],
        sent_at=wk + timedelta(days=1),
        label="sales_pitch",
        confidence=0.9,
        subject="Following up",
    )
    _msg(
        s,
        "genuine1",
        out,
        sender_id=sid["gina"],
        sent_at=wk - timedelta(hours=5),
        label="genuine",
        confidence=0.8,
        conversation_id=conv.id,
        subject="Coffee next week?",
    )
    _msg(
        s,
        "phish1",
        out,
        sender_id=sid["phil"],
        sent_at=wk + timedelta(days=2, hours=1),
        label="phishing",
        confidence=0.95,
        subject="Verify your account hxxp://evil.example",
    )
    for key, who in (("camp_a", "ann"), ("camp_b", "bob"), ("camp_c", "cid")):
        _msg(
            s,
            key,
            out,
            sender_id=sid[who],
            sent_at=wk + timedelta(hours=2),
            label="sales_pitch",
            confidence=0.9,
            template_hash=CAMPAIGN,
            subject="Scale your outbound 10x",
        )
    _msg(
        s,
        "untriaged1",
        out,
        sender_id=sid["pat"],
        sent_at=wk + timedelta(days=2),
        triage_status="new",
    )
    _msg(
        s,
        "rec1",
        out,
        sender_id=sid["rita"],
        sent_at=last,
        label="recruiting",
        confidence=0.93,
        status="answered",
    )
    _msg(
        s,
        "genuine2",
        out,
        sender_id=sid["gina"],
        sent_at=last + timedelta(days=1),
        label="genuine",
        confidence=0.9,
        status="answered",
        conversation_id=conv.id,
    )
    _msg(
        s,
        "lowconf",
        out,
        sender_id=sid["rita"],
        sent_at=last + timedelta(days=2),
        label="recruiting",
        confidence=0.4,
        needs_review=True,
    )
    _msg(
        s,
        "old1",
        out,
        sender_id=sid["old"],
        sent_at=monday - timedelta(weeks=13),
        label="genuine",
        confidence=0.9,
        status="answered",
    )
    _msg(
        s,
        "reply_out",
        out,
        sender_id=None,
        sent_at=last + timedelta(days=1, hours=2),
        direction="out",
        label=None,
        triage_status="triaged",
        conversation_id=conv.id,
    )
    mid = out.messages

    def draft(key: str, message: str, **kw: object) -> Draft:
        d = Draft(message_id=mid[message], text=f"draft for {message}", **kw)  # type: ignore[arg-type]
        s.add(d)
        s.flush()
        out.drafts[key] = d.id  # type: ignore[assignment]
        return d

    draft(
        "pitch1",
        "pitch1",
        kind="decline",
        label="sales_pitch",
        status="sent",
        auto_approved=True,
        approved_at=now,
        sent_at=now,
    )
    draft("pitch2", "pitch2", kind="decline", label="sales_pitch", status="pending")
    draft("phish1", "phish1", kind="report_note", label="phishing", status="pending")
    draft(
        "rec1",
        "rec1",
        kind="decline",
        label="recruiting",
        status="sent",
        approved_at=now,
        sent_at=now,
    )
    d_fail = draft(
        "camp_a", "camp_a", kind="decline", label="sales_pitch", status="approved", approved_at=now
    )
    dl = Delivery(
        draft_id=d_fail.id,
        channel="email",
        state="failed",
        attempts=5,  # type: ignore[arg-type]
        last_error="SMTP 550 mailbox unavailable",
        next_attempt_at=None,
    )
    s.add(dl)
    s.flush()
    out.deliveries["camp_a"] = dl.id  # type: ignore[assignment]

    def followup(key: str, message: str, **kw: object) -> None:
        f = FollowUp(message_id=mid[message], sender_id=None, **kw)  # type: ignore[arg-type]
        s.add(f)
        s.flush()
        out.followups[key] = f.id  # type: ignore[assignment]

    followup("overdue", "genuine1", kind="reminder", due_at=now - timedelta(hours=3))
    followup("future", "lowconf", kind="reminder", due_at=now + timedelta(days=2))
    followup(
        "cancelled", "genuine2", kind="reminder", due_at=now - timedelta(days=1), status="cancelled"
    )
    s.commit()
    return out
