"""`responder worker`: the scheduler process (started by `responder run` beside the app)."""

from __future__ import annotations

import typer
from sqlmodel import Session

from responder.cli.main import app, emit_json, fail
from responder.errors import ResponderError
from responder.settings import get_settings
from responder.store import db
from responder.worker import scheduler as worker


@app.command("worker")
def worker_cmd(
    name: str = typer.Option(
        None, "--name", help="Worker name (default 'worker'); give each worker its own."
    ),
    once: bool = typer.Option(False, "--once", help="Run every job once, print JSON, exit."),
    status: bool = typer.Option(False, "--status", help="Print the workers' status as JSON."),
) -> None:
    """Run follow-ups, the outbox, IMAP polling and queued tasks until Ctrl-C or SIGTERM."""

    settings = get_settings()
    try:
        db.upgrade(settings.database_url)
        if status:
            with Session(db.get_engine()) as s:
                emit_json(worker.worker_status(session=s, settings=settings))
            return
        worker_name = name or worker.default_name()
        if once:
            emit_json(
                worker.run_once(engine=db.get_engine(), settings=settings, worker_name=worker_name)
            )
            return
        code = worker.run_worker(settings=settings, worker_name=worker_name)
    except ResponderError as exc:
        raise fail(exc) from exc
    raise typer.Exit(code)
