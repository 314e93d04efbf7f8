"""`responder import PATH` and `responder add TEXT|-`.

Both print what happened (imported / already there / skipped, with reasons and where) and then
run triage on the new messages unless `--no-triage`. `--json` prints one JSON object with the
keys `imported`, `duplicates`, `skipped`, `errors` (`[{file, line, reason}]`) plus details
(`skipped_reasons`, `warnings`, `format`, `triage`). The exit code is non-zero only when nothing
could be read; a triage failure after a good import is reported but does not fail the import.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer

from responder.app.context import runtime_settings
from responder.cli.main import app, emit_json
from responder.cli.progress import progress_bar
from responder.errors import ResponderError
from responder.ingest.importer import ImportSummary, import_path, import_text
from responder.llm import build_chat_model
from responder.settings import Settings, get_settings
from responder.store import db
from responder.triage.pipeline import triage_new

_MAX_LISTED = 20


@app.command("import")
def import_cmd(
    path: Path = typer.Argument(
        ...,
        help="messages.csv, the LinkedIn export .zip, .eml, .mbox, "
        ".jsonl, a CSV with a 'text' column, or a .txt message.",
    ),  # fmt: skip
    as_json: bool = typer.Option(False, "--json", help="Print the summary as one JSON object."),
    no_triage: bool = typer.Option(False, "--no-triage", help="Import only; do not classify."),
) -> None:
    """Import messages from a file; re-importing the same file adds nothing."""
    db.upgrade(get_settings().database_url)
    settings = runtime_settings()
    with progress_bar("Import", enabled=not as_json) as progress:
        summary = import_path(
            engine=db.get_engine(), path=path, settings=settings, progress=progress
        )
    _finish(summary, settings=settings, as_json=as_json, no_triage=no_triage)


@app.command("add")
def add_cmd(
    text: str = typer.Argument(
        ...,
        help='The message text, or "-" to read it from stdin. '
        'Optional "From:" and "Subject:" lines at the top.',
    ),  # fmt: skip
    as_json: bool = typer.Option(False, "--json", help="Print the summary as one JSON object."),
    no_triage: bool = typer.Option(False, "--no-triage", help="Import only; do not classify."),
) -> None:
    """Add one pasted message."""
    if text == "-":
        text = sys.stdin.read()
    db.upgrade(get_settings().database_url)
    settings = runtime_settings()
    summary = import_text(engine=db.get_engine(), text=text, settings=settings)
    _finish(summary, settings=settings, as_json=as_json, no_triage=no_triage)


def _finish(summary: ImportSummary, *, settings: Settings, as_json: bool, no_triage: bool) -> None:
    triage: dict[str, Any] | None = None
    if summary.imported and not no_triage:
        triage = _triage(settings, show_progress=not as_json)
    if as_json:
        emit_json(summary.to_dict() | {"triage": triage})
    else:
        _print_summary(summary, triage)
    if not summary.read_anything:
        raise typer.Exit(1)


def _triage(settings: Settings, *, show_progress: bool) -> dict[str, Any]:
    try:
        chat_model = build_chat_model(settings)
        with progress_bar("Triage", enabled=show_progress) as progress:
            result = triage_new(
                engine=db.get_engine(), settings=settings, chat_model=chat_model, progress=progress
            )
    except ResponderError as exc:
        typer.echo(f"Warning: imported, but triage failed: {exc}", err=True)
        return {"error": str(exc)}
    return result.to_dict()


def _print_summary(summary: ImportSummary, triage: dict[str, Any] | None) -> None:
    name = ", ".join(summary.files)
    if summary.fatal:
        typer.echo(f"Error: {summary.fatal}", err=True)
        return
    typer.echo(
        f"{name}: {summary.imported} imported, {summary.duplicates} already there, "
        f"{summary.skipped} skipped."
    )
    for reason, count in sorted(summary.skipped_reasons.items()):
        typer.echo(f"  skipped {count:>6}  {reason}")
    for err in summary.errors[:_MAX_LISTED]:
        where = f"{err.file}:{err.line}" if err.line else err.file
        typer.echo(f"  {where}: {err.reason}")
    more = len(summary.errors) - _MAX_LISTED + summary.errors_not_listed
    if more > 0:
        typer.echo(f"  ... and {more} more (use --json for all listed errors)")
    for warning in summary.warnings:
        typer.echo(f"Warning: {warning}", err=True)
    if triage and "error" not in triage:
        typer.echo(f"Triaged {triage.get('triaged', 0)}: {triage.get('by_label', {})}")
