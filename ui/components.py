"""Render helpers shared by the pages. Message content is untrusted: it only ever reaches the
browser through `show_text` / `show_code` / dataframe cells, after `safe_text` has defanged every
link and made invisible or direction-changing characters visible. Never pass it to
`st.markdown`, `st.write`, `st.caption`, a widget label or anything else that parses markdown.
"""

from __future__ import annotations

import json
import re
import unicodedata
from datetime import datetime
from typing import Any

import streamlit as st

from responder.classify.signals import defang
from responder.taxonomy import DISPLAY, REPORT_LABELS

#: Zero-width, joiner, BOM, soft hyphen and bidi embedding/override/isolate characters.
_INVISIBLE = re.compile(
    "[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\ufff9-\ufffb]"
)
#: C0/C1 control characters except tab and newline.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")

LABEL_COLOURS = {
    "genuine": "green",
    "sales_pitch": "orange",
    "recruiting": "blue",
    "phishing": "red",
    "scam": "red",
    "harassment": "violet",
}


def _marker(m: re.Match[str]) -> str:
    ch = m.group(0)
    name = unicodedata.name(ch, "")
    return f"[U+{ord(ch):04X}{' ' + name if name else ''}]"


def visible_controls(text: str) -> str:
    """Replace zero-width, bidi-override and control characters with a visible marker such as
    ``[U+202E RIGHT-TO-LEFT OVERRIDE]`` so they can neither hide nor reorder text."""
    text = _INVISIBLE.sub(_marker, text)
    return _CONTROL.sub(lambda m: f"[U+{ord(m.group(0)):04X}]", text)


def safe_text(text: str | None, *, limit: int | None = None) -> str:
    """Untrusted text made safe to display as plain text: links defanged, hidden characters
    shown, optionally cut to `limit` characters."""
    if not text:
        return ""
    out = visible_controls(defang(text))
    if limit is not None and len(out) > limit:
        out = out[: limit - 1] + "…"
    return out


def one_line(text: str | None, *, limit: int = 120) -> str:
    return safe_text(" ".join((text or "").split()), limit=limit)


def safe_data(value: Any) -> Any:
    """`safe_text` applied to every string inside nested dicts and lists."""
    if isinstance(value, str):
        return safe_text(value)
    if isinstance(value, dict):
        return {safe_text(str(k)): safe_data(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [safe_data(v) for v in value]
    return value


def show_text(text: str | None, *, limit: int | None = None) -> None:
    """Untrusted text as inert plain text (no markdown, no HTML, no links)."""
    st.text(safe_text(text, limit=limit) or "(empty)")


def show_code(text: str | None, *, language: str | None = None, height: Any = None) -> None:
    """Untrusted or copyable text in a code box (plain text, with a copy button)."""
    kwargs: dict[str, Any] = {"language": language, "wrap_lines": True}
    if height is not None:
        kwargs["height"] = height
    st.code(safe_text(text) or " ", **kwargs)


def show_json(data: Any) -> None:
    st.code(json.dumps(safe_data(data), indent=2, ensure_ascii=False, default=str), language="json")


def label_name(label: str | None) -> str:
    if not label:
        return "Not labelled yet"
    return DISPLAY.get(label, label)


def label_md(label: str | None) -> str:
    """A coloured label for markdown. Safe: built only from our own label constants."""
    if label not in LABEL_COLOURS:
        return label_name(label)
    colour = LABEL_COLOURS[label]  # type: ignore[index]
    icon = " :material/report:" if label in REPORT_LABELS else ""
    return f":{colour}[**{label_name(label)}**{icon}]"


def fmt_dt(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "—"


def fmt_conf(value: float | None) -> str:
    return f"{value:.0%}" if value is not None else "—"


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$=^])")


def md_escape(text: str) -> str:
    """Backslash-escape markdown syntax (for our own messages that may quote a file name)."""
    return _MD_SPECIAL.sub(r"\\\1", text)


def show_error(exc: Exception | str) -> None:
    """A core error as the message it was written with for humans, markdown-escaped because it
    may quote a file name or a value the user gave."""
    st.error(md_escape(safe_text(str(exc))), icon=":material/error:")


def page_header(title: str, caption: str = "") -> None:
    st.title(title)
    if caption:
        st.caption(caption)
