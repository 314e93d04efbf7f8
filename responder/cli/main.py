"""The shared Typer app and helpers used by every command module."""

from __future__ import annotations

import json
import logging
import sys
from typing import Any

import typer

from responder.errors import ResponderError
from responder.settings import get_settings

app = typer.Typer(
    name="responder",
    help="Triage, draft and follow up on unwanted LinkedIn and e-mail messages.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)
app.add_typer(db_app, name="db")


@app.callback()
def _main(
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log debug output."),
) -> None:

    level = logging.DEBUG if verbose else getattr(logging, get_settings().log_level, logging.INFO)
    root = logging.getLogger()
    if not any(isinstance(h, _StderrHandler) for h in root.handlers):
        handler = _StderrHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
    root.setLevel(level)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    logging.getLogger("httpx").setLevel(logging.WARNING)


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever sys.stderr is at the time of the record (test runners swap it)."""

    @property  # type: ignore[override]
    def stream(self):  # type: ignore[no-untyped-def]
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:  # type: ignore[no-untyped-def]
        pass


def emit_json(obj: Any) -> None:
    """One JSON object on stdout."""
    typer.echo(json.dumps(obj, ensure_ascii=False, default=str))


def fail(exc: ResponderError | str, code: int = 1) -> typer.Exit:
    typer.echo(f"Error: {exc}", err=True)
    return typer.Exit(code)
