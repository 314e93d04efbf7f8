"""Page render times with Streamlit's AppTest, in a process of its own.

    RESPONDER_DATABASE_URL=... python -m bench.ui_child --page ui/pages/inbox.py --runs 3

Prints one JSON object:
- cold_s: the first run in this process (imports, engine, migration check, empty caches);
- render_s: each later run with `st.cache_data` cleared first (a warm server process, but no
  cached data: what a user waits for after new data arrived);
- cached_s: each later run with the data caches as the previous run left them.
A run that raised or rendered an error element is reported as failed, not timed.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from typing import Any


def _run(page: str, timeout: float) -> float:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(page, default_timeout=timeout)
    start = time.perf_counter()
    at.run()
    seconds = time.perf_counter() - start
    problems = [str(e.value) for e in at.exception] + [str(e.value) for e in at.error]
    if problems:
        raise RuntimeError(f"{page} rendered with errors: {problems[:3]}")
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ui_child")
    parser.add_argument("--page", required=True)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=120)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    import streamlit as st

    result: dict[str, Any] = {"cold_s": _run(args.page, args.timeout)}
    result["render_s"] = []
    for _ in range(args.runs):
        st.cache_data.clear()
        result["render_s"].append(_run(args.page, args.timeout))
    result["cached_s"] = [_run(args.page, args.timeout) for _ in range(args.runs)]
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
