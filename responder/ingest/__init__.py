"""Ingest: one parser module per source; `importer` is the entry point for files and text."""
