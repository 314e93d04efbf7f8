"""Responder: triage, draft and follow up on unwanted LinkedIn and e-mail messages."""

__version__ = "0.1.0"
