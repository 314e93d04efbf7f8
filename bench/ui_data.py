"""A triaged store of `n` messages for the UI benchmark, written fast with Core bulk inserts.

Shape (seeded): messages spread over the last two years up to today; 85% inbound, labelled with
the real label mix of a busy LinkedIn inbox (mostly pitches), each with its `Classification`;
declines and report notes as drafts in every status (pending, approved, sent, rejected, some
auto-approved); pitches share 40 template hashes (campaigns); ~1 sender per 5 messages; some
corrections, follow-ups and events, as the dashboard counts them.
"""

from __future__ import annotations

import hashlib
import random
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bench.gen_inbox import COMPANY, FIRST, LAST, SERVICES
from responder.store.models import (
    Classification,
    Conversation,
    Correction,
    Draft,
    Event,
    FollowUp,
    Message,
    Sender,
)

LABEL_MIX = (
    ("sales_pitch", 0.5),
    ("recruiting", 0.18),
    ("genuine", 0.22),
    ("phishing", 0.04),
    ("scam", 0.04),
    ("harassment", 0.02),
)
DRAFT_STATUS = (("pending", 0.35), ("approved", 0.1), ("sent", 0.4), ("rejected", 0.15))
CHUNK = 5_000


def _table(model: Any) -> sa.Table:
    return model.__table__  # type: ignore[no-any-return]


def _pick(rng: random.Random, mix: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([k for k, _w in mix], [w for _k, w in mix])[0]


def _body(rng: random.Random, label: str, template: int) -> str:
    first, company = rng.choice(FIRST), rng.choice(COMPANY)
    if label == "sales_pitch":
        service, claim = SERVICES[template % len(SERVICES)]
        return (
            f"Hi {first}, at {company} we specialise in {service}: {claim}. "
            f"Open to a quick {rng.choice([10, 15, 20])}-minute call this week?"
        )
    words = " ".join(rng.choice(LAST).lower() for _ in range(rng.randint(8, 60)))
    return f"Hi {first}, {words}.\n\nBest, {rng.choice(FIRST)} ({company})"


def _insert(engine: Engine, model: Any, rows: list[dict[str, Any]]) -> None:
    table = _table(model)
    with engine.begin() as conn:
        for i in range(0, len(rows), CHUNK):
            conn.execute(sa.insert(table), rows[i : i + CHUNK])


def _senders(engine: Engine, rng: random.Random, count: int, now: datetime) -> None:
    rows = []
    for i in range(1, count + 1):
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        status = (
            "blocked" if rng.random() < 0.02 else "allowed" if rng.random() < 0.02 else "neutral"
        )
        url = f"https://www.linkedin.com/in/ui-bench-{i}"
        rows.append({"id": i, "key": url, "name": name, "profile_url": url, "status": status,
                     "is_self": False, "created_at": now})  # fmt: skip
    _insert(engine, Sender, rows)


def populate(engine: Engine, *, n: int, seed: int) -> dict[str, int]:
    """Fill an empty, migrated database with `n` messages and what triage made of them."""
    rng = random.Random(seed)
    now = datetime.now(UTC).replace(microsecond=0)
    n_senders = max(1, n // 5)
    n_convs = max(1, n // 2)
    _senders(engine, rng, n_senders, now)
    _insert(
        engine,
        Conversation,
        [{"id": i, "source": "linkedin", "source_id": f"conv-{i}",
          "url": f"https://www.linkedin.com/messaging/thread/conv-{i}/",
          "user_participated": rng.random() < 0.15, "created_at": now}
         for i in range(1, n_convs + 1)],
    )  # fmt: skip
    templates = [hashlib.sha256(f"template-{t}".encode()).hexdigest() for t in range(40)]
    messages, classes, drafts, extras = (
        [],
        [],
        [],
        {"corrections": [], "followups": [], "events": []},
    )
    for i in range(1, n + 1):
        sent_at = now - timedelta(minutes=rng.randint(0, 2 * 365 * 24 * 60))
        inbound = rng.random() < 0.85
        label = _pick(rng, LABEL_MIX) if inbound else None
        template = rng.randrange(40)
        body = _body(rng, label or "genuine", template)
        conf = round(rng.uniform(0.45, 0.99), 3)
        messages.append(
            {"id": i, "source": "linkedin", "source_id": f"m-{i}",
             "conversation_id": rng.randint(1, n_convs), "sender_id": rng.randint(1, n_senders),
             "direction": "in" if inbound else "out", "sent_at": sent_at, "subject": None,
             "body": body, "raw": None, "content_hash": hashlib.sha256(body.encode()).hexdigest(),
             "template_hash": templates[template] if label == "sales_pitch" else None,
             "language": "en", "imported_at": now,
             "triage_status": "triaged" if inbound else "skipped", "label": label,
             "confidence": conf if inbound else None, "needs_review": inbound and conf < 0.55,
             "classification_id": i if inbound else None,
             "status": rng.choice(["open", "open", "handled", "answered", "archived"]),
             }
        )  # fmt: skip
        if not inbound:
            continue
        classes.append(
            {"id": i, "message_id": i, "label": label, "confidence": conf,
             "reasons": ["generated for the UI benchmark"], "signals": {}, "method": "offline",
             "needs_review": conf < 0.55, "created_at": sent_at}
        )  # fmt: skip
        if label != "genuine":
            _draft(rng, drafts, i, label, sent_at)
        _extras(rng, extras, i, label, sent_at)
    _insert(engine, Message, messages)
    _insert(engine, Classification, classes)
    _insert(engine, Draft, drafts)
    _insert(engine, Correction, extras["corrections"])
    _insert(engine, FollowUp, extras["followups"])
    _insert(engine, Event, extras["events"])
    return {"messages": len(messages), "classifications": len(classes), "drafts": len(drafts)}


def _draft(rng: random.Random, drafts: list[dict], i: int, label: str, at: datetime) -> None:
    report = label in ("phishing", "scam", "harassment")
    status = "pending" if report else _pick(rng, DRAFT_STATUS)
    drafts.append(
        {"message_id": i, "kind": "report_note" if report else "decline",
         "text": "Thank you for reaching out, but I am not interested. Best regards, Alex",
         "label": label, "language": "en", "template_name": "decline", "template_version": 1,
         "method": "offline", "status": status, "edited": False,
         "auto_approved": status in ("approved", "sent") and rng.random() < 0.5,
         "lint_ok": True, "lint_problems": [], "created_at": at, "updated_at": at,
         "approved_at": at if status in ("approved", "sent") else None,
         "sent_at": at if status == "sent" else None}
    )  # fmt: skip


def _extras(rng: random.Random, extras: dict[str, list], i: int, label: str, at: datetime) -> None:
    roll = rng.random()
    if roll < 0.01:
        extras["corrections"].append(
            {"message_id": i, "old_label": label, "new_label": "genuine", "created_at": at}
        )
    elif roll < 0.04 and label == "genuine":
        extras["followups"].append(
            {"message_id": i, "kind": "reminder", "due_at": at + timedelta(days=3),
             "status": rng.choice(["pending", "done"]), "created_at": at}
        )  # fmt: skip
    elif roll < 0.06:
        extras["events"].append(
            {"at": at, "level": "info", "kind": "auto_approved", "message_id": i,
             "detail": "generated for the UI benchmark"}
        )  # fmt: skip
