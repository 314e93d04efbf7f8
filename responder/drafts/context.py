"""The variables a drafting template is rendered with: who writes, to whom, in which language,
and for report notes the evidence (all facts from the store, links defanged).

Sender names are untrusted too (a display name can carry an instruction), so only a plausible
name is used in greetings; the raw message reaches the model only inside `message_block`.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from responder.classify.signals import defang, extract_links
from responder.drafts.lint import LANGUAGE_NAMES, URL_RE
from responder.drafts.offer import offer_phrase
from responder.prompts.library import delimit_untrusted
from responder.settings import Settings
from responder.store.models import Conversation, Draft, Message, Sender
from responder.taxonomy import DraftKind, Label

EMAIL_SOURCES = frozenset({"email", "imap"})
MAX_MODEL_CHARS = 6000

_GREETINGS: dict[str, dict[str, tuple[str, str]]] = {
    # language -> tone -> (with name, without name)
    "en": {
        "friendly": ("Hi {first},", "Hi there,"),
        "neutral": ("Hello {first},", "Hello,"),
        "formal": ("Dear {full},", "Good day,"),
    },
    "de": {
        "friendly": ("Hallo {first},", "Guten Tag,"),
        "neutral": ("Hallo {first},", "Guten Tag,"),
        "formal": ("Guten Tag {full},", "Guten Tag,"),
    },
    "fr": {
        "friendly": ("Bonjour {first},", "Bonjour,"),
        "neutral": ("Bonjour {first},", "Bonjour,"),
        "formal": ("Bonjour {full},", "Madame, Monsieur,"),
    },
    "es": {
        "friendly": ("Hola, {first}:", "Buenos días:"),
        "neutral": ("Hola, {first}:", "Buenos días:"),
        "formal": ("Buenos días, {full}:", "Buenos días:"),
    },
}
_CLOSINGS = {
    "en": "Best regards,",
    "de": "Viele Grüße",
    "fr": "Bien cordialement,",
    "es": "Saludos cordiales,",
}
_KNOWN_CLOSINGS = re.compile(
    r"^(?:best regards|kind regards|regards|best wishes|all the best|best|cheers|many thanks|"
    r"thanks|sincerely|yours sincerely|viele grüße|beste grüße|freundliche grüße|"
    r"mit freundlichen grüßen|liebe grüße|lg|bien cordialement|cordialement|bien à vous|"
    r"salutations|saludos cordiales|saludos|un saludo|un cordial saludo|atentamente)\s*[,.!]?\s*$",
    re.I,
)
_CONJUNCTION = {"en": "or", "de": "oder", "fr": "ou", "es": "o"}
_NAME_RE = re.compile(r"^[^\W\d_][^\W\d_'’.\- ]*(?:[ '’.\-]+[^\W\d_]+){0,3}\.?$")


def plausible_name(raw: str | None) -> str:
    """The sender's display name if it looks like a name (letters, at most four parts), else ''."""
    name = re.sub(r"\s+", " ", (raw or "").strip())
    name = re.sub(r"\s+via LinkedIn$", "", name, flags=re.I)
    if not name or len(name) > 60 or not _NAME_RE.match(name):
        return ""
    return name


def greeting(*, language: str, tone: str, sender_name: str) -> str:
    table = _GREETINGS.get(language, _GREETINGS["en"])
    with_name, without = table.get(tone, table["neutral"])
    first = sender_name.split(" ")[0] if sender_name else ""
    if not sender_name:
        return without
    return with_name.format(first=first, full=sender_name)


def localized_signature(
    signature: str, *, language: str, profile_language: str, name: str = ""
) -> str:
    """The user's signature with a known closing line translated to `language`.

    Without a signature: the closing line in `language` and the first name of `name`; without a
    name either, nothing (a draft is never signed with an invented name)."""
    if not signature.strip():
        first = name.strip().split(" ")[0] if name.strip() else ""
        return f"{_CLOSINGS.get(language, _CLOSINGS['en'])}\n{first}" if first else ""
    lines = signature.strip().splitlines()
    if language == profile_language or not lines or language not in _CLOSINGS:
        return signature.strip()
    if _KNOWN_CLOSINGS.match(lines[0].strip()):
        lines[0] = _CLOSINGS[language]
    return "\n".join(lines)


def channel_of(message: Message) -> str:
    return "email" if message.source in EMAIL_SOURCES else "linkedin"


def _fmt(ts: datetime | None, *, time: bool = False) -> str:
    if ts is None:
        return "unknown"
    ts = ts.astimezone(UTC)
    return ts.strftime("%Y-%m-%d %H:%M UTC") if time else ts.strftime("%Y-%m-%d")


