"""Crash safety of triage: SIGKILL a real `responder triage` process at random points while it
works; the next run finishes the job with no lost messages and no duplicate classifications or
drafts."""

from __future__ import annotations

import csv
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func
from sqlmodel import Session, select

from responder import db
from responder.classify import build_classifier
from responder.ingest import import_path
from responder.models import Classification, Draft, Message

HEADER = [
    "CONVERSATION ID",
    "CONVERSATION TITLE",
    "FROM",
    "SENDER PROFILE URL",
    "TO",
    "RECIPIENT PROFILE URLS",
    "DATE",
    "SUBJECT",
    "CONTENT",
    "FOLDER",
    "ATTACHMENTS",
]
BODIES = [
    "Hi {n}, we help SaaS teams book {k} more demos a month. Open to a quick call this week?",
    "Hello {n}, I'm recruiting for a Senior Data Engineer role ({k}k EUR). Open to a chat?",
    "Your account will be suspended. Verify your login within {k} hours: http://1inkedin-verify.com/{k}",
    "Hey {n}, thanks for the notes from the workshop. Can we move our sync to {k}:00 tomorrow?",
    "Dear friend, I have {k} million USD to transfer and need your bank details to proceed.",
]


def _write_export(path: Path, count: int) -> None:
    rng = random.Random(7)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        for i in range(count):
            body = rng.choice(BODIES).format(n="Alex", k=rng.randint(2, 99))
            w.writerow(
                [
                    f"conv-{i}",
                    "",
                    f"Sender {i % 300}",
                    f"https://www.linkedin.com/in/s{i % 300}",
                    "Alex Morgan",
                    "https://www.linkedin.com/in/alex",
                    f"2025-01-{1 + i % 28:02d} 10:{i % 60:02d}:00 UTC",
                    "",
                    f"{body} (ref {i})",
                    "INBOX",
                    "",
                ]
            )


def _triaged(engine) -> int:
    with Session(engine) as s:
        return int(
            s.exec(
                select(func.count()).select_from(Message).where(Message.triage_status == "triaged")
            ).one()
        )


def test_sigkill_during_triage_loses_and_duplicates_nothing(engine, settings, tmp_path) -> None:
    export = tmp_path / "messages.csv"
    total = 600
    _write_export(export, total)
    summary = import_path(engine=engine, path=export, settings=settings)
    assert summary.imported == total
    build_classifier(settings=settings).classify_text(text="warm up")  # model cached in data_dir
    env = {**os.environ, "RESPONDER_DATA_DIR": str(settings.data_dir)}
    rng = random.Random(11)
    kills_mid_run = 0
    for _ in range(3):
        before = _triaged(engine)
        if before == total:
            break
        proc = subprocess.Popen(
            [sys.executable, "-m", "responder", "triage"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.time() + 120
        while _triaged(engine) == before and proc.poll() is None and time.time() < deadline:
            time.sleep(0.05)
        time.sleep(rng.uniform(0.0, 0.6))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            if _triaged(engine) < total:
                kills_mid_run += 1
    assert kills_mid_run >= 1, "no kill landed while triage was working"
    # the next run finishes the job
    done = subprocess.run(
        [sys.executable, "-m", "responder", "triage"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    db.reset_engine()
    with Session(db.get_engine()) as s:
        assert s.exec(select(func.count()).select_from(Message)).one() == total
        statuses = dict(
            s.exec(
                select(Message.triage_status, func.count()).group_by(Message.triage_status)
            ).all()
        )
        assert statuses == {"triaged": total}
        per_message = s.exec(
            select(Classification.message_id, func.count())
            .group_by(Classification.message_id)
            .having(func.count() > 1)
        ).all()
        assert per_message == [], "a message was classified twice"
        drafts = s.exec(
            select(Draft.message_id, func.count())
            .group_by(Draft.message_id)
            .having(func.count() > 1)
        ).all()
        assert drafts == [], "a message got two drafts"
        assert s.exec(select(func.count()).select_from(Draft)).one() > total // 4
