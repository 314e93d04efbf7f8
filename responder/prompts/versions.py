"""Versions of prompt templates: the user's edits, stored as `PromptVersion` rows.

Numbering: a shipped file carries `version: N`; the first stored edit gets N+1 (or one more than
the newest stored version). The effective template is the highest *active* version, else the
shipped file. An edit from the app is saved as a *draft* version (`draft=True`): used by nothing
until `activate` makes it active (it then wins, being the newest). Rolling back to version v makes
v active and every later version inactive (kept for history); resetting to the shipped file makes
every stored version inactive. Nothing is deleted, so every draft's recorded template version can
still be looked up.
"""

from __future__ import annotations

import difflib
import logging
import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from responder.errors import NotFoundError, PromptError
from responder.prompts.library import SHIPPED_DIR, load_library, parse_template
from responder.store.models import PromptVersion

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class VersionInfo:
    name: str
    version: int
    #: "shipped" | "db"
    source: str
    author: str
    note: str
    created_at: datetime | None
    is_active: bool
    #: True for the version the library uses now.
    is_current: bool
    #: Saved but never activated.
    is_draft: bool = False

    @property
    def status(self) -> str:
        """One word for the history: in use | draft | earlier | rolled back."""
        if self.is_current:
            return "in use"
        if self.is_draft:
            return "draft"
        return "earlier" if self.is_active else "rolled back"


def _shipped_source(name: str) -> str | None:
    if not re.fullmatch(r"[a-z][a-z0-9_]{1,62}", name):
        return None
    path = SHIPPED_DIR / f"{name}.yaml"
    return path.read_text(encoding="utf-8") if path.is_file() else None


def _shipped_version(source: str | None) -> int:
    if source is None:
        return 0
    match = re.search(r"^version:\s*(\d+)\s*$", source, re.M)
    return int(match.group(1)) if match else 1


def save_version(
    *,
    session: Session,
    name: str,
    body_yaml: str,
    author: str = "user",
    note: str | None = None,
    draft: bool = False,
) -> PromptVersion:
    """Validate `body_yaml` and store it as the new version of `name`: active at once, or with
    `draft` a draft that nothing uses until `activate`."""
    file = f"prompt '{name}' (edited)"
    parse_template(body_yaml, file=file, expected_name=name)
    newest = session.exec(
        select(func.max(PromptVersion.version)).where(PromptVersion.name == name)
    ).one()
    number = max(int(newest or 0), _shipped_version(_shipped_source(name))) + 1
    row = PromptVersion(
        name=name,
        version=number,
        body=_with_version(body_yaml, number),
        author=(author or "user")[:100],
        note=note,
        is_active=not draft,
        is_draft=draft,
    )
    session.add(row)
    session.flush()
    log.info(
        "saved prompt %s version %s by %s%s", name, number, row.author, " (draft)" if draft else ""
    )
    return row


def activate(*, session: Session, name: str, version: int) -> None:
    """Make a stored version the one in use (a draft stops being a draft); later versions become
    inactive, as with a rollback."""
    rows = _rows(session, name)
    if not any(r.version == version for r in rows):
        raise NotFoundError(f"Prompt '{name}' has no stored version {version} to activate")
    for row in rows:
        if row.version == version:
            row.is_active, row.is_draft = True, False
        elif row.version > version:
            row.is_active = False
        session.add(row)
    session.flush()
    log.info("prompt %s version %s activated", name, version)


def latest_draft(*, session: Session, name: str) -> PromptVersion | None:
    """The newest draft version newer than the version in use, or None."""
    rows = _rows(session, name)
    active = [r.version for r in rows if r.is_active]
    drafts = [r for r in rows if r.is_draft and r.version > max(active, default=0)]
    return drafts[-1] if drafts else None


def _with_version(body: str, number: int) -> str:
    """The YAML text with its `version:` line set to `number` (added after `name:` if absent)."""
    if re.search(r"^version:\s*\d+\s*$", body, re.M):
        return re.sub(r"^version:\s*\d+\s*$", f"version: {number}", body, count=1, flags=re.M)
    return re.sub(r"^(name:.*)$", rf"\1\nversion: {number}", body, count=1, flags=re.M)


def _rows(session: Session, name: str) -> list[PromptVersion]:
    return list(
        session.exec(
            select(PromptVersion)
            .where(PromptVersion.name == name)
            .order_by(col(PromptVersion.version))
        )
    )


def list_versions(*, session: Session, name: str) -> list[VersionInfo]:
    """The shipped file (if any) and every stored version, oldest first."""
    shipped = _shipped_source(name)
    rows = _rows(session, name)
    if shipped is None and not rows:
        raise NotFoundError(f"No prompt template '{name}'")
    active = [r.version for r in rows if r.is_active]
    current = max(active) if active else None
    out = []
    if shipped is not None:
        out.append(
            VersionInfo(
                name=name,
                version=_shipped_version(shipped),
                source="shipped",
                author="shipped",
                note="the file in prompts/",
                created_at=None,
                is_active=True,
                is_current=current is None,
            )
        )
    out.extend(
        VersionInfo(
            name=name,
            version=r.version,
            source="db",
            author=r.author,
            note=r.note or "",
            created_at=r.created_at,
            is_active=r.is_active,
            is_current=r.version == current,
            is_draft=r.is_draft,
        )
        for r in rows
    )
    return out


def version_body(*, session: Session, name: str, version: int) -> str:
    """The YAML text of one version (the shipped file for its own version number)."""
    row = session.exec(
        select(PromptVersion).where(PromptVersion.name == name, PromptVersion.version == version)
    ).first()
    if row is not None:
        return row.body
    shipped = _shipped_source(name)
    if shipped is not None and version == _shipped_version(shipped):
        return shipped
    raise NotFoundError(f"Prompt '{name}' has no version {version}")


def diff_versions(*, session: Session, name: str, old: int, new: int) -> str:
    """Unified diff between two versions of a template ('' when they are equal)."""
    a = version_body(session=session, name=name, version=old)
    b = version_body(session=session, name=name, version=new)
    return "".join(
        difflib.unified_diff(
            a.splitlines(keepends=True),
            b.splitlines(keepends=True),
            fromfile=f"{name} v{old}",
            tofile=f"{name} v{new}",
        )
    )


def rollback(*, session: Session, name: str, version: int) -> None:
    """Make `version` the effective one: it becomes active, every later version inactive."""
    shipped = _shipped_source(name)
    if shipped is not None and version == _shipped_version(shipped):
        reset_to_shipped(session=session, name=name)
        return
    rows = _rows(session, name)
    if not any(r.version == version for r in rows):
        raise NotFoundError(f"Prompt '{name}' has no version {version} to roll back to")
    for row in rows:
        if row.version == version:
            row.is_active, row.is_draft = True, False
        elif row.version > version:
            row.is_active = False
        session.add(row)
    session.flush()
    log.info("prompt %s rolled back to version %s", name, version)


def reset_to_shipped(*, session: Session, name: str) -> None:
    """Deactivate every stored version: the shipped file is used again."""
    if _shipped_source(name) is None:
        raise PromptError(f"Prompt '{name}' was created in the app and has no shipped file")
    for row in _rows(session, name):
        row.is_active = False
        session.add(row)
    session.flush()
    log.info("prompt %s reset to the shipped file", name)


def export_yaml(*, session: Session | None = None, name: str) -> str:
    """The YAML text of the effective version of `name` (a file for prompts/)."""
    lib = load_library(session=session)
    lib.get(name)
    return lib.bodies[name]
