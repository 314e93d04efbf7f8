"""`responder prompts list|show|check|export|versions|rollback|reset` and `responder draft FILE`."""

from __future__ import annotations

import csv
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import typer
from sqlmodel import Session

from responder.cli.main import app, emit_json, fail
from responder.drafts.batch import draft_rows
from responder.errors import ResponderError
from responder.prompts.library import (
    active_versions,
    check_library,
    load_library,
    template_problems,
)
from responder.prompts.versions import (
    export_yaml,
    list_versions,
    reset_to_shipped,
    rollback,
    version_body,
)
from responder.settings import Settings, get_settings
from responder.store import db

log = logging.getLogger(__name__)
prompts_app = typer.Typer(
    help="The prompt library: list, show, check, export.", no_args_is_help=True
)
app.add_typer(prompts_app, name="prompts")


def _session() -> Session:
    settings = get_settings()
    db.upgrade(settings.database_url)
    return Session(db.get_engine(), expire_on_commit=False)


@prompts_app.command("list")
def list_cmd(as_json: bool = typer.Option(False, "--json", help="One JSON object a line.")) -> None:
    """Every template with its kind, labels, effective version and where it comes from."""

    with _session() as s:
        lib = load_library(session=s)
    for name in lib.names():
        tpl = lib.get(name)
        row = {
            "name": name,
            "kind": tpl.kind,
            "labels": [str(label) for label in tpl.labels],
            "version": tpl.version,
            "source": lib.sources[name],
            "languages": sorted(tpl.offline),
            "llm": tpl.llm,
            "description": tpl.description,
        }
        if as_json:
            emit_json(row)
        else:
            labels = ",".join(row["labels"]) or "any"
            typer.echo(
                f"{name:20} {tpl.kind:13} v{tpl.version:<3} {row['source']:8} {labels:30} "
                f"{','.join(row['languages']) or '-'}"
            )
    for problem in lib.problems:
        typer.echo(f"warning: {problem}", err=True)


@prompts_app.command("show")
def show_cmd(
    name: str = typer.Argument(..., help="Template name (see `responder prompts list`)."),
    version: int | None = typer.Option(None, "--version", help="A stored or shipped version."),
) -> None:
    """Print a template's YAML (the effective version unless --version is given)."""

    try:
        with _session() as s:
            if version is None:
                text = export_yaml(session=s, name=name)
            else:
                text = version_body(session=s, name=name, version=version)
    except ResponderError as exc:
        raise fail(exc) from None
    typer.echo(text.rstrip("\n"))


@prompts_app.command("check")
def check_cmd(
    path: Path | None = typer.Argument(None, help="A template file or directory (default: the "
    "shipped library and the stored versions)."),
) -> None:  # fmt: skip
    """Validate templates; prints every problem with its file and line; exit 1 if any."""

    if path is not None and not path.exists():
        raise fail(f"{path}: no such file or directory")
    problems = check_library(path)
    checked = "shipped library" if path is None else str(path)
    if path is None:
        with _session() as s:
            for row in active_versions(s):
                problems += template_problems(
                    row.body, file=f"prompt '{row.name}' v{row.version} (database)",
                    expected_name=row.name,
                )  # fmt: skip
        checked += " and stored versions"
    for problem in problems:
        typer.echo(problem)
    if problems:
        typer.echo(f"{len(problems)} problem(s) in the {checked}", err=True)
        raise typer.Exit(1)
    typer.echo(f"OK: no problems in the {checked}")


