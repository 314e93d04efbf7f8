"""The store: every table (`models`), engine and sessions (`db`), Alembic migrations, row claims,
events, stored preferences and the queue of long tasks. Imports nothing above it.
"""
