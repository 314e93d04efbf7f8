"""The prompt template schema and its validation: one YAML file per template, read with a safe
loader and validated by `Template` (pydantic, `extra="forbid"`); the Jinja2 texts are parsed in a
sandbox and every variable checked. Problems name the file and the place: the line for YAML and
Jinja syntax errors, the variable for an undeclared or unknown one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from functools import lru_cache
from typing import Any, Literal

import jinja2
import yaml
from jinja2 import meta
from jinja2.sandbox import ImmutableSandboxedEnvironment
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from responder.errors import PromptError
from responder.taxonomy import Label

#: Languages every drafting template must have an offline text for.
REQUIRED_LANGUAGES = ("en", "de", "fr", "es")
TemplateKind = Literal["classify", "decline", "decline_firm", "report_note", "reply", "followup"]

#: Variables the drafter provides for every drafting template (name -> what it holds).
DRAFT_VARIABLES: dict[str, str] = {
    "user_name": "the user's full name (settings.profile.name)",
    "user_first_name": "the user's first name",
    "signature": "the user's signature, with its closing line in the draft's language",
    "tone": "friendly | neutral | formal (settings.profile.tone)",
    "greeting": "salutation in the draft's language and tone, with the sender's name",
    "sender_name": "the sender's display name ('' when unknown)",
    "sender_first_name": "the sender's first name ('' when unknown)",
    "language": "ISO code of the language to write in (en, de, fr, es, ...)",
    "language_name": "English name of that language (for the model)",
    "label": "the message's label (genuine, sales_pitch, recruiting, phishing, scam, harassment)",
    "channel": "linkedin | email",
    "never_buy": "what the user never buys, as one phrase ('' unless in the user's language)",
    "previous_declines": "how many declines the user already sent to this sender",
    "days_waiting": "days since the message arrived",
    "boundary": "the random id of the markers around message_block",
    "message_block": "the incoming message (UNTRUSTED) between markers; only for system/user",
    "report_reason": "LinkedIn report reason to pick (English name as shown by LinkedIn)",
    "extra_reasons": "other report reasons that also fit (list)",
    "quoted_lines": "the most telling lines of the message, defanged (list)",
    "links": "every link in the message, defanged (list)",
    "sender_profile_url": "the sender's profile URL, defanged ('' when unknown)",
    "conversation_url": "where to open the conversation, defanged ('' when unknown)",
    "message_date": "when the message arrived (YYYY-MM-DD HH:MM UTC)",
    "first_seen": "date of the sender's first message",
    "last_seen": "date of the sender's latest message",
    "message_count": "how many messages this sender sent the user",
    "other_senders_count": "how many other senders sent the same text (template)",
    "offer": "what the sender offered, as a short phrase in the draft's language ('your SEO "
    "services', 'the Data Engineer role at Acme'); a general one ('your offer') when unclear",
}
#: Variables the classifier provides to `classify` templates.
CLASSIFY_VARIABLES: dict[str, str] = {
    "taxonomy": "the six labels with their definitions, one per line",
    "labels": "the label names (list)",
    "boundary": "the random id of the markers around message_block",
    "message_block": "the message to classify (UNTRUSTED) between markers",
    "sender_name": "the sender's display name",
    "links": "links found in the message, defanged (list)",
    "examples_block": "few-shot examples from the user's corrections, delimited ('' if none)",
    "privacy_mode": "true when only sender, subject and links are sent (no body)",
}
#: Raw untrusted text: never allowed in any template text (use message_block).
FORBIDDEN_VARIABLES = frozenset({"message", "body", "subject", "message_text"})
#: Allowed only in the system and user messages, never in offline texts sent to a sender.
MODEL_ONLY_VARIABLES = frozenset({"message_block", "examples_block"})

#: libyaml's safe loader when available (the pure-Python one is ~20x slower); same semantics.
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

JINJA_ENV = ImmutableSandboxedEnvironment(
    undefined=jinja2.StrictUndefined,
    autoescape=False,
    keep_trailing_newline=False,
    trim_blocks=True,
    lstrip_blocks=True,
)


class ModelParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    temperature: float = Field(0.3, ge=0.0, le=2.0, description="Sampling temperature.")
    max_tokens: int = Field(400, ge=16, le=4096, description="Longest answer allowed.")


class Template(BaseModel):
    """One prompt template (one YAML file)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=r"^[a-z][a-z0-9_]{1,62}$", description="Equals the file name.")
    version: int = Field(1, ge=1, description="Bumped by developers when the file changes.")
    description: str = Field(min_length=1)
    kind: TemplateKind
    labels: list[Label] = Field(default_factory=list, description="Labels served; empty = any.")
    variables: dict[str, str] = Field(default_factory=dict, description="name -> description")
    llm: bool = Field(True, description="False: always rendered offline (e.g. report notes).")
    model: ModelParams = Field(default_factory=ModelParams)
    system: str = ""
    user: str = ""
    offline: dict[str, str | list[str]] = Field(
        default_factory=dict,
        description="language -> text, or a list of alternative phrasings (Regenerate moves on)",
    )

    def offline_variants(self, language: str) -> list[str]:
        """The offline phrasings for `language` (one or more; [] when there is none)."""
        value = self.offline.get(language)
        if value is None:
            return []
        return [value] if isinstance(value, str) else list(value)

    def texts(self) -> Iterator[tuple[str, str]]:
        """(place, Jinja source) for every text of the template."""
        if self.system:
            yield "system", self.system
        if self.user:
            yield "user", self.user
        for lang, value in self.offline.items():
            if isinstance(value, str):
                yield f"offline.{lang}", value
            else:
                for i, text in enumerate(value):
                    yield f"offline.{lang}.{i + 1}", text