def previous_declines(*, session: Session, message: Message) -> int:
    """Declines the user approved or sent to this sender for other messages."""
    if message.sender_id is None:
        return 0
    stmt = (
        select(func.count())
        .select_from(Draft)
        .join(Message, col(Message.id) == col(Draft.message_id))
        .where(
            Message.sender_id == message.sender_id,
            col(Draft.message_id) != message.id,
            col(Draft.kind).in_([DraftKind.DECLINE, DraftKind.DECLINE_FIRM]),
            col(Draft.status).in_(["approved", "sent"]),
        )
    )
    return int(session.exec(stmt).one())


def message_block(*, message: Message, sender_name: str, boundary: str, settings: Settings) -> str:
    """The message as delimited untrusted data (sender, subject, links only in privacy mode)."""
    header = f"From: {(sender_name or 'unknown')[:100]}\n"
    if message.subject:
        header += f"Subject: {message.subject[:300]}\n"
    if settings.llm.privacy_mode:
        links = ", ".join(defang(link.url) for link in extract_links(message.body)) or "none"
        body = f"(privacy mode: body withheld)\nLinks: {links}"
    else:
        # Links are defanged: a model that copies one cannot hand the sender a clickable link.
        body = defang(message.body[:MAX_MODEL_CHARS])
    return delimit_untrusted(header + "\n" + body, boundary=boundary)


def base_variables(
    *,
    session: Session,
    message: Message,
    label: str,
    settings: Settings,
    language: str,
    boundary: str,
    sender: Sender | None = None,
    declines: int | None = None,
) -> dict[str, Any]:
    """Every variable of a drafting template except the report-note evidence. `sender` stands in
    for a message that is not stored (previews, `responder draft FILE`)."""
    profile = settings.profile
    sender = sender_of(session=session, message=message, sender=sender)
    raw_name = sender.name if sender else ""
    name = plausible_name(raw_name)
    never_buy = ""
    if language == profile.language and profile.never_buy:
        items = list(profile.never_buy)
        conj = _CONJUNCTION.get(language, "or")
        never_buy = items[0] if len(items) == 1 else f"{', '.join(items[:-1])} {conj} {items[-1]}"
    sent_at = message.sent_at or message.imported_at
    waiting = (datetime.now(UTC) - sent_at).days if sent_at else 0
    return {
        "user_name": profile.name or "the user",
        "user_first_name": profile.name.split(" ")[0] if profile.name else "",
        "signature": localized_signature(
            profile.signature,
            language=language,
            profile_language=profile.language,
            name=profile.name,
        ),
        "tone": profile.tone,
        "greeting": greeting(language=language, tone=profile.tone, sender_name=name),
        "sender_name": name,
        "sender_first_name": name.split(" ")[0] if name else "",
        "language": language,
        "language_name": LANGUAGE_NAMES.get(language, language),
        "label": label,
        "channel": channel_of(message),
        "never_buy": never_buy,
        "previous_declines": (
            declines
            if declines is not None
            else previous_declines(session=session, message=message)
        ),
        "days_waiting": max(0, waiting),
        "offer": offer_phrase(message.body, label=label, language=language)[0],
        "boundary": boundary,
        "message_block": message_block(
            message=message, sender_name=raw_name, boundary=boundary, settings=settings
        ),
    }


# --- report-note evidence -------------------------------------------------------------------------

_THREAT_RE = re.compile(
    r"\b(?:kill|hurt|beat you|find you|know where you live|you(?:'ll| will) regret|destroy you|"
    r"watch your back|umbringen|töten|ich finde dich|weiß, wo du wohnst|je vais te|tuer|"
    r"te voy a|matar|sé dónde vives)\b",
    re.I,
)
_HATE_RE = re.compile(
    r"\b(?:your kind|go back to (?:your|where)|subhuman|vermin|untermensch|"
    r"people like you don't belong|sale race|raza)\b",
    re.I,
)
_EVIDENCE_RE = re.compile(
    r"password|passwort|mot de passe|contraseña|verif|login|log in|sign in|account|konto|compte|"
    r"cuenta|bank|iban|card|karte|carte|tarjeta|pay|zahl|paie|pago|fee|gebühr|frais|transfer|"
    r"überweis|virement|crypto|krypto|bitcoin|usdt|wallet|gift ?card|whatsapp|telegram|signal|"
    r"urgent|dringend|urgente|immediately|sofort|suspend|gesperrt|bloqu|prize|gewinn|gagn|premio|"
    r"invest|profit|rendite|won|winner|click|klick|cliquez|haga clic|phone|telefon|téléphone|"
    r"teléfono|full name|funds|money|geld|argent|dinero|inherit|erbe|héritage|herencia|"
    r"\$|€|£|photo|pictures|bilder",
    re.I,
)


