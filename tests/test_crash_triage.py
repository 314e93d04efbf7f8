"""Crash safety of triage: SIGKILL a real `responder triage` process at random points while it
works; the next run finishes the job with no lost messages and no duplicate classifications or
drafts."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func
from sqlmodel import Session, select

from bench.gen_inbox import generate_inbox, write_linkedin_csv
from responder.classify.classifier import build_classifier
from responder.ingest.importer import import_path
from responder.store import db
from responder.store.models import Classification, Draft, Message


def _write_export(path: Path, count: int) -> None:
    """A generated LinkedIn export (the bench's seeded inbox: 60% mass pitches, the rest varied)."""
    write_linkedin_csv(generate_inbox(count, seed=11), path)


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
