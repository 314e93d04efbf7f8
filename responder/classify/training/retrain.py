"""`responder train`: the seed corpus plus the user's corrections -> a new versioned artifact."""

from __future__ import annotations

import logging
from typing import Any

from sqlmodel import Session, col, select

from responder.classify import offline
from responder.settings import Settings
from responder.store import db
from responder.store.models import Correction, Message

log = logging.getLogger(__name__)
#: A user's correction counts as much as this many seed messages.
CORRECTION_WEIGHT = 5.0


def correction_rows(session: Session) -> list[offline.TrainingRow]:
    """The latest correction per message, joined to the message text."""
    stmt = (
        select(Correction.message_id, Correction.new_label, Message.subject, Message.body)
        .join(Message, col(Message.id) == col(Correction.message_id))
        .order_by(col(Correction.message_id), col(Correction.id))
    )
    latest: dict[int, offline.TrainingRow] = {}
    for message_id, label, subject, body in session.exec(stmt):
        latest[message_id] = offline.TrainingRow(
            offline.model_text(body or "", subject), label, CORRECTION_WEIGHT
        )
    return list(latest.values())


def train_from_store(*, settings: Settings, session: Session | None = None) -> dict[str, Any]:
    """Train on seed + corrections, save the artifact, point `current` at it."""

    seed = offline.seed_rows()
    if session is None:
        with Session(db.get_engine()) as s:
            corrections = correction_rows(s)
    else:
        corrections = correction_rows(session)
    model = offline.train(seed + corrections)
    path = offline.save(model, settings.data_dir)
    log.info("trained %s on %d seed + %d corrections", model.version, len(seed), len(corrections))
    return {
        "version": model.version,
        "path": str(path),
        "seed": len(seed),
        "corrections": len(corrections),
    }
