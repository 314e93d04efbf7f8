"""`python -m bench` (`make bench`): run the benchmarks, write bench/results.json and results.md.

    python -m bench                 # full run (100k import, 10k triage, ...), medians of 3
    python -m bench --quick         # small sizes, one run: a fast check that everything works
    python -m bench --only llm      # one benchmark (repeatable; merged into results.json)

Benchmarks never fail on time; the exit status is non-zero only when a benchmark crashed.
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import os
import platform
import shutil
import sys
import tempfile
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.common import BenchConfig, postgres_cluster
from bench.report import render_markdown, render_table

log = logging.getLogger("bench")
HERE = Path(__file__).resolve().parent
#: name -> "module:function"; each function takes a BenchConfig and returns metrics.
BENCHMARKS: dict[str, str] = {
    "import": "bench.import_bench:bench_import",
    "classify": "bench.classify_bench:bench_classify",
    "triage": "bench.triage_bench:bench_triage",
    "llm": "bench.llm_bench:bench_llm",
    "ui": "bench.ui_bench:bench_ui",
}
NEEDS_POSTGRES = {"import", "triage"}


def load(name: str) -> Any:
    module, func = BENCHMARKS[name].split(":")
    return getattr(importlib.import_module(module), func)


def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next(
                line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")
            )
    except (OSError, StopIteration):
        pass
    return f"{os.cpu_count()} CPU ({cpu}), Python {platform.python_version()}"


def run_benchmarks(cfg: BenchConfig, names: list[str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Run `names`; returns (metrics, meta parts: notes, details, errors, seconds per benchmark)."""
    metrics: dict[str, Any] = {}
    notes: dict[str, str] = {}
    details: dict[str, Any] = {}
    errors: dict[str, str] = {}
    took: dict[str, float] = {}
    for name in names:
        log.info("=== %s ===", name)
        start = time.perf_counter()
        try:
            result = load(name)(cfg)
        except Exception:  # noqa: BLE001 - one crashed benchmark must not lose the others
            errors[name] = traceback.format_exc()
            log.error("benchmark %s failed:\n%s", name, errors[name])
            continue
        finally:
            took[name] = round(time.perf_counter() - start, 1)
        notes.update(result.pop("_notes", {}))
        details.update(result.pop("_details", {}))
        metrics.update(result)
        log.info("%s done in %.0fs: %s", name, took[name], _short(result))
    return metrics, {"notes": notes, "details": details, "errors": errors, "seconds": took}


def _short(result: dict[str, Any]) -> str:
    return ", ".join(
        f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}" for k, v in result.items()
    )


def _merge_previous(path: Path, metrics: dict[str, Any], meta: dict[str, Any]) -> None:
    """With --only, keep the other benchmarks' results from the last run."""
    try:
        old = json.loads(path.read_text())
    except (OSError, ValueError):
        return
    old_meta = old.pop("meta", {})
    for key, value in old.items():
        metrics.setdefault(key, value)
    for part in ("notes", "details", "seconds"):
        merged = dict(old_meta.get(part) or {})
        merged.update(meta.get(part) or {})
        meta[part] = merged


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, one run")
    parser.add_argument("--only", action="append", choices=sorted(BENCHMARKS), metavar="NAME",
                        help=f"run only this benchmark (repeatable): {', '.join(BENCHMARKS)}")  # fmt: skip
    parser.add_argument("--tiny", action="store_true", help="smallest sizes (the smoke test)")
    parser.add_argument("--runs", type=int, help="runs per median (default 3, quick 1)")
    parser.add_argument("--no-postgres", action="store_true", help="skip the PostgreSQL variants")
    parser.add_argument("--output", type=Path, default=HERE / "results.json")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    for noisy in ("alembic", "httpx", "httpx2", "httpcore", "openai", "responder"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    workdir = Path(tempfile.mkdtemp(prefix="responder-bench-"))
    cfg = BenchConfig.quick(workdir) if args.quick else BenchConfig.full(workdir)
    if args.tiny:
        cfg = cfg.tiny()
    cfg.runs = args.runs or cfg.runs
    cfg.postgres = cfg.postgres and not args.no_postgres
    names = args.only or list(BENCHMARKS)
    started = datetime.now(UTC)
    try:
        if cfg.postgres and NEEDS_POSTGRES & set(names):
            with postgres_cluster(cfg):
                metrics, meta = run_benchmarks(cfg, names)
        else:
            metrics, meta = run_benchmarks(cfg, names)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    meta.update(
        started_at=started.isoformat(timespec="seconds"),
        finished_at=datetime.now(UTC).isoformat(timespec="seconds"),
        machine=_machine(),
        mode="tiny" if args.tiny else "quick" if args.quick else "full",
        runs=cfg.runs,
        sizes={
            k: getattr(cfg, k)
            for k in ("import_n", "naive_import_n", "classify_n", "triage_n", "llm_n", "ui_n")
        },  # fmt: skip
        seed=cfg.seed,
        benchmarks=names,
    )
    if args.only:
        _merge_previous(args.output, metrics, meta)
    results = {**metrics, "meta": meta}
    args.output.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    markdown = render_markdown(results)
    args.output.with_suffix(".md").write_text(markdown)
    print(render_table(results))
    print(f"\nWrote {args.output} and {args.output.with_suffix('.md')}")
    return 1 if meta["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
