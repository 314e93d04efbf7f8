"""Training data beyond the team's seed: public, permissively licensed corpora relabelled to the
six labels (`responder/data/corpora/*.jsonl`, described in `DATA_CARD.md` there and rebuilt by
`build_corpora`), and the source of every training row.

Every row knows its source: a hand-written seed file (`written_<topic>`), the generated seed
(`generated`), or a public corpus (`spamassassin`, `codealltag_ps`, `hatecheck`,
`mhc_hatecheck`). Model selection holds one source out at a time (`tune --transfer`); training
weighs the public corpora down so that 2002-era mail and template sentences do not outweigh how
people write on LinkedIn.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from responder.classify.training.seedgen import load_seed

CORPORA_DIR = Path(__file__).resolve().parents[2] / "data" / "corpora"
#: Weight of one public-corpus row in training, per source (a seed row weighs 1). Chosen by
#: leaving one source out (`tune --transfer`).
SOURCE_WEIGHTS: dict[str, float] = {
    "spamassassin": 0.3,
    "codealltag_ps": 0.3,
    "hatecheck": 0.3,
    "mhc_hatecheck": 0.2,
}


def load_corpora(folder: Path = CORPORA_DIR) -> list[dict[str, Any]]:
    """Every public-corpus row (id, text, label, source, lang[, subject])."""
    rows: list[dict[str, Any]] = []
    for path in sorted(folder.glob("*.jsonl")):
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    row = json.loads(line)
                    row.setdefault("source", path.stem)
                    rows.append(row)
    return rows


def source_of(row: dict[str, Any]) -> str:
    """The source a row is held out with: its seed file or its public corpus."""
    return str(row.get("file") or row.get("source") or "unknown")


def training_rows() -> list[dict[str, Any]]:
    """Seed rows (weight 1) and public-corpus rows (their source's weight), each with `source`
    set to `source_of(row)` and a `weight`."""
    out = []
    for row in load_seed():
        out.append({**row, "source": source_of(row), "weight": 1.0})
    for row in load_corpora():
        weight = SOURCE_WEIGHTS.get(str(row["source"]), 0.3)
        out.append({**row, "source": source_of(row), "weight": weight})
    return out
