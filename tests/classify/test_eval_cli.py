"""`responder eval`, `responder classify`, `responder train` and the metrics behind them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from responder.classify.training.evaluate import metrics, read_dataset
from responder.cli import app

runner = CliRunner()

FIXTURE = [
    {
        "id": "p1",
        "text": "LinkedIn Security: your account is restricted. Verify your identity at https://linkedin-security-check.com/verify within 24 hours.",
        "label": "phishing",
        "slice": "linkedin",
    },
    {
        "id": "s1",
        "text": "Congratulations! You have won a £2000 cash prize. To claim call 09061 701 461 now. Claim code K7Q2.",
        "label": "scam",
        "slice": "sms",
    },
    {
        "id": "h1",
        "text": "You're a worthless idiot, shut up and go away",
        "label": "harassment",
        "slice": "chat",
    },
    {
        "id": "r1",
        "text": "Hi Jana, I'm a recruiter at Helix Data. Your background is a great fit for our Head of Data role in Munich. Open to a chat?",
        "label": "recruiting",
        "slice": "linkedin",
    },
    {
        "id": "sp1",
        "text": "Hi Mark, we help B2B SaaS teams book 20+ qualified demos a month with outbound. Worth a 15 minute call? calendly.com/growth/15min",
        "label": "sales_pitch",
        "slice": "linkedin",
    },
    {
        "id": "g1",
        "text": "Hi Alex, here are the slides from today's review: https://docs.google.com/presentation/d/1x - let me know if I missed anything.",
        "label": "genuine",
        "slice": "linkedin",
    },
]


def test_metrics_hand_computed() -> None:
    truth = ["genuine", "genuine", "genuine", "genuine", "scam", "scam", "phishing", "sales_pitch"]
    pred = [
        "genuine",
        "genuine",
        "genuine",
        "sales_pitch",
        "scam",
        "phishing",
        "phishing",
        "sales_pitch",
    ]
    m = metrics(truth, pred)
    assert m["per_label"]["genuine"] == {
        "precision": 1.0,
        "recall": 0.75,
        "f1": 0.8571,
        "support": 4,
    }
    assert m["per_label"]["sales_pitch"] == {
        "precision": 0.5,
        "recall": 1.0,
        "f1": 0.6667,
        "support": 1,
    }
    assert (
        m["per_label"]["phishing"]["precision"] == 0.5 and m["per_label"]["scam"]["recall"] == 0.5
    )
    # Labels neither in truth nor predicted (recruiting, harassment) do not count in macro-F1.
    assert m["macro_f1"] == round((0.8571 + 0.6667 + 0.6667 + 0.6667) / 4, 4)
    assert m["genuine_flagged_rate"] == 0.25
    assert m["phishing_scam_recall"] == 1.0  # scam called phishing is still caught
    assert m["confusion"]["scam"]["phishing"] == 1
    assert m["confusion"]["genuine"]["sales_pitch"] == 1


def _write(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_eval_json_on_fixture(tmp_path: Path) -> None:
    data = _write(tmp_path / "fx.jsonl", FIXTURE)
    preds = tmp_path / "preds.jsonl"
    out = runner.invoke(app, ["eval", str(data), "--json", "--predictions", str(preds)])
    assert out.exit_code == 0, out.output
    report = json.loads(out.stdout)
    assert {
        "macro_f1",
        "per_label",
        "confusion",
        "genuine_flagged_rate",
        "phishing_scam_recall",
        "messages_per_second",
        "coverage",
        "accuracy_when_sure",
        "ece",
    } <= set(report)
    assert 0.0 <= report["coverage"] <= 1.0 and report["review_threshold"] == 0.55
    assert report["macro_f1"] == 1.0
    assert report["phishing_scam_recall"] == 1.0 and report["genuine_flagged_rate"] == 0.0
    assert report["per_label"]["recruiting"] == {
        "precision": 1.0,
        "recall": 1.0,
        "f1": 1.0,
        "support": 1,
    }
    lines = [json.loads(line) for line in preds.read_text().splitlines()]
    assert [p["id"] for p in lines] == [r["id"] for r in FIXTURE]
    assert all(isinstance(p["needs_review"], bool) and 0 <= p["confidence"] <= 1 for p in lines)
    sure = [p for p in lines if p["confidence"] >= 0.55]
    assert report["coverage"] == round(len(sure) / len(lines), 4)
    assert all({"id", "label", "predicted", "confidence", "reasons"} <= set(p) for p in lines)
    assert all(p["label"] == p["predicted"] for p in lines)


def test_eval_slice_and_text_output(tmp_path: Path) -> None:
    data = _write(tmp_path / "fx.jsonl", FIXTURE)
    out = runner.invoke(app, ["eval", str(data), "--slice", "linkedin", "--json"])
    assert out.exit_code == 0, out.output
    report = json.loads(out.stdout)
    assert report["n"] == 4
    out = runner.invoke(app, ["eval", str(data)])
    assert out.exit_code == 0
    assert "macro-F1" in out.stdout and "confusion" in out.stdout


def test_eval_reads_csv_and_skips_bad_rows(tmp_path: Path) -> None:
    import csv

    path = tmp_path / "fx.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=["id", "text", "label"])
        writer.writeheader()
        writer.writerow({"id": "a", "text": FIXTURE[2]["text"], "label": "harassment"})
        writer.writerow({"id": "b", "text": "x", "label": "not-a-label"})
    rows = read_dataset(path)
    assert [r.id for r in rows] == ["a"]


def test_eval_errors_are_clear(tmp_path: Path) -> None:
    out = runner.invoke(app, ["eval", str(tmp_path / "missing.jsonl")])
    assert out.exit_code == 1
    assert "no such file" in out.output
    out = runner.invoke(
        app, ["eval", str(_write(tmp_path / "f.jsonl", FIXTURE)), "--mode", "magic"]
    )
    assert out.exit_code == 2


@pytest.mark.parametrize("as_json", [True, False])
def test_classify_command(as_json: bool) -> None:
    args = ["classify", "Your account is locked, verify at https://1inkedin.com/login now"]
    out = runner.invoke(app, args + (["--json"] if as_json else []))
    assert out.exit_code == 0, out.output
    if as_json:
        data = json.loads(out.stdout)
        assert data["label"] == "phishing" and data["reasons"]
    else:
        assert out.stdout.startswith("phishing")
        assert "1inkedin[.]com" in out.stdout


def test_train_command(engine) -> None:  # type: ignore[no-untyped-def]
    out = runner.invoke(app, ["train", "--json"])
    assert out.exit_code == 0, out.output
    info = json.loads(out.stdout)
    assert info["corrections"] == 0 and info["seed"] > 500
    assert Path(info["path"]).exists()


def test_eval_llm_mode_uses_the_configured_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, openai_server
) -> None:  # type: ignore[no-untyped-def]
    from responder.settings import reset_settings_cache
    from tests.support.openai_server import Reply

    monkeypatch.setenv("RESPONDER_LLM_PROVIDER", "openai")
    monkeypatch.setenv("RESPONDER_LLM_BASE_URL", openai_server.base_url)
    reset_settings_cache()
    openai_server.handler = lambda _req: Reply.structured(
        {"reasons": ["Looks fine."], "label": "genuine", "confidence": 0.8}
    )
    data = _write(tmp_path / "fx.jsonl", FIXTURE)
    preds = tmp_path / "p.jsonl"
    out = runner.invoke(
        app, ["eval", str(data), "--mode", "llm", "--json", "--predictions", str(preds)]
    )
    assert out.exit_code == 0, out.output
    report = json.loads(out.stdout)
    assert openai_server.call_count == len(FIXTURE)
    methods = {p["id"]: (p["method"], p["predicted"]) for p in map(json.loads, preds.open())}
    # High-precision safety rules still overrule a model that calls a disguised login link or
    # a prize claim genuine; everything else is the LLM's answer.
    assert methods["p1"] == ("rules", "phishing") and methods["s1"] == ("rules", "scam")
    assert {methods[i] for i in ("h1", "r1", "sp1", "g1")} == {("llm", "genuine")}
    assert report["per_label"]["genuine"]["recall"] == 1.0
    assert report["per_label"]["harassment"]["recall"] == 0.0
