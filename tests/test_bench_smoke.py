"""Smoke test for `make bench`: every benchmark runs end to end on tiny sizes and reports the
keys the issue asks for, as positive numbers. No timing targets are asserted here (benchmarks
never fail on time); what is checked is that the harness measures what it claims to measure.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from bench.__main__ import BENCHMARKS, load, main
from bench.common import BenchConfig, percentile
from bench.gen_inbox import generate_inbox, pitch_template
from bench.llm_server import InboxModel, _fill

EXPECTED: dict[str, list[str]] = {
    "import": ["import_100k_seconds", "import_100k_peak_rss_mb", "naive_import_100k_seconds"],
    "classify": ["classify_offline_msgs_per_s", "classify_p99_ms"],
    "triage": ["triage_msgs_per_s"],
    "llm": ["llm_calls_per_message", "prompt_tokens_per_message", "naive_llm_calls_per_message"],
    "ui": ["inbox_render_s", "dashboard_render_s"],
}
PG_KEYS = {"import": "import_100k_seconds_pg", "triage": "triage_msgs_per_s_pg"}


def _positive(value: Any) -> bool:
    return isinstance(value, (int, float)) and math.isfinite(value) and value > 0


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One work directory for the module, as in a real run: the offline model is trained once."""
    return tmp_path_factory.mktemp("bench")


@pytest.mark.parametrize("name", sorted(BENCHMARKS))
def test_benchmark_reports_its_keys(name: str, workdir: Path) -> None:
    cfg = BenchConfig.full(workdir).tiny()
    result = load(name)(cfg)
    notes = result.pop("_notes")
    details = result.pop("_details", {})
    for key in EXPECTED[name]:
        assert _positive(result[key]), f"{key} = {result[key]!r}"
        assert notes.get(key), f"no note says how {key} was measured"
    if name in PG_KEYS:  # tiny runs skip PostgreSQL: null plus the reason, never a fake number
        assert result[PG_KEYS[name]] is None
        assert notes[PG_KEYS[name]].startswith("skipped: ")
    if name == "import":  # every generated row was imported or skipped with a reason
        for run in details["import_runs"]:
            assert run["imported"] + run["skipped"] == cfg.import_n
            assert run["imported"] > 0.9 * cfg.import_n
        # The naive path stored the same messages from the same subset.
        naive = {r["imported"] for r in details["naive_import_runs"]}
        assert naive == {r["imported"] for r in details["subset_import_runs"]}
    if name == "llm":  # counted at the server from a real client, not from a formula
        for run in (details["llm_ours"], details["llm_naive"]):
            assert run["messages"] == cfg.llm_n
            assert run["calls"] == run["classify_calls"] + run["draft_calls"] >= 1
            assert run["prompt_tokens"] > run["calls"] * 50  # real prompts, not empty requests
        # The baseline makes one classification call per message.
        assert details["llm_naive"]["classify_calls"] == cfg.llm_n


def _fake_bench(cfg: BenchConfig) -> dict[str, Any]:
    return {
        "classify_p99_ms": 1.5,
        "inbox_render_s": 0.25,
        "_notes": {"classify_p99_ms": "made up by the CLI test"},
        "_details": {"sizes_seen": cfg.classify_n},
    }


def test_cli_writes_results_json_and_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(BENCHMARKS, "fake", "tests.test_bench_smoke:_fake_bench")
    out = tmp_path / "results.json"
    out.write_text(json.dumps({"triage_msgs_per_s": 9.0, "meta": {"notes": {"x": "old"}}}))
    assert main(["--tiny", "--only", "fake", "--output", str(out)]) == 0
    results = json.loads(out.read_text())
    assert results["classify_p99_ms"] == 1.5
    assert results["triage_msgs_per_s"] == 9.0  # --only keeps the other benchmarks' results
    assert results["meta"]["mode"] == "tiny"
    assert results["meta"]["benchmarks"] == ["fake"]
    assert results["meta"]["details"]["sizes_seen"] == BenchConfig.full(tmp_path).tiny().classify_n
    table = (tmp_path / "results.md").read_text()
    assert "| 1.500 | ms |" in table and "made up by the CLI test" in table
    assert "`inbox_render_s`" in capsys.readouterr().out


def test_cli_exit_status_reports_a_crashed_benchmark(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(BENCHMARKS, "broken", "tests.test_bench_smoke:_broken_bench")
    out = tmp_path / "results.json"
    assert main(["--tiny", "--only", "broken", "--output", str(out)]) == 1
    assert "ZeroDivisionError" in json.loads(out.read_text())["meta"]["errors"]["broken"]


def _broken_bench(cfg: BenchConfig) -> dict[str, Any]:
    return {"x": 1 / 0}


def test_generated_inbox_is_seeded_and_templated() -> None:
    a, b = generate_inbox(500, seed=11), generate_inbox(500, seed=11)
    assert a == b
    assert a != generate_inbox(500, seed=12)
    pitches = [m for m in a if m.template is not None]
    assert len(pitches) == 300  # 60%
    assert all(m.label == "sales_pitch" for m in pitches)
    # Every mass pitch keeps its template's wording once names and numbers are filled in.
    for m in pitches[:50]:
        fixed = pitch_template(m.template).split("{")[0]
        assert m.body.startswith(fixed)
    assert len({m.body for m in a if m.template is None}) > 0.9 * (500 - 300)


def test_fake_model_answers_the_schema_with_the_true_label() -> None:
    inbox = generate_inbox(50, seed=5)
    model = InboxModel(inbox)
    target = next(m for m in inbox if m.label == "recruiting")
    schema = {
        "type": "object",
        "properties": {
            "reasons": {"type": "array", "items": {"type": "string"}},
            "label": {"enum": ["genuine", "sales_pitch", "recruiting"]},
            "confidence": {"type": "number"},
        },
    }
    assert model.label_for(f"<message>\n{target.body}\n</message>") == "recruiting"
    answer = _fill(schema, schema, "recruiting")
    assert answer["label"] == "recruiting"
    assert answer["reasons"] and 0 < answer["confidence"] <= 1


def test_percentile_is_nearest_rank() -> None:
    values = [float(i) for i in range(1, 101)]
    assert percentile(values, 99) == 99.0
    assert percentile(values, 50) == 50.0
    assert percentile([3.0], 99) == 3.0
