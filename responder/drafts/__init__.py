"""Drafting: the drafter (LLM or offline templates), the context a draft is written from, lint, batch
drafting for the CLI, and `lifecycle`, the one place that writes, supersedes and re-lints drafts.
"""
