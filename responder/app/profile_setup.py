"""First run: who the user is, confirmed once in the app, and pending drafts brought up to date.

Responder ships no default name. Until the profile has a name (confirmed here, or set in
config/responder.toml or the environment), drafts carry no signature at all and are held for
review with the lint problem "not signed" (so bulk and auto approve skip them): a draft is never
signed with an invented name, nor with the export owner's name before the user confirmed it.

The suggestion comes from the store: the owner of an imported LinkedIn export wrote the
"out" messages (the importer tells them apart), so the most frequent sender name among them is the
export owner's name.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from sqlalchemy import func
from sqlmodel import Session, col, select

from responder.drafts.context import localized_signature
from responder.drafts.drafter import Drafter
from responder.drafts.lifecycle import pending_to_regenerate, regenerate_pending
from responder.errors import ConfigError
from responder.settings import Settings
from responder.store.models import Message, Sender
from responder.store.preferences import save_preferences

log = logging.getLogger(__name__)

#: Sources whose "out" messages were written by the export's owner.
LINKEDIN_SOURCES = ("linkedin",)

__all__ = [
    "ProfileSetup",
    "confirm_profile",
    "export_owner_name",
    "pending_to_regenerate",
    "profile_setup",
    "regenerate_pending",
]


@dataclass(frozen=True)
class ProfileSetup:
    """What the first-run form shows: whether it is needed and the suggested values."""

    needed: bool
    name: str
    signature: str
    language: str
    never_buy: list[str] = field(default_factory=list)
    #: Where the suggested name came from ("LinkedIn export", "settings" or "").
    name_source: str = ""


def export_owner_name(*, session: Session) -> str:
    """The name the imported LinkedIn export gives its owner ('' when nothing was imported or
    the owner could not be told apart)."""
    stmt = (
        select(Sender.name, func.count())
        .select_from(Message)
        .join(Sender, col(Sender.id) == col(Message.sender_id))
        .where(Message.direction == "out", col(Message.source).in_(LINKEDIN_SOURCES))
        .group_by(Sender.name)
        .order_by(func.count().desc())
        .limit(1)
    )
    row = session.exec(stmt).first()
    return (row[0] or "").strip() if row else ""


def profile_setup(*, session: Session, settings: Settings) -> ProfileSetup:
    """The first-run state: `needed` while the profile has no name."""
    profile = settings.profile
    name, source = profile.name.strip(), "settings"
    if not name:
        name, source = export_owner_name(session=session), "LinkedIn export"
        if not name:
            source = ""
    signature = profile.signature.strip() or localized_signature(
        "", language=profile.language, profile_language=profile.language, name=name
    )
    return ProfileSetup(
        needed=not profile.name.strip(),
        name=name,
        signature=signature,
        language=profile.language,
        never_buy=list(profile.never_buy),
        name_source=source,
    )


def confirm_profile(
    *,
    session: Session,
    base: Settings,
    name: str,
    signature: str,
    language: str,
    never_buy: list[str],
) -> Settings:
    """Store the confirmed profile as preferences; returns the new effective settings. A name is
    required (ConfigError otherwise). The caller commits."""
    name = " ".join(name.split())
    if not name:
        raise ConfigError("Enter your name: drafts are signed with it.")
    settings = save_preferences(
        session=session,
        changes={
            "profile.name": name,
            "profile.signature": signature.strip(),
            "profile.language": language.strip() or "en",
            "profile.never_buy": [x.strip() for x in never_buy if x.strip()],
        },
        base=base,
    )
    assert settings is not None  # `base` given
    log.info("profile confirmed")
    return settings


def regenerate_for_profile(*, session: Session, drafter: Drafter) -> tuple[int, int]:
    """Rewrite the pending drafts sent in the user's name after a profile change;
    (regenerated, kept because edited)."""
    return regenerate_pending(session=session, drafter=drafter, template_name=None)
