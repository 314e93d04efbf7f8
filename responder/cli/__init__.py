"""The `responder` command. Each area registers its commands on the shared Typer app in its own
module (kept small); importing this package registers all of them."""

# Command modules register themselves on `app` when imported.
from responder.cli import commands_core  # noqa: E402,F401
from responder.cli.main import app

for _name in ("ingest", "triage", "classify", "prompts", "worker", "doctor"):
    try:
        __import__(f"responder.cli.{_name}")
    except ModuleNotFoundError as exc:  # an area that does not exist yet
        if exc.name != f"responder.cli.{_name}":
            raise

__all__ = ["app"]
