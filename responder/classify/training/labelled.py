"""The one reader of labelled messages: JSONL or CSV rows with `text` and `label` (+ `id`,
`subject`, `sender_name`, `slice`). Used by `responder eval` and by the Prompts page's upload."""

from __future__ import annotations

import csv
import io
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from responder.errors import ImportFormatError
from responder.taxonomy import LABELS

log = logging.getLogger(__name__)


@dataclass
class Example:
    id: str
    text: str
    label: str
    subject: str | None = None
    sender_name: str | None = None
    slice: str | None = None


def parse_labelled(
    content: str, *, name: str, csv_format: bool = False
) -> tuple[list[Example], list[str]]:
    """Examples from the text of a JSONL (or CSV) file, and one problem per bad row
    ("<name>:<line>: what is wrong"); bad rows are skipped, the rest kept."""
    rows: list[tuple[int, Any]] = []
    problems: list[str] = []
    if csv_format:
        reader = csv.DictReader(io.StringIO(content, newline=""))
        rows = [(i + 2, dict(r)) for i, r in enumerate(reader)]
    else:
        for number, line in enumerate(content.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                rows.append((number, json.loads(line)))
            except json.JSONDecodeError as exc:
                problems.append(f"{name}:{number}: not JSON ({exc.msg})")
    out = []
    for number, row in rows:
        if not isinstance(row, dict):
            problems.append(f"{name}:{number}: not an object with `text` and `label`")
            continue
        text, label = row.get("text"), row.get("label")
        if not isinstance(text, str) or not text.strip() or label not in LABELS:
            problems.append(f"{name}:{number}: needs a text and one of the six labels")
            continue
        out.append(
            Example(
                id=str(row.get("id") or f"row-{number}"),
                text=text,
                label=str(label),
                subject=row.get("subject") or None,
                sender_name=row.get("sender_name") or None,
                slice=row.get("slice") or None,
            )
        )
    return out, problems


def read_dataset(path: Path) -> list[Example]:
    """Rows of a JSONL or CSV file with `text` and `label` (+ optional columns). Bad rows are
    reported with their line number and skipped."""
    if not path.exists():
        raise ImportFormatError(f"{path}: no such file")
    content = path.read_text(encoding="utf-8-sig")
    out, problems = parse_labelled(
        content, name=str(path), csv_format=path.suffix.lower() == ".csv"
    )
    for problem in problems:
        log.warning("%s; skipped", problem)
    if not out:
        raise ImportFormatError(f"{path}: no usable rows (each needs `text` and `label`)")
    return out
