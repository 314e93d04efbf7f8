"""LinkedIn is a manual channel: members have no messaging API. An approved reply waits in the
app (outbox state "manual") with its text to copy and the conversation link; the user sends it on
LinkedIn and marks it sent (`responder.triage.review.mark_sent`)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from responder.errors import NotFoundError
from responder.store.models import Conversation, Delivery, Draft, Message, Sender

MESSAGING_URL = "https://www.linkedin.com/messaging/"


@dataclass(frozen=True)
class ManualReply:
    delivery_id: int
    draft_id: int
    message_id: int
    text: str
    recipient: str
    #: Where to paste the text: the conversation when known, else the messaging page. Shown as
    #: plain text or a link the app builds itself; it is never taken from message content.
    conversation_url: str


def manual_reply(*, session: Session, delivery_id: int) -> ManualReply:
    """What the app shows for a LinkedIn reply the user sends by hand."""
    delivery = session.get(Delivery, delivery_id)
    if delivery is None:
        raise NotFoundError(f"Outbox item {delivery_id} does not exist.")
    draft = session.get(Draft, delivery.draft_id)
    message = session.get(Message, draft.message_id) if draft else None
    if draft is None or message is None:
        raise NotFoundError(f"The draft of outbox item {delivery_id} is gone.")
    sender = session.get(Sender, message.sender_id) if message.sender_id else None
    conv = session.get(Conversation, message.conversation_id) if message.conversation_id else None
    url = conv.url if conv and conv.url and conv.url.startswith(MESSAGING_URL) else MESSAGING_URL
    return ManualReply(
        delivery_id=delivery_id,
        draft_id=draft.id,  # type: ignore[arg-type]
        message_id=message.id,  # type: ignore[arg-type]
        text=draft.text,
        recipient=(sender.name or sender.key) if sender else "",
        conversation_url=url,
    )
