"""Every table of the store, in one file.

Timestamps are timezone-aware UTC (`UTCDateTime` restores the zone SQLite drops). The current
classification of a message is denormalised onto `Message` (label, confidence, needs_review) so the
inbox can filter and count 100,000 rows through indexes; the full history stays in
`Classification`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime stored as UTC; naive values are taken to be UTC."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def _ts(*, index: bool = False, nullable: bool = True, default_now: bool = False) -> Any:
    kwargs: dict[str, Any] = {}
    if default_now:
        kwargs["default_factory"] = utcnow
    return Field(sa_column=sa.Column(UTCDateTime(), index=index, nullable=nullable), **kwargs)


def _json(default: Any = None) -> Any:
    factory = (lambda: default.copy()) if isinstance(default, (dict, list)) else (lambda: default)
    return Field(default_factory=factory, sa_column=sa.Column(sa.JSON(), nullable=True))


def _text(*, nullable: bool = True) -> Any:
    return Field(
        default="" if not nullable else None, sa_column=sa.Column(sa.Text(), nullable=nullable)
    )


# --- people and threads -------------------------------------------------------------------------


class Sender(SQLModel, table=True):
    """Someone who wrote to the user (or the user themself, `is_self`)."""

    id: int | None = Field(default=None, primary_key=True)
    #: Stable identity: normalised profile URL, else e-mail address, else "name:<name>".
    key: str = Field(max_length=512, sa_column_kwargs={"unique": True}, index=True)
    name: str = Field(default="", max_length=300, index=True)
    profile_url: str | None = Field(default=None, max_length=512)
    email: str | None = Field(default=None, max_length=320)
    headline: str | None = Field(default=None, max_length=500)
    #: neutral | allowed | blocked
    status: str = Field(default="neutral", max_length=16, index=True)
    is_self: bool = Field(default=False)
    first_seen: datetime | None = _ts()
    last_seen: datetime | None = _ts()
    created_at: datetime = _ts(nullable=False, default_now=True)


class Conversation(SQLModel, table=True):
    __table_args__ = (sa.UniqueConstraint("source", "source_id", name="uq_conversation_source"),)

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=32)
    source_id: str = Field(max_length=512)
    title: str | None = Field(default=None, max_length=500)
    #: Where the user can open the thread (LinkedIn messaging URL), if known.
    url: str | None = Field(default=None, max_length=1000)
    #: True once the user wrote in this conversation: it is never auto-declined.
    user_participated: bool = Field(default=False, index=True)
    last_message_at: datetime | None = _ts(index=True)
    created_at: datetime = _ts(nullable=False, default_now=True)


# --- messages and what we concluded ---------------------------------------------------------------


class Message(SQLModel, table=True):
    __table_args__ = (
        sa.UniqueConstraint("source", "source_id", name="uq_message_source"),
        sa.Index("ix_message_direction_sent_at", "direction", "sent_at"),
        sa.Index("ix_message_label_sent_at", "label", "sent_at"),
        #: Covers the dashboard's "waiting for review" count (open inbound, low confidence).
        sa.Index("ix_message_status_review", "status", "needs_review", "direction"),
        #: Covers the dashboard's period aggregates (weeks x label, senders, campaigns, handled):
        #: SQLite then never reads the wide rows, whose later columns sit behind body and raw.
        sa.Index(
            "ix_message_dashboard",
            "direction",
            "sent_at",
            "label",
            "sender_id",
            "status",
            "triage_status",
            "template_hash",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    #: linkedin | email | imap | paste | jsonl | csv | demo
    source: str = Field(max_length=32, index=True)
    source_id: str = Field(max_length=512)
    conversation_id: int | None = Field(default=None, foreign_key="conversation.id", index=True)
    sender_id: int | None = Field(default=None, foreign_key="sender.id", index=True)
    #: in | out
    direction: str = Field(default="in", max_length=3)
    sent_at: datetime | None = _ts(index=True)
    subject: str | None = _text()
    body: str = _text(nullable=False)
    #: The record as read (CSV row, mail headers + body), so nothing is lost.
    raw: str | None = _text()
    #: sha256 of the normalised body (classification cache key).
    content_hash: str = Field(max_length=64, index=True)
    #: Fingerprint of the text with names, numbers and links removed (mass-outreach detection).
    template_hash: str | None = Field(default=None, max_length=64, index=True)
    language: str | None = Field(default=None, max_length=8)
    #: E-mail threading (Message-ID, References) and where an e-mail reply should go.
    email_message_id: str | None = Field(default=None, max_length=998)
    email_references: str | None = _text()
    reply_to: str | None = Field(default=None, max_length=320)
    imported_at: datetime = _ts(nullable=False, default_now=True)
    #: new -> triaging -> triaged | failed (inbound only).
    triage_status: str = Field(default="new", max_length=16, index=True)
    #: Current classification (denormalised from the latest `Classification`).
    label: str | None = Field(default=None, max_length=16, index=True)
    confidence: float | None = None
    needs_review: bool = Field(default=False, index=True)
    classification_id: int | None = None
    #: open | answered | handled | snoozed | archived (the user's view of the message).
    status: str = Field(default="open", max_length=16, index=True)
    snoozed_until: datetime | None = _ts()


class Classification(SQLModel, table=True):
    """Every classification ever made; the latest for a message is the current one."""

    id: int | None = Field(default=None, primary_key=True)
    message_id: int = Field(foreign_key="message.id", index=True)
    label: str = Field(max_length=16)
    confidence: float
    reasons: list[str] = _json([])
    signals: dict[str, Any] = _json({})
    #: rules | offline | llm | llm_cache | template_reuse | safety | user
    method: str = Field(max_length=24)
    model: str | None = Field(default=None, max_length=200)
    prompt_name: str | None = Field(default=None, max_length=100)
    prompt_version: int | None = None
    needs_review: bool = False
    created_at: datetime = _ts(nullable=False, default_now=True)


class Draft(SQLModel, table=True):
    __table_args__ = (
        sa.Index("ix_draft_status_created", "status", "created_at"),
        #: Covers "messages with a pending draft" without reading the draft rows.
        sa.Index("ix_draft_status_message", "status", "message_id"),
        #: Partial: the few auto-approved drafts (an index on the flag itself would tempt
        #: SQLite into scanning every draft for `auto_approved = 0`).
        sa.Index(
            "ix_draft_auto_approved_message",
            "message_id",
            sqlite_where=sa.text("auto_approved = 1"),
            postgresql_where=sa.text("auto_approved"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    message_id: int = Field(foreign_key="message.id", index=True)
    #: decline | decline_firm | report_note | reply | followup
    kind: str = Field(max_length=16)
    text: str = _text(nullable=False)
    #: The label the draft was written for.
    label: str | None = Field(default=None, max_length=16)
    language: str | None = Field(default=None, max_length=8)
    template_name: str | None = Field(default=None, max_length=100)
    template_version: int | None = None
    #: offline | llm
    method: str = Field(default="offline", max_length=16)
    #: pending | approved | rejected | sent | superseded
    status: str = Field(default="pending", max_length=16, index=True)
    edited: bool = False
    auto_approved: bool = False
    lint_ok: bool = True
    lint_problems: list[str] = _json([])
    reject_reason: str | None = Field(default=None, max_length=500)
    created_at: datetime = _ts(nullable=False, default_now=True)
    updated_at: datetime = _ts(nullable=False, default_now=True)
    approved_at: datetime | None = _ts()
    sent_at: datetime | None = _ts()


class Delivery(SQLModel, table=True):
    """The outbox: one row per approved reply. approved -> sending -> sent | failed (retries)."""

    id: int | None = Field(default=None, primary_key=True)
    draft_id: int = Field(foreign_key="draft.id", sa_column_kwargs={"unique": True})
    #: linkedin (manual: copy, open conversation, mark sent) | email (SMTP)
    channel: str = Field(max_length=16)
    #: approved | sending | sent | failed | manual | uncertain (see responder.channels.outbox)
    state: str = Field(default="approved", max_length=16, index=True)
    attempts: int = 0
    next_attempt_at: datetime | None = _ts(index=True)
    last_error: str | None = _text()
    #: Message-ID we gave the outgoing mail (set before sending: lets a restart reconcile).
    outgoing_message_id: str | None = Field(default=None, max_length=998)
    claimed_by: str | None = Field(default=None, max_length=100)
    claimed_at: datetime | None = _ts()
    created_at: datetime = _ts(nullable=False, default_now=True)
    updated_at: datetime = _ts(nullable=False, default_now=True)
    sent_at: datetime | None = _ts()


class FollowUp(SQLModel, table=True):
    """A thing to do later. The store is the source of truth; the worker acts on due rows."""

    __table_args__ = (sa.Index("ix_followup_status_due", "status", "due_at"),)

    id: int | None = Field(default=None, primary_key=True)
    message_id: int | None = Field(default=None, foreign_key="message.id", index=True)
    sender_id: int | None = Field(default=None, foreign_key="sender.id", index=True)
    #: reminder | escalate | snooze | digest
    kind: str = Field(max_length=16)
    due_at: datetime = _ts(nullable=False)
    #: pending | claimed | done | cancelled
    status: str = Field(default="pending", max_length=16)
    claimed_by: str | None = Field(default=None, max_length=100)
    claimed_at: datetime | None = _ts()
    note: str | None = _text()
    created_at: datetime = _ts(nullable=False, default_now=True)
    done_at: datetime | None = _ts()


class Correction(SQLModel, table=True):
    """The user's relabels: feedback data for retraining and few-shot examples."""

    id: int | None = Field(default=None, primary_key=True)
    message_id: int = Field(foreign_key="message.id", index=True)
    old_label: str | None = Field(default=None, max_length=16)
    new_label: str = Field(max_length=16)
    note: str | None = _text()
    created_at: datetime = _ts(nullable=False, default_now=True)


