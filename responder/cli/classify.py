"""`responder eval`, `responder train`, `responder classify`."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import typer

from responder.classify.classifier import build_classifier
from responder.classify.training.evaluate import evaluate, format_report, read_dataset
from responder.classify.training.retrain import train_from_store
from responder.cli.main import app, emit_json, fail
from responder.errors import ResponderError
from responder.llm import build_chat_model
from responder.settings import get_settings

log = logging.getLogger(__name__)


@app.command("eval")
def eval_cmd(
    dataset: Path = typer.Argument(
        ..., help="JSONL or CSV with text, label (+ subject, sender_name, id, slice)."
    ),
    mode: str = typer.Option("offline", "--mode", help="offline | llm"),
    as_json: bool = typer.Option(False, "--json", help="Print the metrics as one JSON object."),
    slice_: str | None = typer.Option(None, "--slice", help="Only rows whose `slice` equals this."),
    predictions: Path | None = typer.Option(
        None, "--predictions", help="Also write one JSON line per message."
    ),
) -> None:
    """Measure the classifier on labelled data: per-label P/R/F1, macro-F1, confusion, throughput."""

    if mode not in ("offline", "llm"):
        raise fail("--mode must be offline or llm", 2)
    settings = get_settings()
    try:
        examples = read_dataset(dataset)
        if slice_:
            examples = [e for e in examples if e.slice == slice_]
            if not examples:
                raise fail(f"no rows with slice {slice_!r}", 2)
        chat_model = None
        if mode == "llm":
            if not settings.llm.enabled:
                raise fail(
                    "--mode llm needs RESPONDER_LLM_PROVIDER=openai (and a key or base URL)", 2
                )
            chat_model = build_chat_model(settings, purpose="classify")
        offline_settings = settings.model_copy(deep=True)
        if mode == "offline":
            offline_settings.llm.provider = "offline"
        classifier = build_classifier(settings=offline_settings, chat_model=chat_model)
        report, preds = evaluate(examples, classifier)
    except ResponderError as exc:
        raise fail(exc) from exc
    report["mode"] = mode
    if predictions:
        with predictions.open("w", encoding="utf-8") as fh:
            for row in preds:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    if as_json:
        emit_json(report)
    else:
        typer.echo(f"{len(examples)} messages from {dataset} ({mode})\n")
        typer.echo(format_report(report))


@app.command("train")
def train_cmd(
    as_json: bool = typer.Option(False, "--json", help="Print the result as one JSON object."),
) -> None:
    """Retrain the offline model from the seed corpus plus your corrections."""

    settings = get_settings()
    try:
        info = train_from_store(settings=settings)
    except ResponderError as exc:
        raise fail(exc) from exc
    if as_json:
        emit_json(info)
    else:
        typer.echo(
            f"Trained offline model {info['version']} on {info['seed']} seed messages and "
            f"{info['corrections']} corrections: {info['path']}"
        )


@app.command("classify")
def classify_cmd(
    text: str = typer.Argument(..., help="The message text."),
    subject: str | None = typer.Option(None, "--subject"),
    sender: str | None = typer.Option(None, "--sender", help="Sender name."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Classify one text (offline unless an LLM is configured) and print label, confidence, reasons."""

    settings = get_settings()
    try:
        result = build_classifier(settings=settings).classify_text(
            text=text, subject=subject, sender_name=sender
        )
    except ResponderError as exc:
        raise fail(exc) from exc
    if as_json:
        emit_json(
            {
                "label": result.label,
                "confidence": result.confidence,
                "needs_review": result.needs_review,
                "method": result.method,
                "model": result.model,
                "reasons": result.reasons,
            }
        )
        return
    review = " (needs review)" if result.needs_review else ""
    typer.echo(f"{result.label}  {result.confidence:.0%}{review}  [{result.method}]")
    for reason in result.reasons:
        typer.echo(f"  - {reason}")
