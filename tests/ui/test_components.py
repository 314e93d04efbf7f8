"""ui.components: what makes untrusted text safe to show."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from ui.components import md_escape, one_line, safe_data, safe_text, visible_controls


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("a\u200bb", "a[U+200B ZERO WIDTH SPACE]b"),
        ("x\u202egnp.exe", "x[U+202E RIGHT-TO-LEFT OVERRIDE]gnp.exe"),
        (
            "\u2066isolate\u2069",
            "[U+2066 LEFT-TO-RIGHT ISOLATE]isolate[U+2069 POP DIRECTIONAL ISOLATE]",
        ),
        ("\ufeffbom", "[U+FEFF ZERO WIDTH NO-BREAK SPACE]bom"),
        ("soft\u00adhyphen", "soft[U+00AD SOFT HYPHEN]hyphen"),
        ("bell\x07", "bell[U+0007]"),
        ("tab\tand\nnewline", "tab\tand\nnewline"),
        ("Grüße, ça va? 你好 🙂", "Grüße, ça va? 你好 🙂"),
    ],
)
def test_visible_controls(raw: str, shown: str) -> None:
    assert visible_controls(raw) == shown


def test_safe_text_defangs_and_limits() -> None:
    text = "Go to https://evil.example.com/x or www.evil.example.org now\u200b"
    out = safe_text(text)
    assert "hxxps://evil[.]example[.]com/x" in out and "evil.example.org" not in out
    assert out.endswith("[U+200B ZERO WIDTH SPACE]")
    assert safe_text(None) == "" and len(safe_text("y" * 500, limit=20)) == 20
    assert one_line("a\n\n b   c", limit=10) == "a b c"


def test_safe_data_nested() -> None:
    data = {"links": ["https://evil.example.com"], "n": 3, "https://k.example.com": {"x": "\u202e"}}
    out = safe_data(data)
    assert out["links"] == ["hxxps://evil[.]example[.]com"] and out["n"] == 3
    assert out["hxxps://k[.]example[.]com"] == {"x": "[U+202E RIGHT-TO-LEFT OVERRIDE]"}


def test_md_escape_renders_literally() -> None:
    hostile = "[click](http://evil.example.com) **bold** :red[x] <b>b</b> # h"

    def script(text: str) -> None:
        import streamlit as st

        from ui.components import md_escape

        st.error(md_escape(text))

    at = AppTest.from_function(script, args=(hostile,)).run()
    shown = at.error[0].value
    assert "\\[click\\]" in shown and "\\*\\*bold\\*\\*" in shown and "\\:red" in shown
    assert md_escape("plain words") == "plain words"
