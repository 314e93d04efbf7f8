"""followups."""
