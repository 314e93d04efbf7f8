"""Set-based triage leaves exactly the rows the per-message loop leaves.

A scenario with history: senders who write three times (the user approved the first declines, so
the later messages escalate), genuine threads with several messages (a later message cancels the
reminder of an earlier one), a thread the user answered (no reminder), auto-approve on for
recruiters with a daily cap. The same inbox is triaged in two databases, once by the naive
per-message loop (`bench.naive_triage`, the old pipeline) and once by `triage_new`; every
classification, draft, follow-up and triage event must match, message by message.
"""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bench.gen_inbox import HEADER, OWNER_NAME, OWNER_URL, generate_inbox
from bench.naive_triage import naive_triage
from responder.classify.classifier import build_classifier
from responder.drafts.drafter import build_drafter
from responder.ingest.importer import import_path
from responder.settings import AutoApproveRule, Settings
from responder.store import db
from responder.store.models import Classification, Draft, Event, FollowUp, Message
from responder.triage.pipeline import triage_new
from responder.triage.review import approve_draft

TRIAGE_EVENTS = ("escalation", "block_suggested", "auto_approved")


def _rows(round_no: int, now: datetime) -> list[list[str]]:
    """Round 1 and 2 of the scenario as LinkedIn export rows (recent, so reminders are due)."""
    inbox = generate_inbox(120, pitch_share=0.5, seed=5)
    pitches = [m for m in inbox if m.label == "sales_pitch"]
    recruiting = [m for m in inbox if m.label == "recruiting"]
    genuine = [m for m in inbox if m.label == "genuine"]
    other = [m for m in inbox if m.label in ("phishing", "scam", "harassment")]
    out: list[list[str]] = []

    def row(conv: str, who: str, url: str, body: str, days_ago: float, out_: bool = False) -> None:
        sent = (now - timedelta(days=days_ago)).strftime("%Y-%m-%d %H:%M:%S UTC")
        frm, frm_url, to, to_url = (OWNER_NAME, OWNER_URL, who, url) if out_ else (who, url, OWNER_NAME, OWNER_URL)  # fmt: skip
        out.append([conv, "", frm, frm_url, to, to_url, sent, "", body, "INBOX", ""])

    base = 20.0 if round_no == 1 else 8.0
    for i in range(8):  # repeat pitchers, two messages per round in their own thread
        who, url = f"Pitcher {i}", f"https://www.linkedin.com/in/pitcher-{i}"
        for j in range(2):
            body = pitches[(i * 4 + round_no * 2 + j) % len(pitches)].body
            row(f"p-{i}", who, url, body, base - i * 0.5 - j * 0.1)
    for i in range(4):  # recruiters (auto-approve candidates), one per round
        who, url = f"Recruiter {i}", f"https://www.linkedin.com/in/recruiter-{i}"
        row(f"r-{i}-{round_no}", who, url, recruiting[(i + round_no * 4) % len(recruiting)].body, base - i)  # fmt: skip
    for i in range(5):  # genuine threads: two messages per round; thread 0 answered by the user
        who, url = f"Friend {i}", f"https://www.linkedin.com/in/friend-{i}"
        for j in range(2):
            body = genuine[(i * 4 + round_no * 2 + j) % len(genuine)].body
            row(f"g-{i}", who, url, body, base - 1 - i * 0.3 - j * 0.2)
        if i == 0:
            row("g-0", who, url, "Thanks, sounds good, talk soon!", base - 2, out_=True)
    for i, m in enumerate(other[:3]):
        row(f"x-{i}-{round_no}", m.sender_name, m.sender_url, m.body, base - 2 - i)
    return out


def _write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def _snapshot(engine: Engine) -> dict[str, object]:
    with Session(engine) as s:
        sid = {m.id: m.source_id for m in s.exec(select(Message))}
        messages = sorted(
            (m.source_id, m.label, m.triage_status, m.language, m.needs_review, m.status)
            for m in s.exec(select(Message))
        )
        classes = sorted(
            (sid[c.message_id], c.label, round(c.confidence, 6), c.method)
            for c in s.exec(select(Classification))
        )
        drafts = [
            (sid[d.message_id], d.kind, d.status, d.text, d.auto_approved, d.lint_ok, d.language)
            for d in s.exec(select(Draft).order_by(col(Draft.message_id), col(Draft.id)))
        ]
        followups = [
            (sid.get(f.message_id), f.kind, f.status, f.note)
            for f in s.exec(select(FollowUp).order_by(col(FollowUp.message_id), col(FollowUp.id)))
        ]
        events = sorted(
            (e.kind, sid.get(e.message_id), e.level, e.detail)
            for e in s.exec(select(Event).where(col(Event.kind).in_(TRIAGE_EVENTS)))
        )
    return {
        "messages": messages,
        "classifications": classes,
        "drafts": drafts,
        "followups": followups,
        "events": events,
    }


def _scenario(
    engine: Engine, settings: Settings, tmp: Path, now: datetime, *, naive: bool
) -> dict[str, object]:
    classifier = build_classifier(settings=settings)
    drafter = build_drafter(settings=settings)
    for round_no in (1, 2):
        export = _write(tmp / f"round{round_no}-{naive}.csv", _rows(round_no, now))
        import_path(engine=engine, path=export, settings=settings)
        if naive:
            naive_triage(engine=engine, settings=settings, classifier=classifier, drafter=drafter)
        else:
            triage_new(engine=engine, settings=settings, classifier=classifier, drafter=drafter)
        if round_no == 1:  # the user approves every pending decline of round 1
            with Session(engine) as s:
                pending = s.exec(
                    select(Draft.id).where(Draft.status == "pending", Draft.kind == "decline")
                ).all()
                for draft_id in pending:
                    approve_draft(session=s, draft_id=draft_id)
                s.commit()
    return _snapshot(engine)


def test_batch_triage_matches_the_per_message_loop(engine, settings, tmp_path) -> None:
    settings.policy.auto_approve["recruiting"] = AutoApproveRule(enabled=True, min_confidence=0.0)
    settings.policy.daily_auto_approve_cap = 3
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    naive_url = f"sqlite:///{tmp_path / 'naive.db'}"
    db.upgrade(naive_url)
    naive_engine = db.make_engine(naive_url, settings=settings)
    try:
        expected = _scenario(naive_engine, settings, tmp_path, now, naive=True)
    finally:
        naive_engine.dispose()
    got = _scenario(engine, settings, tmp_path, now, naive=False)
    # The scenario exercises what batching must get right (else this test proves little).
    kinds = {d[1] for d in expected["drafts"]}  # type: ignore[union-attr]
    assert {"decline", "decline_firm", "report_note"} <= kinds
    assert any(e[0] == "escalation" for e in expected["events"])  # type: ignore[union-attr]
    assert any(e[0] == "auto_approved" for e in expected["events"])  # type: ignore[union-attr]
    statuses = {(f[1], f[2]) for f in expected["followups"]}  # type: ignore[union-attr]
    assert {("reminder", "pending"), ("reminder", "cancelled")} <= statuses
    for part in expected:
        assert got[part] == expected[part], part
