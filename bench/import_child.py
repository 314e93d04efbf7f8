"""One import in its own process, so its peak RSS is the import's own.

    python -m bench.import_child --url URL --path messages.csv [--naive] [--limit N]

Prints one JSON object: seconds (the import call only), imported, peak_rss_mb (ru_maxrss of this
process: interpreter + libraries + the import), start_rss_mb (RSS just before the import began).
The database must already be migrated. `--naive` runs the row-by-row baseline instead.
"""

from __future__ import annotations

import argparse
import json
import logging
import resource
import sys
import time
from pathlib import Path

import psutil


def _rss_mb() -> float:
    return psutil.Process().memory_info().rss / 2**20


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.import_child")
    parser.add_argument("--url", required=True)
    parser.add_argument("--path", required=True, type=Path)
    parser.add_argument("--workdir", required=True, type=Path)
    parser.add_argument("--naive", action="store_true")
    parser.add_argument("--limit", type=int, default=None)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)

    from bench.common import make_settings
    from responder.store.db import make_engine

    settings = make_settings(args.workdir, args.url)
    engine = make_engine(args.url, settings=settings)
    if args.naive:
        from bench.naive_import import naive_import

        run = lambda: naive_import(engine=engine, path=args.path, limit=args.limit)  # noqa: E731
    else:
        from responder.ingest.importer import import_path

        run = lambda: import_path(engine=engine, path=args.path, settings=settings)  # noqa: E731
    start_rss = _rss_mb()
    start = time.perf_counter()
    summary = run()
    seconds = time.perf_counter() - start
    engine.dispose()
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux
    result = {
        "seconds": seconds,
        "imported": int(getattr(summary, "imported", summary)),
        "skipped": int(getattr(summary, "skipped", 0)),
        "peak_rss_mb": peak_kb / 1024,
        "start_rss_mb": start_rss,
    }
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
