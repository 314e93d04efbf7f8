"""`responder config` and `responder db ...`."""

from __future__ import annotations

import json

import typer

from responder.cli.launcher import run
from responder.cli.main import app, db_app
from responder.settings import get_settings
from responder.store import db


@app.command("config")
def config_cmd(
    as_json: bool = typer.Option(False, "--json", help="Print as one JSON object."),
) -> None:
    """Print the effective settings, with every secret masked."""
    data = get_settings().masked()
    if as_json:
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    for group, value in data.items():
        if isinstance(value, dict):
            typer.echo(f"[{group}]")
            for key, inner in value.items():
                typer.echo(f"  {key} = {json.dumps(inner, ensure_ascii=False)}")
        else:
            typer.echo(f"{group} = {json.dumps(value, ensure_ascii=False)}")


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("head")) -> None:
    """Apply migrations (default: to the newest)."""
    settings = get_settings()
    db.upgrade(settings.database_url, revision)
    typer.echo(f"Database at revision {db.current_revision(settings.database_url)}")


@db_app.command("current")
def db_current() -> None:
    """Show the database's revision and the newest one."""
    url = get_settings().database_url
    typer.echo(f"current: {db.current_revision(url)}  head: {db.head_revision()}")


@app.command("run")
def run_cmd() -> None:
    """Migrate, then start the app and the worker; Ctrl-C stops both."""

    settings = get_settings()
    db.upgrade(settings.database_url)
    raise typer.Exit(run(settings))


@db_app.command("revision")
def db_revision(message: str = typer.Argument(..., help="What the migration does.")) -> None:
    """Autogenerate a new migration from the models (developers)."""
    import tempfile
    from pathlib import Path

    from alembic import command

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'rev.db'}"
        db.upgrade(url)
        command.revision(db.alembic_config(url), message=message, autogenerate=True)
