"""Compose the seed corpus from the team's templates (responder/data/seed/templates_*.yaml).

Each template is expanded several times with random slot fillers and light style variations
(lower-case SMS style, no greeting, a sign-off, a LinkedIn-style preamble). Deterministic: the same
seed gives the same corpus. `python -m responder.classify.training.seedgen` rewrites seed.jsonl.
"""

from __future__ import annotations

import json
import logging
import random
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from responder.taxonomy import LABELS

log = logging.getLogger(__name__)
SEED_DIR = Path(__file__).resolve().parents[2] / "data" / "seed"
SEED_FILE = SEED_DIR / "seed.jsonl"
_SLOT = re.compile(r"\{(\w+)\}")
_SIGNOFFS = [
    "\n\nBest,\n{me}",
    "\n\nThanks,\n{name}",
    "\n\nCheers",
    "\n\nKind regards,\n{name}",
    "",
]
_VARIANTS_PER_TEMPLATE = 5


def _fill(template: str, slots: dict[str, list[str]], rng: random.Random) -> str:
    def pick(m: re.Match[str]) -> str:
        options = slots.get(m.group(1))
        return rng.choice(options) if options else m.group(0)

    return _SLOT.sub(pick, template)


def _style(text: str, label: str, rng: random.Random, slots: dict[str, list[str]]) -> str:
    roll = rng.random()
    if roll < 0.15 and label in ("genuine", "harassment", "scam", "sales_pitch"):
        return text.lower()
    if roll < 0.30:
        return re.sub(
            r"^(?:hi|hello|hey|dear|hallo|bonjour|hola)\b[^,!.\n]*[,!.]\s*", "", text, flags=re.I
        )
    if roll < 0.45 and label in ("sales_pitch", "recruiting", "genuine"):
        return text + _fill(rng.choice(_SIGNOFFS), slots, rng)
    return text


def load_templates() -> tuple[dict[str, list[str]], list[tuple[str, str]]]:
    slots: dict[str, list[str]] = yaml.safe_load((SEED_DIR / "slots.yaml").read_text("utf-8"))
    templates: list[tuple[str, str]] = []
    for path in sorted(SEED_DIR.glob("templates_*.yaml")):
        data: dict[str, Any] = yaml.safe_load(path.read_text("utf-8"))
        for label, items in data.items():
            if label not in LABELS:
                raise ValueError(f"{path.name}: unknown label {label!r}")
            templates.extend((label, str(t)) for t in items or [])
    return slots, templates


def generate(seed: int = 13) -> Iterator[dict[str, str]]:
    """Seed messages as {"id", "text", "label", "source"} dicts, deterministic for a seed."""
    rng = random.Random(seed)
    slots, templates = load_templates()
    seen: set[str] = set()
    for index, (label, template) in enumerate(templates):
        for variant in range(_VARIANTS_PER_TEMPLATE):
            text = _style(_fill(template, slots, rng), label, rng, slots).strip()
            if text in seen:
                continue
            seen.add(text)
            yield {
                "id": f"seed-{index}-{variant}",
                "text": text,
                "label": label,
                "source": "seedgen",
            }
    yield from compose(rng, slots)


def compose(rng: random.Random, slots: dict[str, list[str]]) -> Iterator[dict[str, str]]:
    """Messages built sentence by sentence from compose*.yaml (more variety than templates)."""
    data: dict[str, Any] = {}
    for path in sorted(SEED_DIR.glob("compose*.yaml")):
        for name, spec in yaml.safe_load(path.read_text("utf-8")).items():
            if name in data:
                raise ValueError(f"{path.name}: recipe {name!r} defined twice")
            data[name] = spec
    for name, spec in data.items():
        if spec["label"] not in LABELS:
            raise ValueError(f"compose.yaml: {name}: unknown label {spec['label']!r}")
        seen: set[str] = set()
        # Parts that carry the label are never skipped: "you're such" alone is not harassment.
        keep = set(spec.get("keep", []))
        for i in range(int(spec["n"])):
            chosen = [
                rng.choice(part)
                for index, part in enumerate(spec["parts"])
                if index in keep or rng.random() >= spec["skip"]
            ]
            text = _fill(" ".join(c for c in chosen if c).strip(), slots, rng)
            text = re.sub(r" +", " ", text).replace(" \n", "\n")
            if len(text.split()) < 2 or text in seen:
                continue
            seen.add(text)
            yield {
                "id": f"compose-{name}-{i}",
                "text": text,
                "label": spec["label"],
                "source": "compose",
            }


def write(path: Path = SEED_FILE, seed: int = 13) -> int:
    rows = list(generate(seed))
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    log.info("wrote %d seed messages to %s", len(rows), path)
    return len(rows)


def load_seed() -> list[dict[str, str]]:
    """Every seed message: the generated file plus hand-written files (written_*.jsonl); each row
    gets `file`: the name of its file ("generated" for seed.jsonl)."""
    rows: list[dict[str, str]] = []
    for path in sorted(SEED_DIR.glob("*.jsonl")):
        name = "generated" if path == SEED_FILE else path.stem
        with path.open(encoding="utf-8") as fh:
            rows.extend({**json.loads(line), "file": name} for line in fh if line.strip())
    return rows


if __name__ == "__main__":  # pragma: no cover - maintenance entry point
    logging.basicConfig(level=logging.INFO)
    write()
