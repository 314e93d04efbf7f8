"""Benchmark 2: offline classification on one core: messages per second and p99 latency."""

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
    median,
    percentile,
)
from bench.gen_inbox import generate_inbox

log = logging.getLogger("bench.classify")
ONE_THREAD = {
    var: "1"
    for var in (
        "OMP_NUM_THREADS",
        "OPENBLAS_NUM_THREADS",
        "MKL_NUM_THREADS",
        "NUMEXPR_NUM_THREADS",
        "VECLIB_MAXIMUM_THREADS",
    )
}


def bench_classify(cfg: BenchConfig) -> dict[str, Any]:
    url = fresh_database(cfg, "classify")
    try:
        import_inbox(
            cfg, url, generate_inbox(cfg.classify_n, pitch_share=0.4, seed=cfg.seed), "classify"
        )
        cmd = [sys.executable, "-m", "bench.classify_child", "--workdir", str(cfg.workdir)]
        cmd += ["--url", url, "--n", str(cfg.classify_n), "--runs", str(cfg.runs)]
        cmd += ["--latency-n", str(min(cfg.latency_n, cfg.classify_n))]
        cmd += ["--seed", str(cfg.seed), "--budget", str(cfg.budget_s)]
        env = {**os.environ, **ONE_THREAD}
        proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=3600)
    finally:
        drop_database(url)
    if proc.returncode != 0:
        raise RuntimeError(f"classification subprocess failed:\n{proc.stderr[-3000:]}")
    data = json.loads(proc.stdout.strip().splitlines()[-1])
    runs = data["runs"]
    n, n_single = runs[0]["texts_n"], len(runs[0]["latencies"])
    res: dict[str, Any] = {
        "classify_offline_msgs_per_s": median([r["texts_n"] / r["texts_seconds"] for r in runs]),
        "classify_offline_msgs_per_cpu_s": median(
            [r["texts_n"] / r["texts_cpu_seconds"] for r in runs]
        ),
        "classify_single_msgs_per_s": median([n_single / r["single_seconds"] for r in runs]),
        "classify_p50_ms": median([percentile(r["latencies"], 50) * 1000 for r in runs]),
        "classify_p99_ms": median([percentile(r["latencies"], 99) * 1000 for r in runs]),
    }
    batch = [r for r in runs if r["batch_seconds"]]
    if batch:
        res["classify_batch_msgs_per_s"] = median(
            [r["batch_n"] / r["batch_seconds"] for r in batch]
        )
    one_core = f"process pinned to one CPU, BLAS/OpenMP threads = 1, median of {len(runs)} runs"
    res["_notes"] = {
        "classify_offline_msgs_per_s": f"classify_texts in batches of 200 over {n:,} fresh "
        f"generated messages (no store); {one_core}",
        "classify_offline_msgs_per_cpu_s": "the same per CPU second of the process (less "
        "sensitive to other load on a shared machine)",
        "classify_single_msgs_per_s": f"classify_text one message at a time ({n_single:,} "
        "messages)",
        "classify_p99_ms": f"classify_text latency per message, nearest-rank p99 over "
        f"{n_single:,} messages, median over runs",
        "classify_batch_msgs_per_s": "classify_batch on stored messages in batches of 200 "
        "(the triage path with relationship and template look-ups; row reads not timed)",
    }
    return res
