"""`make bench`: reproducible benchmarks on generated data (fixed seeds, nothing from the internet).

One module per benchmark (`import_bench`, `classify_bench`, `triage_bench`, `llm_bench`,
`ui_bench`), each a function `bench_<name>(cfg: BenchConfig) -> dict` of metrics, plus `_notes`
(how each number was measured) and `_details`. `python -m bench` runs them and writes
`bench/results.json` and `bench/results.md`.
"""
