"""Two triage runs on one PostgreSQL inbox share the work: batches are claimed with
`FOR UPDATE SKIP LOCKED`, so neither waits for the other's batch and no message is triaged twice."""

from __future__ import annotations

import threading
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from bench.gen_inbox import generate_inbox, write_linkedin_csv
from responder.classify.classifier import build_classifier
from responder.drafts.drafter import build_drafter
from responder.ingest.importer import import_path
from responder.settings import get_settings
from responder.store import db
from responder.store.models import Classification, Draft, Message
from responder.triage.apply import TriageSummary
from responder.triage.batch import claim_batch
from responder.triage.pipeline import triage_new

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_inbox(pg_url: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    db.upgrade(pg_url)
    engine = db.get_engine()
    assert engine.dialect.name == "postgresql"
    export = write_linkedin_csv(generate_inbox(400, seed=3), tmp_path / "messages.csv")
    assert import_path(engine=engine, path=export, settings=get_settings()).imported == 400
    yield engine
    db.reset_engine()


def test_a_claimed_batch_is_skipped_not_waited_for(pg_inbox) -> None:  # type: ignore[no-untyped-def]
    with Session(pg_inbox) as first, Session(pg_inbox) as second:
        mine = claim_batch(session=first, size=5)
        theirs = claim_batch(session=second, size=5)  # would block without SKIP LOCKED
        assert len(mine) == len(theirs) == 5
        assert not set(mine) & set(theirs)
        assert min(theirs) > max(mine)  # the next new messages, in id order
        first.rollback()
        second.rollback()
    with Session(pg_inbox) as s:  # rolled back: all new again
        new = select(func.count()).where(Message.triage_status == "new", Message.direction == "in")
        assert s.exec(new).one() == 400


def test_two_concurrent_runs_classify_each_message_exactly_once(pg_inbox) -> None:  # type: ignore[no-untyped-def]
    settings = get_settings()
    classifier = build_classifier(settings=settings)
    summaries: list[TriageSummary] = []
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def run() -> None:
        try:
            drafter = build_drafter(settings=settings)
            start.wait()
            summaries.append(
                triage_new(
                    engine=pg_inbox,
                    settings=settings,
                    classifier=classifier,
                    drafter=drafter,
                    batch_size=20,
                )
            )
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not errors, errors
    assert sorted(s.failed for s in summaries) == [0, 0]
    assert sum(s.triaged for s in summaries) == 400
    assert all(s.triaged > 0 for s in summaries), [s.triaged for s in summaries]
    with Session(pg_inbox) as s:
        per_message = Counter(s.exec(select(Classification.message_id)).all())
        inbound = set(s.exec(select(Message.id).where(Message.direction == "in")).all())
        drafts = Counter(s.exec(select(Draft.message_id)).all())
        statuses = set(s.exec(select(Message.triage_status).where(Message.direction == "in")))
    assert set(per_message) == inbound
    assert set(per_message.values()) == {1}
    assert drafts and set(drafts.values()) == {1}
    assert statuses == {"triaged"}
