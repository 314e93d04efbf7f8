"""Services the UI and the CLI call: inbox, dashboard, senders, campaigns, follow-up board, prompt
preview, LLM connection check, doctor, streamed regeneration.
"""
