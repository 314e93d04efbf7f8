"""The worker process: the APScheduler scheduler, its jobs, the runner of queued long tasks and IMAP
polling. Nothing else starts a scheduler.
"""
