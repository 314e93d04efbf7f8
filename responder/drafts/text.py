"""Text helpers of the drafter: cleaning a model's answer, the offline fallback re-localised,
the form-letter check, and the choice of an offline phrasing that differs from the last draft."""

from __future__ import annotations

import re
from typing import Any

from sqlmodel import Session, col, select

from responder.drafts.context import greeting, localized_signature
from responder.drafts.offer import general_phrase
from responder.settings import Settings
from responder.store.models import Draft, Message


def clean_model_text(text: str) -> str:
    """Strip what models wrap replies in: code fences, surrounding quotes, 'Reply:' labels."""
    text = (text or "").strip()
    text = re.sub(r"^```[a-zA-Z]*\n(.*)\n```$", r"\1", text, flags=re.S).strip()
    text = re.sub(
        r"^(?:reply|draft|answer|antwort|réponse|respuesta)\s*:\s*\n", "", text, flags=re.I
    )
    if len(text) > 1 and text[0] == text[-1] and text[0] in "\"'“”":
        text = text[1:-1].strip()
    return re.sub(r"\n{3,}", "\n\n", text)


def variables_for_language(
    variables: dict[str, Any], language: str, settings: Settings
) -> dict[str, Any]:
    """A plan's variables re-localised for the offline fallback language."""

    lang = language
    out = dict(variables)
    out["language"] = lang
    if "offer" in out:  # a specific offer was phrased in the message's language
        out["offer"] = general_phrase(label=str(out.get("label", "")), language=lang)
    out["greeting"] = greeting(
        language=lang, tone=settings.profile.tone, sender_name=out["sender_name"]
    )
    out["signature"] = localized_signature(
        settings.profile.signature,
        language=lang,
        profile_language=settings.profile.language,
        name=settings.profile.name,
    )
    return out


def content_text(answer: Any) -> str:
    content = getattr(answer, "content", answer)
    if isinstance(content, list):
        return "".join(p.get("text", "") if isinstance(p, dict) else str(p) for p in content)
    return str(content or "")


def is_form_letter(*, session: Session, message: Message, template_kind: str) -> bool:
    """A decline to mass outreach (its template fingerprint was already seen in another message)
    is written from the offline text: a bespoke model reply to a form letter costs a call and
    adds nothing. Unique messages, and regenerate in the app, still use the model."""
    if template_kind not in {"decline", "decline_firm"} or not message.template_hash:
        return False
    stmt = (
        select(Message.id)
        .where(Message.template_hash == message.template_hash, Message.id != message.id)
        .limit(1)
    )
    return session.exec(stmt).first() is not None


def last_draft_text(*, session: Session, message: Message) -> str | None:
    """The text of the message's newest draft (any status), or None."""
    if message.id is None:
        return None
    stmt = (
        select(Draft.text)
        .where(Draft.message_id == message.id)
        .order_by(col(Draft.id).desc())
        .limit(1)
    )
    return session.exec(stmt).first()


def next_variant(texts: list[str], previous: str | None) -> int:
    """The phrasing to use: the first one, or the one after the phrasing of the previous draft
    (Regenerate then gives a real alternative while there is one)."""
    if previous is None:
        return 0
    for i, text in enumerate(texts):
        if text.strip() == previous.strip():
            return (i + 1) % len(texts)
    return 0
