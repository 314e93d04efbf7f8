"""Check that the seed corpus holds no copy of an evaluation set.

The seed is written by the team and the public corpora are relabelled from outside sources; evaluation sets (dev.jsonl, a user's exported labels) measure the
model and must never leak into it. People who write seed messages may still reproduce, from memory,
a text of a public corpus that an evaluation set was drawn from. This audit finds seed rows that
share runs of words with an evaluation row (word 4-grams) and are then similar character by character
(difflib ratio, so a copy with other names and numbers slotted in is still found), or have its
near-duplicate key, so they can be rewritten or dropped:

    .venv/bin/python -m responder.classify.training.seed_audit ../shared/data/dev.jsonl
    .venv/bin/python -m responder.classify.training.seed_audit ../shared/data/dev.jsonl --drop

`--drop` removes the offending rows from the hand-written files (`written_*.jsonl`) in place; it
prints only ids, never evaluation text.
"""

from __future__ import annotations

import argparse
import difflib
import json
import logging
import re
from collections.abc import Iterable
from pathlib import Path

from responder.classify.signals import template_fingerprint
from responder.classify.training.corpora import CORPORA_DIR, load_corpora
from responder.classify.training.seedgen import SEED_DIR, load_seed

log = logging.getLogger(__name__)
SHINGLE = 4
#: A seed row is a suspected copy when it is at least this similar to one evaluation row.
SIMILARITY = 0.65
#: Near-duplicate keys of texts this short ("ok", "stfu") collide by chance; they are not copies.
MIN_KEY_WORDS = 4
_WORD = re.compile(r"[^\W_]+")


def shingles(text: str, n: int = SHINGLE) -> set[tuple[str, ...]]:
    words = _WORD.findall(text.lower())
    if len(words) < n:
        return {tuple(words)} if len(words) >= 3 else set()
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def similarity(a: str, b: str) -> float:
    matcher = difflib.SequenceMatcher(None, a.lower(), b.lower(), autojunk=False)
    return matcher.ratio() if matcher.quick_ratio() >= SIMILARITY else 0.0


def suspects(seed: Iterable[dict[str, str]], evaluation: list[str]) -> list[tuple[str, float]]:
    """(seed id, containment) for every seed row that looks copied from an evaluation text."""
    index: dict[tuple[str, ...], set[int]] = {}
    fingerprints = {template_fingerprint(t) for t in evaluation}
    for i, text in enumerate(evaluation):
        for sh in shingles(text):
            index.setdefault(sh, set()).add(i)
    out: list[tuple[str, float]] = []
    for row in seed:
        own = shingles(row["text"])
        hits: dict[int, int] = {}
        for sh in own:
            for i in index.get(sh, ()):
                hits[i] = hits.get(i, 0) + 1
        best = 0.0
        for i, count in hits.items():
            if count >= 2:
                best = max(best, similarity(row["text"], evaluation[i]))
        same_key = len(row["text"].split()) >= MIN_KEY_WORDS and (
            template_fingerprint(row["text"]) in fingerprints
        )
        if best >= SIMILARITY or same_key:
            out.append((row.get("id", "?"), round(best, 2)))
    return out


def read_texts(path: Path) -> list[str]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line)["text"] for line in fh if line.strip()]


def drop(ids: set[str]) -> int:
    """Remove these ids from the hand-written seed files and the public corpora; returns how many
    rows went."""
    removed = 0
    for path in [*sorted(SEED_DIR.glob("written_*.jsonl")), *sorted(CORPORA_DIR.glob("*.jsonl"))]:
        # Not splitlines(): texts hold U+2028 and other characters it splits at.
        lines = [line for line in path.read_text("utf-8").split("\n") if line.strip()]
        kept = [line for line in lines if json.loads(line)["id"] not in ids]
        removed += len(lines) - len(kept)
        path.write_text("".join(line + "\n" for line in kept), encoding="utf-8")
    return removed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("evaluation", type=Path, help="a JSONL file with a text field per line")
    parser.add_argument(
        "--drop", action="store_true", help="remove suspects from written_*.jsonl and the corpora"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    found = suspects([*load_seed(), *load_corpora()], read_texts(args.evaluation))
    for row_id, score in found:
        log.info("suspected copy: %s (similarity %.2f)", row_id, score)
    log.info("%d suspected copies", len(found))
    if args.drop and found:
        log.info("dropped %d rows", drop({i for i, _ in found}))
    return 1 if found and not args.drop else 0


if __name__ == "__main__":  # pragma: no cover - maintenance entry point
    raise SystemExit(main())
