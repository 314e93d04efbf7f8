"""Benchmark 3 (and 6): triage end to end (classify + policy + draft + store), offline.

Each run imports a generated inbox of `triage_n` new messages into a fresh database through the
real import path (not timed), then times `triage_new` over all of them. The classifier is built
and warmed up before the clock starts (a worker loads its model once per process; the seed model
is memoised anyway), for the set-based pipeline and the naive baseline alike.

In the same run:
- the naive per-message loop (`bench.naive_triage`, the pipeline before it was set-based) on
  `naive_triage_n` messages, on SQLite and PostgreSQL: the baseline;
- on PostgreSQL, one and then two worker processes (`bench.triage_child`) on identical inboxes:
  `triage_pg_2workers_speedup` is the one-worker wall time over the two-worker wall time (from
  the first worker's start to the last one's end; process start-up and model loading excluded).
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from typing import Any

from bench.common import (
    ROOT,
    BenchConfig,
    drop_database,
    fresh_database,
    import_inbox,
    make_settings,
    median,
    pg_skip_reason,
    repeat,
    timed,
)
from bench.gen_inbox import generate_inbox
from bench.naive_triage import naive_triage
from responder.classify.classifier import build_classifier
from responder.drafts.drafter import build_drafter
from responder.store.db import make_engine
from responder.triage.pipeline import triage_new

log = logging.getLogger("bench.triage")
NAIVE_MAX = 2_000


def _one_run(cfg: BenchConfig, *, postgres: bool, naive: bool = False) -> tuple[float, int]:
    n = min(cfg.triage_n, NAIVE_MAX) if naive else cfg.triage_n
    url = fresh_database(cfg, "triage", postgres=postgres)
    try:
        import_inbox(cfg, url, generate_inbox(n, pitch_share=0.4, seed=cfg.seed), "triage")
        settings = make_settings(cfg.workdir, url)
        engine = make_engine(url, settings=settings)
        classifier = build_classifier(settings=settings)
        classifier.classify_text(text="warm up")
        drafter = build_drafter(settings=settings)
        run = naive_triage if naive else triage_new
        try:
            seconds, summary = timed(
                lambda: run(
                    engine=engine, settings=settings, classifier=classifier, drafter=drafter
                )
            )
        finally:
            engine.dispose()
    finally:
        drop_database(url)
    what = f"{'naive' if naive else 'set-based'} {'pg' if postgres else 'sqlite'}"
    log.info("triage run (%s): %d in %.2fs", what, summary.triaged, seconds)
    return seconds, summary.triaged


def _median_rate(cfg: BenchConfig, *, postgres: bool) -> tuple[float, float, int, int]:
    what = f"triage ({'pg' if postgres else 'sqlite'})"
    runs = repeat(
        lambda: _one_run(cfg, postgres=postgres), runs=cfg.runs, budget_s=cfg.budget_s, what=what
    )
    seconds = median([s for s, _n in runs])
    triaged = runs[0][1]
    return triaged / seconds, seconds, triaged, len(runs)


def _naive_rate(cfg: BenchConfig, *, postgres: bool) -> float:
    seconds, triaged = _one_run(cfg, postgres=postgres, naive=True)
    return triaged / seconds


def _workers_run(cfg: BenchConfig, workers: int) -> tuple[float, list[int]]:
    """Wall seconds for `workers` processes to triage one inbox together, and each one's count."""
    url = fresh_database(cfg, f"triage{workers}w", postgres=True)
    procs: list[subprocess.Popen[str]] = []
    try:
        import_inbox(cfg, url, generate_inbox(cfg.triage_n, pitch_share=0.4, seed=cfg.seed), "w")
        env = {k: v for k, v in os.environ.items() if not k.startswith("RESPONDER_")}
        cmd = [sys.executable, "-m", "bench.triage_child", url, str(cfg.workdir)]
        for _ in range(workers):
            procs.append(
                subprocess.Popen(
                    cmd, cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
                )
            )
        for proc in procs:  # all loaded and warm before any starts
            assert proc.stdout is not None
            if proc.stdout.readline().strip() != "ready":
                raise RuntimeError("a triage worker did not start")
        for proc in procs:
            assert proc.stdin is not None
            proc.stdin.write("go\n")
            proc.stdin.flush()
        results = []
        for proc in procs:
            out, _ = proc.communicate(timeout=1800)
            if proc.returncode != 0:
                raise RuntimeError(f"a triage worker failed with exit code {proc.returncode}")
            results.append(json.loads(out.strip().splitlines()[-1]))
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
        drop_database(url)
    wall = max(r["end"] for r in results) - min(r["start"] for r in results)
    counts = [int(r["triaged"]) for r in results]
    log.info("triage with %d worker(s): %s in %.2fs", workers, counts, wall)
    return wall, counts


def _pg_workers(cfg: BenchConfig) -> dict[str, Any]:
    one, _ = _workers_run(cfg, 1)
    two, counts = _workers_run(cfg, 2)
    return {
        "triage_pg_1worker_s": one,
        "triage_pg_2workers_s": two,
        "triage_pg_2workers_speedup": one / two,
        "_counts": counts,
    }


def bench_triage(cfg: BenchConfig) -> dict[str, Any]:
    rate, seconds, triaged, n_runs = _median_rate(cfg, postgres=False)
    naive = _naive_rate(cfg, postgres=False)
    res: dict[str, Any] = {
        "triage_msgs_per_s": rate,
        "triage_seconds": seconds,
        "triage_naive_msgs_per_s": naive,
    }
    n_naive = min(triaged, NAIVE_MAX)
    notes = {
        "triage_msgs_per_s": f"{triaged:,} new messages, offline classifier (warm) and drafts, "
        f"SQLite, set-based batches, median of {n_runs}",
        "triage_naive_msgs_per_s": f"per-message loop (bench/naive_triage.py), {n_naive:,} "
        "messages, SQLite, same run",
    }
    reason = pg_skip_reason(cfg)
    if reason:
        for key in ("triage_msgs_per_s_pg", "triage_naive_msgs_per_s_pg", "triage_pg_2workers_speedup"):  # fmt: skip
            res[key] = None
            notes[key] = f"skipped: {reason}"
    else:
        rate_pg, seconds_pg, _n, n_pg = _median_rate(cfg, postgres=True)
        res.update({"triage_msgs_per_s_pg": rate_pg, "triage_seconds_pg": seconds_pg})
        res["triage_naive_msgs_per_s_pg"] = _naive_rate(cfg, postgres=True)
        notes["triage_msgs_per_s_pg"] = f"same on a throw-away PostgreSQL, median of {n_pg}"
        notes["triage_naive_msgs_per_s_pg"] = f"per-message loop, {n_naive:,} messages, PostgreSQL"
        workers = _pg_workers(cfg)
        counts = workers.pop("_counts")
        res.update(workers)
        notes["triage_pg_2workers_speedup"] = (
            f"{cfg.triage_n:,} messages, one worker process {workers['triage_pg_1worker_s']:.1f} s "
            f"vs two {workers['triage_pg_2workers_s']:.1f} s (they triaged {counts}); "
            f"{os.cpu_count()} CPUs shared with the PostgreSQL server"
        )
    res["_notes"] = notes
    return res
