"""Benchmark 1 (and 6): importing a generated LinkedIn export, ours against the naive baseline.

Every import runs in its own subprocess (`bench.import_child`) on a fresh migrated database, so
the peak RSS is that import's own and one run cannot warm the next one's caches in-process.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path
from typing import Any

from bench.common import (
    ROOT,
    BenchConfig,
    drop_database,
    fresh_database,
    median,
    pg_skip_reason,
    repeat,
)

log = logging.getLogger("bench.import")


def export_file(cfg: BenchConfig, n: int) -> Path:
    """A generated LinkedIn messages.csv with `n` rows (`bench.gen_linkedin`: conversations, owner
    replies, HTML, mojibake, a few system and draft rows that are skipped); made once per size."""
    key = f"export-{n}"
    if key not in cfg.cache:
        path = cfg.workdir / "exports" / f"messages-{n}.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        from bench.gen_linkedin import write_export

        write_export(path, n=n, seed=cfg.seed)
        cfg.cache[key] = path
    return cfg.cache[key]


def _child(cfg: BenchConfig, *, url: str, path: Path, naive: bool = False) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "bench.import_child", "--url", url, "--path", str(path)]
    cmd += ["--workdir", str(cfg.workdir)]
    if naive:
        cmd.append("--naive")
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=3600)
    if proc.returncode != 0:
        raise RuntimeError(f"import subprocess failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _runs(cfg: BenchConfig, path: Path, *, postgres: bool, naive: bool) -> list[dict]:
    what = f"import {path.name} ({'naive' if naive else 'ours'}, {'pg' if postgres else 'sqlite'})"

    def once() -> dict[str, Any]:
        url = fresh_database(cfg, "naive" if naive else "import", postgres=postgres)
        try:
            result = _child(cfg, url=url, path=path, naive=naive)
        finally:
            drop_database(url)
        log.info("%s: %s", what, result)
        return result

    return repeat(once, runs=cfg.runs, budget_s=cfg.budget_s, what=what)


def _summarise(prefix: str, suffix: str, runs: list[dict], n: int) -> dict[str, Any]:
    seconds = median([r["seconds"] for r in runs])
    return {
        f"{prefix}_seconds{suffix}": seconds,
        f"{prefix}_msgs_per_s{suffix}": n / seconds,
        f"{prefix}_peak_rss_mb{suffix}": median([r["peak_rss_mb"] for r in runs]),
    }


def bench_import(cfg: BenchConfig) -> dict[str, Any]:
    """Ours on the full export, ours and naive on the subset, PostgreSQL if available."""
    big = export_file(cfg, cfg.import_n)
    ours = _runs(cfg, big, postgres=False, naive=False)
    imported = ours[0]["imported"]
    res: dict[str, Any] = _summarise("import_100k", "", ours, imported)
    res["import_100k_start_rss_mb"] = median([r["start_rss_mb"] for r in ours])
    res.update(_naive(cfg))
    notes = {
        "import_100k_seconds": f"{imported:,} messages imported (subprocess per run, fresh "
        f"SQLite file, median of {len(ours)})",
        "import_100k_peak_rss_mb": "ru_maxrss of the import subprocess (interpreter and "
        "libraries included)",
    }
    notes.update(res.pop("_notes"))
    details = res.pop("_details")
    reason = pg_skip_reason(cfg)
    if reason:
        res.update({"import_100k_seconds_pg": None, "import_100k_peak_rss_mb_pg": None})
        notes["import_100k_seconds_pg"] = f"skipped: {reason}"
    else:
        pg = _runs(cfg, big, postgres=True, naive=False)
        res.update(_summarise("import_100k", "_pg", pg, imported))
        notes["import_100k_seconds_pg"] = f"throw-away PostgreSQL cluster, median of {len(pg)}"
    res["_notes"] = notes
    res["_details"] = {"import_export_messages": cfg.import_n, "import_runs": ours, **details}
    return res


def _naive(cfg: BenchConfig) -> dict[str, Any]:
    """The row-by-row baseline on a subset, extrapolated linearly; ours on the same subset."""
    small = export_file(cfg, cfg.naive_import_n)
    naive = _runs(cfg, small, postgres=False, naive=True)
    ours = _runs(cfg, small, postgres=False, naive=False)
    n_naive = naive[0]["imported"]
    n_ours = ours[0]["imported"]
    naive_s = median([r["seconds"] for r in naive])
    ours_s = median([r["seconds"] for r in ours])
    scale = cfg.import_n / cfg.naive_import_n
    sub = f"{cfg.naive_import_n // 1000}k" if cfg.naive_import_n >= 1000 else cfg.naive_import_n
    return {
        "naive_import_100k_seconds": naive_s * scale,
        "naive_import_subset_seconds": naive_s,
        "naive_import_subset_msgs_per_s": n_naive / naive_s,
        "import_subset_seconds": ours_s,
        "import_subset_msgs_per_s": n_ours / ours_s,
        "import_speedup_vs_naive": naive_s / ours_s,
        "_details": {"naive_import_runs": naive, "subset_import_runs": ours},
        "_notes": {
            "naive_import_100k_seconds": f"row-by-row ORM, commit per row; measured on a "
            f"{sub}-message export (median of {len(naive)}) and extrapolated x{scale:g}",
            "import_speedup_vs_naive": f"same {sub}-message export, same parser, same run",
        },
    }
