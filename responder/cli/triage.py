"""`responder triage`: classify and draft every new inbound message."""

from __future__ import annotations

import typer

from responder.app.context import runtime_settings
from responder.cli.main import app, emit_json, fail
from responder.cli.progress import progress_bar
from responder.errors import ResponderError
from responder.llm import build_chat_model
from responder.settings import get_settings
from responder.store import db
from responder.triage.pipeline import retry_failed, triage_new


@app.command("triage")
def triage_cmd(
    limit: int = typer.Option(None, "--limit", help="At most this many messages."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
    retry: bool = typer.Option(False, "--retry-failed", help="Retry messages whose triage failed."),
) -> None:
    """Classify new inbound messages, apply the policy and write drafts."""

    db.upgrade(get_settings().database_url)
    settings = runtime_settings()
    if retry:
        typer.echo(f"{retry_failed(engine=db.get_engine())} failed message(s) queued again.")
    try:
        with progress_bar("Triage", enabled=not as_json) as progress:
            summary = triage_new(
                engine=db.get_engine(),
                settings=settings,
                chat_model=build_chat_model(settings),
                limit=limit,
                progress=progress,
            )
    except ResponderError as exc:
        raise fail(exc) from exc
    if as_json:
        emit_json(summary.to_dict())
        return
    typer.echo(
        f"Triaged {summary.triaged} message(s): {summary.drafts} draft(s), "
        f"{summary.needs_review} need review, {summary.auto_approved} auto-approved."
    )
    for label, count in sorted(summary.by_label.items()):
        typer.echo(f"  {label:12} {count}")