def report_reasons(*, label: str, text: str, other_senders: int) -> tuple[str, list[str]]:
    """The LinkedIn report reason to pick and others that also fit."""
    extra: list[str] = []
    if label == Label.HARASSMENT:
        if _THREAT_RE.search(text):
            reason, extra = "Threats or violence", ["Harassment"]
        elif _HATE_RE.search(text):
            reason, extra = "Hateful speech", ["Harassment"]
        else:
            reason = "Harassment"
    else:
        reason = "Fraud or scam"
        extra = ["Spam"] if other_senders else []
    if other_senders:
        extra.append("Fake account")
    return reason, extra


def quoted_lines(text: str, *, limit: int = 3, width: int = 200) -> list[str]:
    """The most telling lines of the message (links, money, log-ins, threats), defanged."""
    parts = [p.strip() for p in re.split(r"\n+|(?<=[.!?])\s+(?=[A-ZÄÖÜÉ¡¿])", text or "")]
    parts = [p for p in parts if len(p) > 3]
    scored = []
    for i, part in enumerate(parts):
        score = 3 * bool(re.search(r"https?://|www\.|\.[a-z]{2,}/", part, re.I))
        score += 2 * min(3, len(_EVIDENCE_RE.findall(part))) + 2 * bool(_THREAT_RE.search(part))
        score += bool(_HATE_RE.search(part)) * 2 + ("!" in part)
        scored.append((score, i, part))
    best = sorted(scored, key=lambda t: (-t[0], t[1]))[:limit]
    out = []
    for _, _, part in sorted(best, key=lambda t: t[1]):
        part = part if len(part) <= width else part[: width - 1].rstrip() + "…"
        out.append(defang_thoroughly(part))
    return out


def defang_thoroughly(text: str) -> str:
    """`signals.defang`, then again on each link-like token it left live (malformed schemes
    such as `https:/host` or `http/host` hide the host from it)."""

    return URL_RE.sub(lambda m: defang(m.group(0)), defang(text))


def sender_history(*, session: Session, message: Message) -> tuple[int, str, str]:
    """(messages from this sender, first date, latest date)."""
    if message.sender_id is None:
        day = _fmt(message.sent_at)
        return 1, day, day
    when = func.coalesce(Message.sent_at, Message.imported_at)
    stmt = select(func.count(), func.min(when), func.max(when)).where(
        Message.sender_id == message.sender_id, Message.direction == "in"
    )
    count, first, last = session.exec(stmt).one()
    fallback = message.sent_at or message.imported_at
    return max(int(count or 0), 1), _fmt(_aware(first) or fallback), _fmt(_aware(last) or fallback)


def _aware(value: Any) -> datetime | None:
    """Aggregates bypass the column type: SQLite returns naive datetimes or strings."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def other_senders(*, session: Session, message: Message) -> int:
    """How many other senders sent the same text (same template fingerprint or content)."""
    same = [Message.content_hash == message.content_hash]
    if message.template_hash:
        same.append(Message.template_hash == message.template_hash)
    stmt = select(func.count(func.distinct(Message.sender_id))).where(
        or_(*same), col(Message.sender_id).is_not(None), Message.direction == "in"
    )
    if message.sender_id is not None:
        stmt = stmt.where(Message.sender_id != message.sender_id)
    return int(session.exec(stmt).one())


def sender_of(*, session: Session, message: Message, sender: Sender | None) -> Sender | None:
    if message.sender_id is not None:
        return session.get(Sender, message.sender_id)
    return sender


def report_variables(
    *, session: Session, message: Message, label: str, sender: Sender | None = None
) -> dict[str, Any]:

    sender = sender_of(session=session, message=message, sender=sender)
    conversation = (
        session.get(Conversation, message.conversation_id) if message.conversation_id else None
    )
    others = other_senders(session=session, message=message)
    text = (message.subject + "\n" if message.subject else "") + message.body
    links = extract_links(text)
    reason, extra = report_reasons(label=label, text=message.body, other_senders=others)
    if any(link.lookalike_brand for link in links) and "Fake account" not in extra:
        extra.append("Fake account")
    count, first, last = sender_history(session=session, message=message)
    return {
        "report_reason": reason,
        "extra_reasons": extra,
        "quoted_lines": quoted_lines(message.body),
        "links": [defang(link.url) for link in links][:10],
        "sender_profile_url": defang(sender.profile_url) if sender and sender.profile_url else "",
        "conversation_url": defang(conversation.url) if conversation and conversation.url else "",
        "message_date": _fmt(message.sent_at or message.imported_at, time=True),
        "first_seen": first,
        "last_seen": last,
        "message_count": count,
        "other_senders_count": others,
    }
