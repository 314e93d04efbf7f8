"""Senders, campaigns, allow/block lists."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from responder.app.campaigns import (
    block_campaign,
    campaign_messages,
    list_campaigns,
    report_campaign,
)
from responder.app.senders import add_to_list, list_senders, sender_profile, set_status
from responder.errors import NotFoundError
from responder.settings import Settings
from responder.store.models import Draft, Event, Message, Sender
from tests.support.app_seed import CAMPAIGN, seed_views


@pytest.fixture
def seeded(session: Session):  # type: ignore[no-untyped-def]
    return seed_views(session)


def test_list_search_and_filter(session: Session, seeded) -> None:  # type: ignore[no-untyped-def]
    rows, total = list_senders(session=session)
    assert total == 8 and len(rows) == 8
    by_name = {r.name: r for r in rows}
    assert by_name["Pat Pitcher"].messages == 3
    assert by_name["Gina Genuine"].messages == 2  # the user's own reply is not counted

    rows, total = list_senders(session=session, search="RECRUIT")
    assert [r.name for r in rows] == ["Rita Recruiter"] and total == 1
    rows, _ = list_senders(session=session, search="linkedin.com/in/bob")
    assert [r.name for r in rows] == ["Bob B"]

    page1, total = list_senders(session=session, limit=3)
    page2, _ = list_senders(session=session, limit=3, offset=3)
    assert total == 8 and len(page1) == 3 and not {r.id for r in page1} & {r.id for r in page2}

    set_status(session=session, sender_id=seeded.senders["phil"], status="blocked")
    set_status(session=session, sender_id=seeded.senders["gina"], status="allowed")
    blocked, n = list_senders(session=session, status="blocked")
    allowed, _ = list_senders(session=session, status="allowed")
    assert n == 1 and [r.name for r in blocked] == ["Phil <b>Phish</b>"]
    assert [r.name for r in allowed] == ["Gina Genuine"]
    with pytest.raises(ValueError):
        set_status(session=session, sender_id=seeded.senders["phil"], status="banned")


def test_self_is_not_listed(session: Session) -> None:
    session.add(Sender(key="me", name="Me Myself", is_self=True))
    session.add(Sender(key="them", name="Them"))
    session.flush()
    rows, total = list_senders(session=session)
    assert [r.name for r in rows] == ["Them"] and total == 1


def test_sender_profile(session: Session, seeded) -> None:  # type: ignore[no-untyped-def]
    prof = sender_profile(session=session, sender_id=seeded.senders["pat"])
    assert prof.sender["name"] == "Pat Pitcher"
    assert [m["id"] for m in prof.messages] == [
        seeded.messages["untriaged1"],
        seeded.messages["pitch2"],
        seeded.messages["pitch1"],
    ]
    assert prof.label_counts == {"sales_pitch": 2, "untriaged": 1}
    assert {(d["kind"], d["status"], d["auto_approved"]) for d in prof.drafts} == {
        ("decline", "sent", True),
        ("decline", "pending", False),
    }
    gina = sender_profile(session=session, sender_id=seeded.senders["gina"])
    assert {(f["kind"], f["status"]) for f in gina.followups} == {
        ("reminder", "pending"),
        ("reminder", "cancelled"),
    }
    with pytest.raises(NotFoundError):
        sender_profile(session=session, sender_id=9999)


def test_campaigns(session: Session, seeded) -> None:  # type: ignore[no-untyped-def]
    # one sender repeating a template is not a campaign
    for i in range(3):
        session.add(
            Message(
                source="t",
                source_id=f"solo{i}",
                content_hash=f"s{i}",
                body="same",
                template_hash="s" * 64,
                sender_id=seeded.senders["pat"],
            )
        )
    session.flush()
    camps = list_campaigns(session=session)
    assert len(camps) == 1
    c = camps[0]
    assert (c.template_hash, c.senders, c.messages, c.top_label, c.blocked_senders) == (
        CAMPAIGN,
        3,
        3,
        "sales_pitch",
        0,
    )
    assert c.example_subject == "Scale your outbound 10x"
    assert list_campaigns(session=session, min_senders=4) == []
    msgs = campaign_messages(session=session, template_hash=CAMPAIGN)
    assert {m["sender_name"] for m in msgs} == {"Ann A", "Bob B", "Cid C"}


def test_block_campaign_skips_allowed(session: Session, seeded) -> None:  # type: ignore[no-untyped-def]
    set_status(session=session, sender_id=seeded.senders["ann"], status="allowed")
    set_status(session=session, sender_id=seeded.senders["bob"], status="blocked")
    result = block_campaign(session=session, template_hash=CAMPAIGN)
    assert (result.blocked, result.already_blocked, result.skipped_allowed) == (1, 1, 1)
    statuses = {
        s.name: s.status
        for s in session.exec(select(Sender).where(Sender.name.in_(["Ann A", "Bob B", "Cid C"])))  # type: ignore[attr-defined]
    }
    assert statuses == {"Ann A": "allowed", "Bob B": "blocked", "Cid C": "blocked"}
    assert list_campaigns(session=session)[0].blocked_senders == 2
    with pytest.raises(NotFoundError):
        block_campaign(session=session, template_hash="nope")


def test_report_campaign_creates_notes_once(session: Session, settings: Settings, seeded) -> None:  # type: ignore[no-untyped-def]
    from responder.app.campaigns import CAMPAIGN_NOTE

    camp_c = session.get(Message, seeded.messages["camp_c"])
    assert camp_c is not None
    camp_c.label = "scam"  # a report label: its note comes from the drafting engine
    session.add(camp_c)
    camp_a = session.get(Message, seeded.messages["camp_a"])
    assert camp_a is not None
    camp_a.body = "Scale your outbound 10x: https://growth.example/offer?ref=you"
    session.add(camp_a)
    session.flush()
    first = report_campaign(session=session, template_hash=CAMPAIGN, settings=settings)
    assert (first.notes_created, first.already_noted, first.marked_for_report) == (3, 0, 0)
    notes = {
        d.message_id: d
        for d in session.exec(
            select(Draft).where(Draft.kind == "report_note", Draft.status == "pending")
        )
    }
    a, b, c = (seeded.messages[k] for k in ("camp_a", "camp_b", "camp_c"))
    assert {a, b, c} <= set(notes)
    assert notes[a].template_name == notes[b].template_name == CAMPAIGN_NOTE
    assert "3 different profiles" in notes[a].text and "Bob B" in notes[a].text
    assert "linkedin[.]com" in notes[a].text  # link-like evidence is defanged
    assert "growth[.]example" in notes[a].text and "https://" not in notes[a].text
    assert notes[a].lint_ok, notes[a].lint_problems
    assert notes[c].template_name != CAMPAIGN_NOTE and notes[c].text.strip()
    assert notes[c].label == "scam"
    # no duplicate notes on a rerun
    again = report_campaign(session=session, template_hash=CAMPAIGN, settings=settings)
    assert (again.notes_created, again.already_noted) == (0, 3)
    assert session.exec(select(Event).where(Event.kind == "campaign_reported")).all()
    # a report note can be marked reported, which blocks the sender
    from responder.triage.review import mark_reported

    mark_reported(session=session, draft_id=notes[b].id, block=True)  # type: ignore[arg-type]
    bob = session.get(Sender, seeded.senders["bob"])
    assert bob is not None and bob.status == "blocked"


def test_report_campaign_without_drafting_engine_marks(
    session: Session, settings: Settings, seeded, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    import responder.app.campaigns as campaigns

    monkeypatch.setattr(campaigns, "_offline_drafter", lambda _settings: None)
    camp_c = session.get(Message, seeded.messages["camp_c"])
    assert camp_c is not None
    camp_c.label = "phishing"
    session.add(camp_c)
    session.flush()
    result = report_campaign(session=session, template_hash=CAMPAIGN, settings=settings)
    # the pitches still get campaign notes; the phishing one waits to be reported by hand
    assert (result.notes_created, result.marked_for_report) == (2, 1)
    marked = session.exec(select(Event).where(Event.kind == "report_requested")).all()
    assert [e.message_id for e in marked] == [camp_c.id]
    assert camp_c.needs_review is True


@pytest.mark.parametrize(
    ("identity", "key"),
    [
        ("Spam@Example.COM", "spam@example.com"),
        ("https://www.linkedin.com/in/fake-profile-123/?trk=x", None),
    ],
)
def test_add_to_list(session: Session, identity: str, key: str | None) -> None:
    sender = add_to_list(session=session, identity=identity, status="blocked")
    assert sender.status == "blocked"
    if key:
        assert sender.key == key
    else:
        assert "fake-profile-123" in sender.key and "trk" not in sender.key
    # adding again finds the same sender
    again = add_to_list(session=session, identity=identity, status="allowed")
    assert again.id == sender.id and again.status == "allowed"


def test_add_to_list_rejects_garbage(session: Session) -> None:
    with pytest.raises(ValueError, match="neither"):
        add_to_list(session=session, identity="just a name", status="blocked")
