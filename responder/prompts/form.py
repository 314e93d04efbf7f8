"""The common fields of a drafting template as a form: description, model settings and the
offline texts per language (one or more phrasings each). `apply_form` writes them back into the
YAML text, which is then validated like any edit. (Comments in the YAML are not kept.)"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from responder.errors import PromptError

#: How phrasings of one language are separated in a single text box.
VARIANT_SEPARATOR = "\n---\n"


@dataclass
class PromptForm:
    description: str
    temperature: float
    max_tokens: int
    #: language -> phrasings (one or more)
    offline: dict[str, list[str]] = field(default_factory=dict)


def _load(body: str) -> dict[str, Any]:
    try:
        data = yaml.safe_load(body)
    except yaml.YAMLError as exc:
        raise PromptError(f"the YAML cannot be read: {exc}") from exc
    if not isinstance(data, dict):
        raise PromptError("the YAML must be a mapping of keys (name, kind, system, ...)")
    return data


def form_of(body: str) -> PromptForm:
    """The form fields of a template's YAML text."""
    data = _load(body)
    model = data.get("model") or {}
    offline = {
        str(lang): [str(t) for t in (value if isinstance(value, list) else [value])]
        for lang, value in (data.get("offline") or {}).items()
    }
    return PromptForm(
        description=str(data.get("description", "")),
        temperature=float(model.get("temperature", 0.3)),
        max_tokens=int(model.get("max_tokens", 400)),
        offline=offline,
    )


def split_variants(text: str) -> list[str]:
    """One text box's phrasings (separated by a line holding only '---')."""
    parts = [p.strip("\n") for p in text.replace("\r\n", "\n").split(VARIANT_SEPARATOR)]
    return [p.rstrip() + "\n" for p in parts if p.strip()]


def join_variants(texts: list[str]) -> str:
    return VARIANT_SEPARATOR.join(t.strip("\n") for t in texts)


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def apply_form(body: str, form: PromptForm) -> str:
    """The YAML text with the form's fields written into it (key order kept)."""
    data = _load(body)
    data["description"] = form.description.strip()
    model = dict(data.get("model") or {})
    model["temperature"] = round(float(form.temperature), 2)
    model["max_tokens"] = int(form.max_tokens)
    data["model"] = model
    data["offline"] = {
        lang: (texts[0] if len(texts) == 1 else list(texts))
        for lang, texts in form.offline.items()
        if texts
    }
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100_000)
