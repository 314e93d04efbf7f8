"""Settings the user changes in the app, stored in the `Preference` table over the TOML defaults.

A preference is one field of a settings group, keyed "group.field" (``profile.name``,
``llm.provider``, ``policy.auto_approve``); its value is plain JSON. Only the groups and fields in
`EDITABLE` can be stored: secrets (API keys, passwords), the database URL, paths and the UI's
network settings never go into the database.

Precedence, highest first: a stored preference, then the environment / `.env` / TOML (the `base`
settings). Every process reads them the same way::

    with Session(engine) as s:
        settings = effective_settings(session=s, base=get_settings())
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlparse

from pydantic import BaseModel, ValidationError
from sqlmodel import Session, col, select

from responder.errors import ConfigError
from responder.settings import Settings, get_settings
from responder.store.models import Preference

log = logging.getLogger(__name__)

#: Fields the app may store, per settings group. Nothing secret is listed here.
EDITABLE: dict[str, frozenset[str]] = {
    "profile": frozenset(
        {"name", "signature", "tone", "language", "timezone", "never_buy", "keep_recruiters"}
    ),
    "llm": frozenset(
        {
            "provider",
            "model",
            "base_url",
            "structured_output_method",
            "temperature",
            "timeout_s",
            "max_retries",
            "privacy_mode",
        }
    ),
    "policy": frozenset(
        {
            "review_threshold",
            "reminder_days",
            "auto_approve",
            "daily_auto_approve_cap",
            "business_hours_start",
            "business_hours_end",
            "business_days",
            "minutes_saved_per_message",
        }
    ),
    "worker": frozenset({"digest_enabled", "digest_hour"}),
}
_SECRET_WORDS = ("key", "password", "secret", "token")


def _split(key: str) -> tuple[str, str]:
    group, _, field = key.partition(".")
    if not field or group not in EDITABLE or field not in EDITABLE[group]:
        if any(word in key.lower() for word in _SECRET_WORDS):
            raise ConfigError(
                f"{key} is a secret: set it in the environment or in Streamlit secrets; "
                "the app never stores secrets."
            )
        raise ConfigError(f"{key} cannot be changed in the app (edit config/responder.toml).")
    return group, field


def _check_value(key: str, value: Any) -> None:
    if key == "llm.base_url" and value:
        parsed = urlparse(str(value))
        if parsed.scheme not in {"http", "https"} or not parsed.hostname:
            raise ConfigError(f"{value!r} is not an http(s) URL (e.g. http://localhost:11434/v1).")
        if parsed.username or parsed.password:
            raise ConfigError(
                "The server URL must not contain credentials; put the key in the environment."
            )


def _plain(value: Any) -> Any:
    """JSON-ready form of a value (pydantic models and nested dicts of them)."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def load_preferences(*, session: Session) -> dict[str, Any]:
    """Every stored preference as {"group.field": value}."""
    return {row.key: row.value for row in session.exec(select(Preference))}


def apply_preferences(base: Settings, prefs: dict[str, Any]) -> Settings:
    """`base` with `prefs` applied; each changed group is validated again (raises ConfigError)."""
    by_group: dict[str, dict[str, Any]] = {}
    for key, value in prefs.items():
        group, field = _split(key)
        by_group.setdefault(group, {})[field] = value
    updates: dict[str, Any] = {}
    for group, fields in by_group.items():
        current: BaseModel = getattr(base, group)
        data = current.model_dump()  # python mode keeps SecretStr values as they are
        data.update(fields)
        try:
            updates[group] = type(current).model_validate(data)
        except ValidationError as exc:
            problems = "; ".join(
                f"{group}.{'.'.join(str(p) for p in err['loc'])}: {err['msg']}"
                for err in exc.errors()
            )
            raise ConfigError(f"Invalid setting: {problems}") from exc
    return base.model_copy(update=updates)


def effective_settings(*, session: Session, base: Settings) -> Settings:
    """The TOML/environment settings with the user's stored preferences applied.

    A stored preference that no longer validates (e.g. after an upgrade) is skipped with a
    warning rather than making every process fail.
    """
    prefs = load_preferences(session=session)
    if not prefs:
        return base
    try:
        return apply_preferences(base, prefs)
    except ConfigError as exc:
        log.warning("ignoring invalid stored preferences, checking one by one: %s", exc)
    settings = base
    for key, value in sorted(prefs.items()):
        try:
            settings = apply_preferences(settings, {key: value})
        except ConfigError as one:
            log.warning("ignoring stored preference %s: %s", key, one)
    return settings


def save_preferences(
    *, session: Session, changes: dict[str, Any], base: Settings | None = None
) -> Settings | None:
    """Store `changes` ({"group.field": value}); a value of None removes the preference.

    The whole set is validated before anything is written. With `base`, a value equal to the
    TOML/environment default removes the preference instead of storing a copy, so later edits of
    the config file take effect. Returns the new effective settings when `base` is given. The
    caller commits.
    """
    for key, value in changes.items():
        _split(key)
        _check_value(key, value)
    plain = {key: _plain(value) for key, value in changes.items()}
    stored = load_preferences(session=session)
    merged = {**stored, **{k: v for k, v in plain.items() if v is not None}}
    for key in [k for k, v in plain.items() if v is None]:
        merged.pop(key, None)

    result = apply_preferences(base or get_settings(), merged)  # validate before writing
    now = datetime.now(UTC)
    for key, value in plain.items():
        row = session.get(Preference, key)
        if value is None or (base is not None and _default_of(base, key) == value):
            if row is not None:
                session.delete(row)
            continue
        if row is None:
            row = Preference(key=key, value=value, updated_at=now)
        else:
            row.value = value
            row.updated_at = now
        session.add(row)
    session.flush()
    log.info("preferences saved: %s", ", ".join(sorted(changes)))
    return result if base is not None else None


def reset_preferences(*, session: Session, group: str | None = None) -> int:
    """Remove the stored preferences (of one group, or all); returns how many were removed."""
    stmt = select(Preference)
    if group is not None:
        stmt = stmt.where(col(Preference.key).startswith(group + "."))
    rows = list(session.exec(stmt))
    for row in rows:
        session.delete(row)
    session.flush()
    return len(rows)


def _default_of(base: Settings, key: str) -> Any:
    group, field = _split(key)
    return _plain(getattr(getattr(base, group), field))
