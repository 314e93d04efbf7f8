"""The prompt library: load, validate and render the templates in `prompts/*.yaml`.

A template is data: one YAML file, read with `yaml.safe_load` and validated by `Template`
(pydantic, `extra="forbid"`). Its texts are Jinja2, rendered in a sandbox with `StrictUndefined`.
Every problem is a `PromptError` that names the file and the place: the line for YAML and Jinja
syntax errors, the variable for an undeclared or missing one (schema and checks: `prompt_schema`).

Users edit templates in the app; each edit is a `PromptVersion` row (see `prompt_versions`). The
effective library is the shipped files overridden by the highest active version of each name.

Safety rule enforced here: the incoming message may reach the model only as delimited data
(`message_block`, built by `delimit_untrusted`), never as raw text in a system or user message,
and offline texts never echo it.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
from sqlmodel import Session, col, select

from responder.errors import NotFoundError, PromptError
from responder.prompts.schema import (
    CLASSIFY_VARIABLES,
    DRAFT_VARIABLES,
    FORBIDDEN_VARIABLES,
    JINJA_ENV,
    MODEL_ONLY_VARIABLES,
    REQUIRED_LANGUAGES,
    ModelParams,
    Template,
    TemplateKind,
    parse_template,
    template_problems,
)
from responder.settings import PROJECT_ROOT
from responder.store.models import PromptVersion

if TYPE_CHECKING:
    from responder.settings import Settings

log = logging.getLogger(__name__)

SHIPPED_DIR = PROJECT_ROOT / "prompts"


@dataclass(frozen=True)
class RenderedPrompt:
    """A rendered template: the chat messages sent to the model."""

    system: str
    user: str

    @property
    def messages(self) -> list[tuple[str, str]]:
        return [("system", self.system), ("human", self.user)]


def check_library(path: Path | str | None = None) -> list[str]:
    """Problems of every template file in a directory (or of one file); empty when all valid."""
    path = Path(path) if path is not None else SHIPPED_DIR
    files = sorted(path.glob("*.yaml")) if path.is_dir() else [path]
    if not files:
        return [f"{path}: no *.yaml templates found"]
    problems: list[str] = []
    for file in files:
        try:
            source = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(f"{file}: cannot read: {exc}")
            continue
        problems.extend(template_problems(source, file=str(file), expected_name=file.stem))
    return problems


# --- rendering ----------------------------------------------------------------------------------


@lru_cache(maxsize=512)
def _compiled(source: str) -> jinja2.Template:
    return JINJA_ENV.from_string(source)


def render_text(template: Template, source: str, variables: Mapping[str, Any], place: str) -> str:
    """Render one text of `template`; a missing or undefined variable is a `PromptError`."""
    missing = [name for name in template.variables if name not in variables]
    if missing:
        raise PromptError(
            f"template '{template.name}' ({place}): missing variable(s) {', '.join(missing)}"
        )
    try:
        return _compiled(source).render(**{k: variables[k] for k in template.variables}).strip()
    except jinja2.UndefinedError as exc:
        raise PromptError(f"template '{template.name}' ({place}): {exc.message}") from exc
    except jinja2.TemplateError as exc:  # includes sandbox SecurityError
        raise PromptError(f"template '{template.name}' ({place}): {exc}") from exc


def render(template: Template, variables: Mapping[str, Any]) -> RenderedPrompt:
    """The system and user messages of `template` for the model."""
    if not template.llm:
        raise PromptError(f"template '{template.name}' is offline-only (llm: false)")
    return RenderedPrompt(
        system=render_text(template, template.system, variables, "system"),
        user=render_text(template, template.user, variables, "user"),
    )


def render_offline(
    template: Template, variables: Mapping[str, Any], language: str, variant: int = 0
) -> str:
    """The offline fallback text in `language` (the caller picks an available one); `variant`
    picks one of several phrasings (modulo their number)."""
    variants = template.offline_variants(language)
    if not variants:
        raise PromptError(f"template '{template.name}' has no offline text for '{language}'")
    index = variant % len(variants)
    place = f"offline.{language}" + (f".{index + 1}" if len(variants) > 1 else "")
    text = render_text(template, variants[index], variables, place)
    return re.sub(r"\n{3,}", "\n\n", text)


def offline_variant_count(template: Template, language: str) -> int:
    return len(template.offline_variants(language))


_MARKER_RE = re.compile(
    r"<{2,}|>{2,}|\[/?(?:INST|SYS)\]|<\|[a-z_]+\|>"
    r"|</?\s*(?:untrusted\w*|message|system|assistant|user|instructions?|im_start|im_end)\b[^>]*>",
    re.I,
)


def delimit_untrusted(text: str, *, what: str = "MESSAGE", boundary: str | None = None) -> str:
    """`text` between markers carrying a random id, with marker look-alikes inside neutralised,
    so a message cannot close the block early and talk to the model as the user would."""
    boundary = boundary or secrets.token_hex(4)
    cleaned = _MARKER_RE.sub(" ", text or "").strip()
    return f"<<<{what} {boundary}>>>\n{cleaned}\n<<<END {what} {boundary}>>>"


def new_boundary() -> str:
    return secrets.token_hex(4)


# --- the library ----------------------------------------------------------------------------------


@dataclass
class PromptLibrary:
    """The effective templates: shipped files overridden by active database versions."""

    templates: dict[str, Template] = field(default_factory=dict)
    #: name -> "shipped" | "db"
    sources: dict[str, str] = field(default_factory=dict)
    #: name -> YAML text of the effective version (what `export_yaml` writes).
    bodies: dict[str, str] = field(default_factory=dict)
    #: name -> YAML text of the shipped file.
    shipped: dict[str, str] = field(default_factory=dict)
    #: Problems met while loading (an invalid stored version falls back to the shipped file).
    problems: list[str] = field(default_factory=list)

    def names(self) -> list[str]:
        return sorted(self.templates)

    def get(self, name: str) -> Template:
        try:
            return self.templates[name]
        except KeyError:
            raise NotFoundError(
                f"No prompt template '{name}' (known: {', '.join(self.names())})"
            ) from None

    def for_kind(self, kind: str, label: str | None) -> Template:
        """The template for a draft kind and label: one listing the label wins over a generic
        one (no labels); ties go to the name in alphabetical order."""
        candidates = [t for _, t in sorted(self.templates.items()) if t.kind == kind]
        for tpl in candidates:
            if label is not None and label in tpl.labels:
                return tpl
        for tpl in candidates:
            if not tpl.labels or label is None:
                return tpl
        raise PromptError(f"No prompt template of kind '{kind}' serves label '{label}'")


def load_shipped(path: Path | None = None) -> PromptLibrary:
    """The shipped library; any invalid file is a `PromptError` (developers' mistake)."""
    directory = path or SHIPPED_DIR
    lib = PromptLibrary()
    files = sorted(directory.glob("*.yaml"))
    if not files:
        raise PromptError(f"{directory}: no prompt templates (*.yaml) found")
    for file in files:
        source = file.read_text(encoding="utf-8")
        tpl = parse_template(source, file=str(file), expected_name=file.stem)
        lib.templates[tpl.name] = tpl
        lib.sources[tpl.name] = "shipped"
        lib.bodies[tpl.name] = source
        lib.shipped[tpl.name] = source
    return lib


def active_versions(session: Session) -> list[PromptVersion]:
    """The highest active stored version of each template name."""
    rows = session.exec(
        select(PromptVersion)
        .where(col(PromptVersion.is_active).is_(True))
        .order_by(col(PromptVersion.name), col(PromptVersion.version).desc())
    )
    best: dict[str, PromptVersion] = {}
    for row in rows:
        best.setdefault(row.name, row)
    return list(best.values())


def load_library(
    *, settings: Settings | None = None, session: Session | None = None, path: Path | None = None
) -> PromptLibrary:
    """Shipped files, overridden by the highest active stored version of each template."""
    del settings  # the library location is fixed; kept for a uniform factory signature
    lib = load_shipped(path)
    if session is None:
        return lib
    for row in active_versions(session):
        file = f"prompt '{row.name}' version {row.version} (database)"
        try:
            tpl = parse_template(row.body, file=file, expected_name=row.name)
        except PromptError as exc:
            log.error("ignoring invalid stored prompt: %s", exc)
            lib.problems.append(f"{exc} (using the shipped file instead)")
            continue
        lib.templates[row.name] = tpl.model_copy(update={"version": row.version})
        lib.sources[row.name] = "db"
        lib.bodies[row.name] = row.body
    return lib


__all__ = [
    "CLASSIFY_VARIABLES",
    "DRAFT_VARIABLES",
    "FORBIDDEN_VARIABLES",
    "MODEL_ONLY_VARIABLES",
    "REQUIRED_LANGUAGES",
    "ModelParams",
    "TemplateKind",
    "template_problems",
    "PromptLibrary",
    "RenderedPrompt",
    "Template",
    "check_library",
    "delimit_untrusted",
    "load_library",
    "parse_template",
    "render",
    "offline_variant_count",
    "render_offline",
]
