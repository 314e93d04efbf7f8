"""Follow-ups: reminder and escalation rules run after triage (`rules`), what is due (`due`), and
business hours in the user's time zone.
"""
