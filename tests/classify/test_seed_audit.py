"""The seed audit finds seed rows copied (with other slots filled in) from an evaluation set."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from responder.classify.training import seed_audit
from responder.classify.training.corpora import load_corpora
from responder.classify.training.seedgen import load_seed

EVALUATION = [
    "Good news! Your mobile was drawn in the spring raffle and a £500 voucher is yours. Ring "
    "09011 223344 before Friday, quote REF77.",
    "Can you send me the revised budget before the board call on Thursday?",
]


def test_slot_filled_copy_is_found() -> None:
    seed = [
        {
            "id": "copy",
            "text": "Good news! Your mobile was drawn in the summer raffle and a $900 voucher is "
            "yours. Ring +1 555 0100 before Monday, quote XY12.",
        },
        {"id": "own", "text": "Lunch at noon? The usual place, I'll book a table for four."},
    ]
    assert [row_id for row_id, _ in seed_audit.suspects(seed, EVALUATION)] == ["copy"]


def test_shared_phrase_alone_is_not_a_copy() -> None:
    seed = [{"id": "own", "text": "Can you send me the slides? I need them for my talk."}]
    assert seed_audit.suspects(seed, EVALUATION) == []


def test_drop_removes_only_suspects(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(seed_audit, "SEED_DIR", tmp_path)
    monkeypatch.setattr(seed_audit, "CORPORA_DIR", tmp_path / "corpora")
    path = tmp_path / "written_x.jsonl"
    rows = [{"id": f"w-x-{i}", "text": f"t{i}", "label": "genuine"} for i in range(3)]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    assert seed_audit.drop({"w-x-1"}) == 1
    assert [json.loads(line)["id"] for line in path.read_text().splitlines()] == ["w-x-0", "w-x-2"]


#: The team's evaluation set sits next to the checkout (../shared/data); a clone elsewhere has none.
DEV = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "dev.jsonl"


@pytest.mark.skipif(not DEV.exists(), reason=f"no evaluation set at {DEV} next to this checkout")
def test_shipped_seed_holds_no_copy_of_the_dev_set() -> None:
    rows = [*load_seed(), *load_corpora()]
    assert seed_audit.suspects(rows, seed_audit.read_texts(DEV)) == []