@prompts_app.command("export")
def export_cmd(
    names: list[str] | None = typer.Argument(None, help="Templates to export (default: all)."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Directory to write NAME.yaml to."),
) -> None:
    """Write the effective templates as YAML files (to --out, else to stdout)."""

    with _session() as s:
        lib = load_library(session=s)
    try:
        chosen = [lib.get(n).name for n in names] if names else lib.names()
    except ResponderError as exc:
        raise fail(exc) from None
    if out is None:
        typer.echo("\n---\n".join(lib.bodies[n].rstrip("\n") for n in chosen))
        return
    out.mkdir(parents=True, exist_ok=True)
    for name in chosen:
        (out / f"{name}.yaml").write_text(lib.bodies[name], encoding="utf-8")
        typer.echo(f"wrote {out / f'{name}.yaml'} (v{lib.get(name).version}, {lib.sources[name]})")


@prompts_app.command("versions")
def versions_cmd(name: str = typer.Argument(...)) -> None:
    """The version history of a template (* marks the one in use)."""

    try:
        with _session() as s:
            rows = list_versions(session=s, name=name)
    except ResponderError as exc:
        raise fail(exc) from None
    for v in rows:
        when = v.created_at.strftime("%Y-%m-%d %H:%M") if v.created_at else "-"
        state = "*" if v.is_current else (" " if v.is_active else "x")
        typer.echo(f"{state} v{v.version:<4} {v.source:8} {when:16} {v.author:12} {v.note}")


@prompts_app.command("rollback")
def rollback_cmd(name: str = typer.Argument(...), version: int = typer.Argument(...)) -> None:
    """Use an earlier version again (later versions are kept, inactive)."""

    try:
        with _session() as s:
            rollback(session=s, name=name, version=version)
            s.commit()
    except ResponderError as exc:
        raise fail(exc) from None
    typer.echo(f"{name}: now using version {version}")


@prompts_app.command("reset")
def reset_cmd(name: str = typer.Argument(...)) -> None:
    """Use the shipped file again (stored versions are kept, inactive)."""

    try:
        with _session() as s:
            reset_to_shipped(session=s, name=name)
            s.commit()
    except ResponderError as exc:
        raise fail(exc) from None
    typer.echo(f"{name}: reset to the shipped file")


# --- responder draft FILE -------------------------------------------------------------------------


def read_rows(path: Path) -> Iterator[tuple[int, dict[str, Any] | None, str | None]]:
    """(line, record, error) for each row of a JSONL or CSV file in the `responder eval` format."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        if path.suffix.lower() == ".csv":
            for i, row in enumerate(csv.DictReader(fh), start=2):
                yield i, {k.strip().lower(): v for k, v in row.items() if k}, None
            return
        for i, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                yield i, None, f"not JSON ({exc.msg})"
                continue
            if not isinstance(record, dict):
                yield i, None, "not a JSON object"
                continue
            yield i, record, None


def _mode_settings(settings: Settings, mode: str | None) -> Settings:
    if mode == "offline":
        return settings.model_copy(
            update={"llm": settings.llm.model_copy(update={"provider": "offline"})}
        )
    if mode == "llm" and not settings.llm.enabled:
        raise fail(
            "--mode llm needs a model: set RESPONDER_LLM_PROVIDER=openai (and OPENAI_API_KEY or "
            "RESPONDER_LLM_BASE_URL for a local server)"
        )
    return settings


@app.command("draft")
def draft_cmd(
    input_file: Path = typer.Argument(..., exists=True, dir_okay=False, help="JSONL or CSV."),
    mode: str | None = typer.Option(None, "--mode", help="offline | llm (default: settings)."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object a line."),
) -> None:
    """Draft for every message of a file (label given, else classified) and lint each draft."""

    if mode not in (None, "offline", "llm"):
        raise fail(f"--mode must be offline or llm, not {mode!r}")
    settings = _mode_settings(get_settings(), mode)
    written = errors = 0
    try:
        with _session() as s:
            for line, out, error in draft_rows(
                session=s, settings=settings, rows=read_rows(input_file)
            ):
                if error is not None:
                    errors += 1
                    typer.echo(f"{input_file}:{line}: skipped: {error}", err=True)
                    continue
                written += 1
                if as_json:
                    emit_json(out)
                else:
                    _print_human(out)
    except ResponderError as exc:
        raise fail(exc) from None
    if written == 0 and errors:
        raise typer.Exit(1)


def _print_human(out: dict[str, Any]) -> None:
    lint = out["lint"]
    status = "lint ok" if lint["ok"] else "HELD: " + "; ".join(lint["problems"])
    tpl = out["template"]
    where = f"{tpl['name']} v{tpl['version']}" if tpl["name"] else "-"
    typer.echo(f"== {out['id']}  {out['label']} -> {out['kind']}  [{where}, {out['language']}, "
               f"{out.get('method', '-')}]  {status}")  # fmt: skip
    if out["text"]:
        typer.echo(out["text"])
    typer.echo("")