# --- parsing and validation ---------------------------------------------------------------------


def _line_map(source: str) -> dict[tuple[str, ...], tuple[int, int]]:
    """(key path) -> (line of the key, first line of the value's content), 1-based."""
    try:
        root = yaml.compose(source, Loader=_LOADER)
    except yaml.YAMLError:
        return {}
    out: dict[tuple[str, ...], tuple[int, int]] = {}

    def walk(node: yaml.Node, path: tuple[str, ...]) -> None:
        if not isinstance(node, yaml.MappingNode):
            return
        for key, value in node.value:
            sub = (*path, str(key.value))
            start = value.start_mark.line + 1
            if isinstance(value, yaml.ScalarNode) and value.style in ("|", ">"):
                start += 1
            out[sub] = (key.start_mark.line + 1, start)
            if isinstance(value, yaml.SequenceNode):  # offline phrasings: one entry per item
                for i, item in enumerate(value.value):
                    first = item.start_mark.line + 1
                    out[(*sub, str(i))] = (first, first + (item.style in ("|", ">")))
            walk(value, sub)

    if root is not None:
        walk(root, ())
    return out


def _place(lines: Mapping[tuple[str, ...], tuple[int, int]], path: tuple[Any, ...]) -> str:
    """'line N' of the deepest known key on `path`, or ''."""
    keys = tuple(str(p) for p in path)
    while keys:
        if keys in lines:
            return f"line {lines[keys][0]}"
        keys = keys[:-1]
    return ""


def _text_path(place: str) -> tuple[str, ...]:
    """The key path of a text: ("offline", "en") or, for the n-th phrasing ("offline.en.n"),
    ("offline", "en", "n-1")."""
    if not place.startswith("offline."):
        return (place,)
    parts = place.split(".")
    return tuple(parts[:2]) + ((str(int(parts[2]) - 1),) if len(parts) > 2 else ())


def _var_line(source: str, name: str, where: tuple[int, int] | None) -> str:
    """'line N' of the first use of variable `name` in a text that starts at `where`."""
    if where is None:
        return "?"
    for offset, line in enumerate(source.splitlines()):
        if re.search(rf"\b{re.escape(name)}\b", line):
            return f"line {where[1] + offset}"
    return f"line {where[0]}"


def _jinja_problems(
    tpl: Template, file: str, lines: Mapping[tuple[str, ...], tuple[int, int]]
) -> list[str]:
    known = CLASSIFY_VARIABLES if tpl.kind == "classify" else DRAFT_VARIABLES
    problems = [
        f"{file}: variable '{name}' is declared but Responder does not provide it to "
        f"{tpl.kind} templates (available: {', '.join(sorted(known))})"
        for name in tpl.variables
        if name not in known
    ]
    for place, source in tpl.texts():
        where = lines.get(_text_path(place))
        try:
            ast = JINJA_ENV.parse(source)
        except jinja2.TemplateSyntaxError as exc:
            line = f"line {where[1] + (exc.lineno or 1) - 1}" if where else place
            problems.append(f"{file}:{line} ({place}): Jinja syntax error: {exc.message}")
            continue
        used = meta.find_undeclared_variables(ast)
        if place == "user" and tpl.llm and "message_block" not in used:
            problems.append(
                f"{file}:{f'line {where[0]}' if where else 'user'} (user): the user message must "
                "contain {{ message_block }}, or the model never sees the message"
            )
        for name in sorted(used):
            at = f"{file}:{_var_line(source, name, where)}"
            if name in FORBIDDEN_VARIABLES:
                problems.append(
                    f"{at} ({place}): '{name}' is raw untrusted text; use message_block, which "
                    "passes the message to the model as delimited data"
                )
            elif name not in tpl.variables:
                problems.append(
                    f"{at} ({place}): variable '{name}' is used but not declared in 'variables'"
                )
            elif name in MODEL_ONLY_VARIABLES and place.startswith("offline."):
                problems.append(
                    f"{at} ({place}): '{name}' may only be used in the system/user messages, "
                    "an offline text must never echo the incoming message"
                )
            elif name in MODEL_ONLY_VARIABLES and place == "system":
                problems.append(
                    f"{at} (system): '{name}' belongs in the user message; the system message "
                    "holds only your instructions"
                )
    return problems


