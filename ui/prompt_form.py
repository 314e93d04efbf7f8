"""The form beside the YAML editor on the Prompts page: description, model settings and the
offline texts per language. "Apply to the YAML" writes them into the editor (then Save as draft).
Tone, greeting and sign-off come from the profile (Settings → Profile)."""

from __future__ import annotations

import hashlib

import streamlit as st

from responder.errors import PromptError
from responder.prompts.form import apply_form, form_of, join_variants, split_variants
from ui.state import current_settings

EDITOR = "prompt_editor_{name}"


def render(name: str, base: str) -> str:
    """Show the form for the editor's current text; returns the text the editor starts from."""
    key = EDITOR.format(name=name)
    current = st.session_state.get(key, base)
    try:
        form = form_of(current)
    except PromptError:
        st.caption("The form is available again once the YAML below can be read.")
        return base
    tag = hashlib.sha1(current.encode()).hexdigest()[:8]  # fresh widgets when the YAML changes
    profile = current_settings().profile
    with st.expander("Common fields (form)", expanded=True):
        st.caption(
            f"Tone ({profile.tone}), greeting and sign-off come from your profile "
            "(Settings → Profile). Several phrasings of one language are separated by a line "
            "holding only ---; Regenerate moves to the next one."
        )
        with st.form(f"prompt_form_{name}"):
            description = st.text_input("Description", form.description, key=f"pf_desc_{tag}")
            c1, c2 = st.columns(2)
            temperature = c1.number_input(
                "Temperature (LLM)", 0.0, 2.0, form.temperature, 0.1, key=f"pf_temp_{tag}"
            )
            max_tokens = c2.number_input(
                "Longest answer (tokens)", 16, 4096, form.max_tokens, 16, key=f"pf_tok_{tag}"
            )
            texts = {
                lang: st.text_area(
                    f"Offline text ({lang})",
                    join_variants(variants),
                    height=220,
                    key=f"pf_offline_{lang}_{tag}",
                )
                for lang, variants in form.offline.items()
            }
            apply = st.form_submit_button("Apply to the YAML")
    if apply:
        form.description = description
        form.temperature = float(temperature)
        form.max_tokens = int(max_tokens)
        form.offline = {lang: split_variants(text) for lang, text in texts.items()}
        st.session_state[key] = apply_form(current, form)
        st.rerun()
    return base
