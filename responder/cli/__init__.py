"""The `responder` command. Each area registers its commands on the shared Typer app in its own
module (kept small); importing this package registers all of them, in the order `--help` shows."""

# isort: off
from responder.cli.main import app
from responder.cli import commands_core, ingest, triage, classify, prompts, worker, doctor  # noqa: F401

# isort: on

__all__ = ["app"]
