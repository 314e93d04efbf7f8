"""Benchmark 3 (and 6): triage end to end (classify + policy + draft + store), offline.

Each run imports a generated inbox of `triage_n` new messages into a fresh database through the
real import path (not timed), then times `triage_new` over all of them.
"""

from __future__ import annotations

import logging
from typing import Any

from bench.common import (
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

log = logging.getLogger("bench.triage")


def _one_run(cfg: BenchConfig, *, postgres: bool) -> tuple[float, int]:
    from responder.store.db import make_engine
    from responder.triage.pipeline import triage_new

    url = fresh_database(cfg, "triage", postgres=postgres)
    try:
        inbox = generate_inbox(cfg.triage_n, pitch_share=0.4, seed=cfg.seed)
        import_inbox(cfg, url, inbox, "triage")
        settings = make_settings(cfg.workdir, url)
        engine = make_engine(url, settings=settings)
        try:
            seconds, summary = timed(lambda: triage_new(engine=engine, settings=settings))
        finally:
            engine.dispose()
    finally:
        drop_database(url)
    log.info(
        "triage run (%s): %d in %.2fs", "pg" if postgres else "sqlite", summary.triaged, seconds
    )
    return seconds, summary.triaged


def _median_rate(cfg: BenchConfig, *, postgres: bool) -> tuple[float, float, int, int]:
    what = f"triage ({'pg' if postgres else 'sqlite'})"
    runs = repeat(
        lambda: _one_run(cfg, postgres=postgres), runs=cfg.runs, budget_s=cfg.budget_s, what=what
    )
    seconds = median([s for s, _n in runs])
    triaged = runs[0][1]
    return triaged / seconds, seconds, triaged, len(runs)


def bench_triage(cfg: BenchConfig) -> dict[str, Any]:
    rate, seconds, triaged, n_runs = _median_rate(cfg, postgres=False)
    res: dict[str, Any] = {"triage_msgs_per_s": rate, "triage_seconds": seconds}
    notes = {
        "triage_msgs_per_s": f"{triaged:,} new messages, offline classifier and drafts, SQLite, "
        f"median of {n_runs}",
    }
    reason = pg_skip_reason(cfg)
    if reason:
        res["triage_msgs_per_s_pg"] = None
        notes["triage_msgs_per_s_pg"] = f"skipped: {reason}"
    else:
        rate_pg, seconds_pg, _n, n_pg = _median_rate(cfg, postgres=True)
        res.update({"triage_msgs_per_s_pg": rate_pg, "triage_seconds_pg": seconds_pg})
        notes["triage_msgs_per_s_pg"] = f"same on a throw-away PostgreSQL, median of {n_pg}"
    res["_notes"] = notes
    return res
