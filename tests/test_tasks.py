"""responder.store.tasks: enqueue, claim once, progress visible to another session, finish/fail."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from responder.errors import NotFoundError
from responder.store import tasks


def test_lifecycle(engine: Engine) -> None:
    with Session(engine) as s:
        task = tasks.enqueue(session=s, kind="import", params={"path": "/x.csv"})
        s.commit()
        task_id = task.id
    with Session(engine) as s:
        assert [t.id for t in tasks.active(session=s)] == [task_id]
        claimed = tasks.claim_next(session=s, worker="w1")
        s.commit()
        assert claimed is not None and claimed.id == task_id
        assert claimed.status == "running" and claimed.claimed_by == "w1"
        assert claimed.params == {"path": "/x.csv"}
    with Session(engine) as s:
        assert tasks.claim_next(session=s, worker="w2") is None  # nobody takes it twice
    report = tasks.progress_callback(engine=engine, task_id=task_id, label="import")
    report(40, 100)
    with Session(engine) as s:  # a poll from another session sees it at once
        polled = tasks.get(session=s, task_id=task_id)
        assert (polled.done, polled.total, polled.message) == (40, 100, "import: 40 of 100")
        assert tasks.fraction(polled) == pytest.approx(0.4)
        tasks.finish(session=s, task_id=task_id, result={"imported": 100})
        s.commit()
    with Session(engine) as s:
        done = tasks.get(session=s, task_id=task_id)
        assert done.status == "done" and done.result == {"imported": 100}
        assert done.done == 100 and done.finished_at is not None
        assert tasks.fraction(done) == 1.0
        assert tasks.active(session=s) == []
        assert [t.id for t in tasks.recent(session=s)] == [task_id]


def test_fail_and_requeue_orphans(engine: Engine) -> None:
    with Session(engine) as s:
        a = tasks.enqueue(session=s, kind="triage")
        b = tasks.enqueue(session=s, kind="triage")
        s.commit()
        tasks.claim_next(session=s, worker="dead")
        tasks.claim_next(session=s, worker="alive")
        s.commit()
        assert tasks.requeue_orphans(session=s, alive_workers=["alive"]) == 1
        s.commit()
        s.expire_all()
        assert tasks.get(session=s, task_id=a.id).status == "queued"
        assert tasks.get(session=s, task_id=b.id).status == "running"
        tasks.fail(session=s, task_id=b.id, error="import failed: file is gone")
        s.commit()
        failed = tasks.get(session=s, task_id=b.id)
        assert failed.status == "failed" and "file is gone" in (failed.message or "")
        assert tasks.fraction(failed) is None


def test_unknown_kind_and_missing_task(session: Session) -> None:
    with pytest.raises(ValueError, match="unknown task kind"):
        tasks.enqueue(session=session, kind="mine bitcoin")
    with pytest.raises(NotFoundError):
        tasks.get(session=session, task_id=12345)
