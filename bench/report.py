"""The readable table of `bench/results.json` (printed and written to `bench/results.md`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Row:
    key: str
    title: str
    unit: str = ""
    #: ("<", 30) means the value should be below 30; None: no target, context only.
    target: tuple[str, float] | None = None
    digits: int = 2


ROWS: tuple[Row, ...] = (
    Row("import_100k_seconds", "Import {import_n} LinkedIn export", "s", ("<", 30), 1),
    Row("import_100k_msgs_per_s", "Import throughput", "msg/s", None, 0),
    Row("import_100k_peak_rss_mb", "Import peak RSS", "MB", ("<", 400), 0),
    Row(
        "naive_import_100k_seconds",
        "Baseline: naive row-by-row import ({import_n}, extrapolated)",
        "s",
        None,
        1,
    ),
    Row("import_speedup_vs_naive", "Import speed-up over naive (same subset)", "x", None, 1),
    Row("import_100k_seconds_pg", "Import {import_n} on PostgreSQL", "s", ("<", 30), 1),
    Row("import_100k_peak_rss_mb_pg", "Import peak RSS on PostgreSQL", "MB", ("<", 400), 0),
    Row(
        "classify_offline_msgs_per_s",
        "Offline classification (batches), one core",
        "msg/s",
        (">", 2000),
        0,
    ),
    Row(
        "classify_offline_msgs_per_cpu_s", "Offline classification per CPU second", "msg/s", None, 0
    ),
    Row("classify_single_msgs_per_s", "Offline classify_text one at a time", "msg/s", None, 0),
    Row("classify_p50_ms", "Offline classification p50 latency", "ms", None, 3),
    Row("classify_p99_ms", "Offline classification p99 latency", "ms", None, 3),
    Row("classify_batch_msgs_per_s", "Offline classify_batch (triage path)", "msg/s", None, 0),
    Row("triage_msgs_per_s", "Triage end to end, {triage_n} new messages", "msg/s", (">", 1000), 0),
    Row("triage_naive_msgs_per_s", "Baseline: per-message triage loop", "msg/s", None, 0),
    Row("triage_msgs_per_s_pg", "Triage end to end on PostgreSQL", "msg/s", (">", 700), 0),
    Row("triage_naive_msgs_per_s_pg", "Baseline: per-message loop, PostgreSQL", "msg/s", None, 0),
    Row("triage_pg_2workers_speedup", "Two workers vs one, PostgreSQL", "x", (">", 1.4), 2),
    Row("llm_calls_per_message", "LLM calls per message (classify + draft)", "", ("<=", 0.5), 3),
    Row("naive_llm_calls_per_message", "Baseline: naive LLM calls per message", "", None, 3),
    Row("llm_calls_saved_vs_naive", "LLM calls saved over naive", "share", None, 3),
    Row("prompt_tokens_per_message", "Prompt tokens per message (estimated)", "tok", None, 0),
    Row(
        "naive_prompt_tokens_per_message",
        "Baseline: naive prompt tokens per message",
        "tok",
        None,
        0,
    ),
    Row("inbox_render_s", "Inbox page render, {ui_n} messages", "s", ("<", 1), 3),
    Row("dashboard_render_s", "Dashboard page render, {ui_n} messages", "s", ("<", 1), 3),
    Row("inbox_render_cold_s", "Inbox first render after start", "s", ("<=", 1), 3),
    Row("dashboard_render_cold_s", "Dashboard first render after start", "s", ("<=", 1), 3),
    Row("inbox_render_cached_s", "Inbox render with data caches", "s", None, 3),
    Row("dashboard_render_cached_s", "Dashboard render with data caches", "s", None, 3),
)


def _fmt(value: Any, digits: int) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def _status(value: Any, target: tuple[str, float] | None) -> str:
    if target is None or not isinstance(value, (int, float)):
        return ""
    op, limit = target
    ok = {"<": value < limit, "<=": value <= limit, ">": value >= limit}[op]
    return "met" if ok else "MISSED"


def _target(target: tuple[str, float] | None, unit: str) -> str:
    if target is None:
        return ""
    op, limit = target
    shown = {"<": "<", "<=": "<=", ">": ">="}[op]
    return f"{shown} {limit:g} {unit}".strip()


def _size(n: int) -> str:
    return f"{n // 1000}k" if n >= 1000 and n % 1000 == 0 else f"{n:,}"


def render_table(results: dict[str, Any]) -> str:
    """A Markdown table of every known metric present in `results`, with targets and notes."""
    notes: dict[str, str] = results.get("meta", {}).get("notes", {})
    full = results.get("meta", {}).get("mode", "full") == "full"
    sizes = {k: _size(v) for k, v in results.get("meta", {}).get("sizes", {}).items()}
    lines = [
        "| Metric | Value | Unit | Target | Status | How |",
        "|---|---:|---|---|---|---|",
    ]
    for row in ROWS:
        if row.key not in results:
            continue
        value = results[row.key]
        note = notes.get(row.key, "").replace("|", "/")
        lines.append(
            f"| {_title(row.title, sizes)} (`{row.key}`) | {_fmt(value, row.digits)} | {row.unit} | "
            f"{_target(row.target, row.unit)} | {_status(value, row.target) if full else ''} | {note} |"
        )
    return "\n".join(lines)


def _title(title: str, sizes: dict[str, str]) -> str:
    try:
        return title.format(**sizes)
    except KeyError:
        return title.replace("{", "").replace("}", "")


def render_markdown(results: dict[str, Any]) -> str:
    meta = results.get("meta", {})
    head = [
        "# Responder benchmarks",
        "",
        f"Run {meta.get('finished_at', '?')} on {meta.get('machine', '?')}, "
        f"mode {meta.get('mode', '?')}, up to {meta.get('runs', '?')} runs per median (fewer "
        "where a measurement went over its time budget: the How column says how many). "
        "Numbers on a shared machine are noisy; ratios measured in the same run hold better. "
        "Targets are informational: benchmarks never fail on time.",
        "",
        render_table(results),
    ]
    errors = meta.get("errors") or {}
    if errors:
        head += ["", "## Benchmarks that failed", ""]
        head += [
            f"- `{name}`: {text.splitlines()[-1] if text else ''}" for name, text in errors.items()
        ]
    return "\n".join(head) + "\n"
