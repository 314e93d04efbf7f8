"""The naive import baseline: the project's own LinkedIn parser, then one ORM round trip per
row with a commit per row (look up or add the sender, the conversation and the message, commit).

This is what a straightforward first version would do; `responder.ingest.store` batches 500 rows
per transaction with Core executemany instead. Both parse with the same code, so the ratio
measures the storage strategy.
"""

from __future__ import annotations

from itertools import islice
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from responder.ingest.base import ParsedMessage, content_hash, normalize_profile_url
from responder.store.models import Conversation, Message, Sender


def _sender(session: Session, pm: ParsedMessage) -> Sender:
    key = normalize_profile_url(pm.sender_profile_url) or "name:" + pm.sender_name.casefold()
    sender = session.exec(select(Sender).where(Sender.key == key)).first()
    if sender is None:
        sender = Sender(key=key, name=pm.sender_name, profile_url=pm.sender_profile_url)
        session.add(sender)
        session.flush()
    sender.first_seen = sender.first_seen or pm.sent_at
    sender.last_seen = pm.sent_at
    return sender


def _conversation(session: Session, pm: ParsedMessage) -> Conversation | None:
    if not pm.conversation_id:
        return None
    conv = session.exec(
        select(Conversation).where(
            Conversation.source == pm.source, Conversation.source_id == pm.conversation_id
        )
    ).first()
    if conv is None:
        conv = Conversation(
            source=pm.source,
            source_id=pm.conversation_id,
            title=pm.conversation_title,
            url=pm.conversation_url,
        )
        session.add(conv)
        session.flush()
    conv.user_participated = conv.user_participated or bool(pm.is_from_owner)
    conv.last_message_at = pm.sent_at
    return conv


def naive_import(*, engine: Engine, path: Path, limit: int | None = None) -> int:
    """Import the first `limit` messages of a LinkedIn export row by row; returns how many."""
    from responder.ingest.linkedin_export import iter_linkedin

    items, _total, _owner, _display = iter_linkedin(path)
    imported = 0
    with Session(engine) as session:
        for pm in islice((i for i in items if isinstance(i, ParsedMessage)), limit):
            exists = session.exec(
                select(Message.id).where(
                    Message.source == pm.source, Message.source_id == pm.source_id
                )
            ).first()
            if exists is not None:
                continue
            sender = _sender(session, pm)
            conv = _conversation(session, pm)
            out = bool(pm.is_from_owner)
            session.add(
                Message(
                    source=pm.source,
                    source_id=pm.source_id,
                    conversation_id=conv.id if conv else None,
                    sender_id=sender.id,
                    direction="out" if out else "in",
                    sent_at=pm.sent_at,
                    subject=pm.subject,
                    body=pm.body,
                    raw=pm.raw,
                    content_hash=content_hash(pm.body),
                    triage_status="skipped" if out else "new",
                    status="handled" if out else "open",
                )
            )
            session.commit()
            imported += 1
    return imported
