"""Triage: classify new messages, apply the policy, draft (`pipeline`, with relabel and regenerate);
the policy itself (`policy`); what the user decides about drafts (`review`).
"""
