"""Benchmark 5: server time to render the Inbox and Dashboard pages over a large store.

The store (`bench.ui_data`) is written once with Core bulk inserts; each page is timed with
Streamlit's AppTest in its own subprocess pointed at that database (`bench.ui_child`).
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from typing import Any

from bench.common import ROOT, BenchConfig, drop_database, fresh_database, median, timed

log = logging.getLogger("bench.ui")
PAGES = {"inbox": "ui/pages/inbox.py", "dashboard": "ui/pages/dashboard.py"}


def _page_times(cfg: BenchConfig, url: str, page: str) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RESPONDER_")}
    env.update(
        RESPONDER_DATABASE_URL=url,
        RESPONDER_DATA_DIR=str(cfg.workdir / "ui-data"),
        RESPONDER_CONFIG=str(ROOT / "config" / "responder.toml"),
        RESPONDER_LLM_PROVIDER="offline",
    )
    cmd = [
        sys.executable,
        "-m",
        "bench.ui_child",
        "--page",
        str(ROOT / page),
        "--runs",
        str(cfg.runs),
    ]
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800)
    if proc.returncode != 0:
        raise RuntimeError(f"AppTest subprocess for {page} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def bench_ui(cfg: BenchConfig) -> dict[str, Any]:
    from bench.common import make_settings
    from bench.ui_data import populate
    from responder.store.db import make_engine

    url = fresh_database(cfg, "ui")
    res: dict[str, Any] = {}
    notes: dict[str, str] = {}
    details: dict[str, Any] = {}
    try:
        engine = make_engine(url, settings=make_settings(cfg.workdir, url))
        seconds, counts = timed(lambda: populate(engine, n=cfg.ui_n, seed=cfg.seed))
        engine.dispose()
        log.info("UI store: %s in %.1fs", counts, seconds)
        for name, page in PAGES.items():
            present = (ROOT / page).is_file()
            times = _page_times(cfg, url, page) if present else None
            details[f"ui_{name}"] = times
            if times is None:
                res[f"{name}_render_s"] = None
                notes[f"{name}_render_s"] = f"skipped: {page} does not exist"
                continue
            res[f"{name}_render_s"] = median(times["render_s"])
            res[f"{name}_render_cached_s"] = median(times["cached_s"])
            res[f"{name}_render_cold_s"] = times["cold_s"]
            notes[f"{name}_render_s"] = (
                f"AppTest run of {page}, {counts['messages']:,} messages, warm process with data "
                f"caches cleared, median of {cfg.runs}; with caches "
                f"{res[f'{name}_render_cached_s']:.3f} s, first run in a fresh process "
                f"{times['cold_s']:.2f} s"
            )
    finally:
        drop_database(url)
    res["_notes"] = notes
    res["_details"] = details
    return res
