"""`responder doctor`."""

from __future__ import annotations

import typer

from responder.app.doctor import run_checks
from responder.cli.main import app, emit_json
from responder.settings import get_settings


@app.command("doctor")
def doctor_cmd(as_json: bool = typer.Option(False, "--json")) -> None:
    """Check configuration, database, migrations, worker, LLM and mail; say what to fix."""

    checks = run_checks(get_settings())
    if as_json:
        emit_json([c.to_dict() for c in checks])
    else:
        for c in checks:
            mark = "skip" if c.skipped else ("ok" if c.ok else "FAIL")
            typer.echo(f"[{mark:>4}] {c.name:10} {c.detail}")
            if not c.ok and c.fix:
                typer.echo(f"       -> {c.fix}")
    if any(not c.ok for c in checks):
        raise typer.Exit(1)