def _shape_problems(
    tpl: Template, file: str, lines: Mapping[tuple[str, ...], tuple[int, int]]
) -> list[str]:
    problems: list[str] = []
    if tpl.llm and not (tpl.system.strip() and tpl.user.strip()):
        problems.append(f"{file}: 'system' and 'user' are required when llm is true")
    if tpl.kind == "classify":
        if tpl.offline:
            problems.append(f"{file}:{_place(lines, ('offline',))}: classify has no offline texts")
        return problems
    missing = [
        lang
        for lang in REQUIRED_LANGUAGES
        if not tpl.offline_variants(lang)
        or not all(text.strip() for text in tpl.offline_variants(lang))
    ]
    if missing:
        problems.append(
            f"{file}:{_place(lines, ('offline',)) or 'offline'}: offline text missing for "
            f"{', '.join(missing)} (every drafting template covers {', '.join(REQUIRED_LANGUAGES)})"
        )
    for lang in tpl.offline:
        if not re.fullmatch(r"[a-z]{2}", lang):
            problems.append(f"{file}:{_place(lines, ('offline', lang))}: '{lang}' is no ISO code")
    return problems


def _pydantic_problems(
    exc: ValidationError, file: str, lines: Mapping[tuple[str, ...], tuple[int, int]]
) -> list[str]:
    out = []
    for err in exc.errors():
        loc = err.get("loc", ())
        where = _place(lines, loc)
        dotted = ".".join(str(p) for p in loc) or "(top level)"
        msg = "unknown key" if err.get("type") == "extra_forbidden" else err.get("msg", "invalid")
        out.append(f"{file}:{where or dotted} ({dotted}): {msg}")
    return out


def _safe_load(source: str) -> Any:
    return yaml.load(source, Loader=_LOADER)  # noqa: S506 - a safe loader (CSafeLoader/SafeLoader)


def _problems(
    data: dict[str, Any],
    file: str,
    expected_name: str | None,
    lines: Mapping[tuple[str, ...], tuple[int, int]],
) -> list[str]:
    try:
        tpl = Template.model_validate(data)
    except ValidationError as exc:
        return _pydantic_problems(exc, file, lines)
    problems = _shape_problems(tpl, file, lines) + _jinja_problems(tpl, file, lines)
    if expected_name is not None and tpl.name != expected_name:
        problems.insert(
            0, f"{file}:{_place(lines, ('name',))}: name '{tpl.name}' must be '{expected_name}'"
        )
    return problems


def template_problems(source: str, *, file: str, expected_name: str | None = None) -> list[str]:
    """Every problem of one template's YAML text (empty when it is valid)."""
    try:
        data = _safe_load(source)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "?"
        problem = getattr(exc, "problem", None) or str(exc)
        return [f"{file}:{where}: YAML syntax error: {problem}"]
    if not isinstance(data, dict):
        return [f"{file}: expected a mapping of keys (name, kind, system, ...) at the top level"]
    # Line numbers are only worked out when there is something to point at.
    if not _problems(data, file, expected_name, {}):
        return []
    return _problems(data, file, expected_name, _line_map(source))


@lru_cache(maxsize=256)
def parse_template(source: str, *, file: str, expected_name: str | None = None) -> Template:
    """Parse and validate; raise `PromptError` listing every problem. Cached per text: treat the
    result as read-only (use `model_copy` to change it)."""
    problems = template_problems(source, file=file, expected_name=expected_name)
    if problems:
        raise PromptError("; ".join(problems))
    return Template.model_validate(_safe_load(source))
