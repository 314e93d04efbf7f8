"""Where the generated LinkedIn exports come from."""

from __future__ import annotations

from pathlib import Path


def write_export(path: Path, *, n: int, seed: int) -> Path:
    """Write a generated `n`-message LinkedIn messages.csv to `path`."""
    from bench.gen_inbox import generate_inbox, write_linkedin_csv

    return write_linkedin_csv(generate_inbox(n, pitch_share=0.3, seed=seed), path)