class PromptVersion(SQLModel, table=True):
    """A user edit of a prompt template; the highest active version wins over the shipped file.
    An edit is saved as a draft (`is_draft`, not active) until the user activates it."""

    __table_args__ = (sa.UniqueConstraint("name", "version", name="uq_prompt_version"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, index=True)
    version: int
    #: The whole template as YAML text.
    body: str = _text(nullable=False)
    author: str = Field(default="user", max_length=100)
    note: str | None = _text()
    #: Used by the library when it is the highest active version. A draft is never active.
    is_active: bool = True
    #: Saved but not activated yet: previewed and tested in the app, used by nothing.
    is_draft: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    created_at: datetime = _ts(nullable=False, default_now=True)


# --- app state --------------------------------------------------------------------------------------


class Preference(SQLModel, table=True):
    """Settings the user changed in the app (never secrets); they override the TOML defaults."""

    key: str = Field(primary_key=True, max_length=100)
    value: Any = _json(None)
    updated_at: datetime = _ts(nullable=False, default_now=True)


class Task(SQLModel, table=True):
    """Long work (import, bulk triage, retrain) that the worker runs and the app polls."""

    id: int | None = Field(default=None, primary_key=True)
    #: import | triage | reclassify | train
    kind: str = Field(max_length=24)
    params: dict[str, Any] = _json({})
    #: queued | running | done | failed
    status: str = Field(default="queued", max_length=16, index=True)
    done: int = 0
    total: int | None = None
    message: str | None = _text()
    result: dict[str, Any] | None = _json(None)
    claimed_by: str | None = Field(default=None, max_length=100)
    created_at: datetime = _ts(nullable=False, default_now=True)
    started_at: datetime | None = _ts()
    finished_at: datetime | None = _ts()


class WorkerHeartbeat(SQLModel, table=True):
    name: str = Field(primary_key=True, max_length=100)
    pid: int | None = None
    host: str | None = Field(default=None, max_length=255)
    started_at: datetime = _ts(nullable=False, default_now=True)
    last_seen: datetime = _ts(nullable=False, default_now=True)


class JobRun(SQLModel, table=True):
    """When each scheduled job last ran and how it went (shown in the app)."""

    job_id: str = Field(primary_key=True, max_length=100)
    last_started_at: datetime | None = _ts()
    last_finished_at: datetime | None = _ts()
    last_status: str | None = Field(default=None, max_length=16)
    last_error: str | None = _text()
    runs: int = 0


class Event(SQLModel, table=True):
    """Things the user should be able to see happened: LLM fallbacks, send failures, imports."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _ts(nullable=False, default_now=True, index=True)
    #: info | warning | error
    level: str = Field(default="info", max_length=8)
    kind: str = Field(max_length=40, index=True)
    message_id: int | None = Field(default=None, index=True)
    detail: str = _text(nullable=False)


class ImportedSource(SQLModel, table=True):
    """Idempotency for sources without a natural id per message (IMAP UIDs per folder)."""

    __table_args__ = (sa.UniqueConstraint("source", "key", name="uq_imported_source"),)

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=32)
    key: str = Field(max_length=512)
    created_at: datetime = _ts(nullable=False, default_now=True)
