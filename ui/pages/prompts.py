"""Prompts: edit the templates that write drafts (a form for the common fields beside the YAML,
validated as you type), save as a draft version, preview and test it on labelled messages, then
Activate; version history (which version is in use) with diff and rollback, reset, export."""

from __future__ import annotations

import hashlib

import streamlit as st

from responder.app import (
    inbox,
    prompt_preview,
)
from responder.errors import ResponderError
from responder.prompts.library import Template, load_library
from responder.prompts.versions import (
    activate,
    diff_versions,
    latest_draft,
    list_versions,
    reset_to_shipped,
    rollback,
    save_version,
)
from responder.taxonomy import LABELS
from ui import profile_panel, prompt_form
from ui.components import label_name, one_line, show_code, show_error, show_text
from ui.profile_panel import offer_regenerate
from ui.state import (
    chat_model,
    current_settings,
    flash,
    read_session,
    session_scope,
    show_flashes,
)

EDITOR = "prompt_editor_{name}"


def _library():  # type: ignore[no-untyped-def]
    with read_session() as s:
        return load_library(session=s)


def _pick_template(lib) -> str:  # type: ignore[no-untyped-def]
    names = lib.names()

    def fmt(name: str) -> str:
        tpl = lib.get(name)
        where = "edited" if lib.sources[name] == "db" else "shipped"
        return f"{name} · {tpl.kind} · v{tpl.version} ({where})"

    # The key follows the versions in use, so the labels refresh the moment one changes (a
    # browser keeps showing a keyed selectbox's old labels otherwise); the choice is kept.
    state = "|".join(f"{n}:{lib.get(n).version}:{lib.sources[n]}" for n in names)
    key = "prompt_name_" + hashlib.sha1(state.encode()).hexdigest()[:10]
    chosen = st.session_state.get("prompt_selected", "decline_sales")
    index = names.index(chosen) if chosen in names else 0
    name = st.selectbox("Template", names, index=index, format_func=fmt, key=key)
    st.session_state["prompt_selected"] = name
    return name


def _editor(name: str, body: str) -> tuple[str, list[str]]:
    """The YAML editor with validation on every change; returns (text, problems)."""
    key = EDITOR.format(name=name)
    if key not in st.session_state:
        st.session_state[key] = body
    text = st.text_area(
        "Template (YAML: system and user messages, offline texts per language)",
        key=key,
        height=420,
        help="Jinja2 in a sandbox. The incoming message reaches the model only as "
        "{{ message_block }} (delimited data). Unknown keys and undeclared variables are errors.",
    )
    problems = prompt_preview.check_edit(name=name, body=text)
    if problems:
        st.error(
            f"{len(problems)} problem(s): fix them to save or preview", icon=":material/error:"
        )
        show_code("\n".join(problems))
    elif text != body:
        st.success("Valid. Not saved yet.", icon=":material/check:")
    return text, problems


def _save_controls(
    name: str, text: str, body: str, problems: list[str], source: str, draft: int | None
) -> None:
    """Save as draft (not live) and Activate; `body` is the text in the editor's base (the draft
    when there is one, else the version in use)."""
    cols = st.columns([2, 1, 1, 1, 1], vertical_alignment="bottom")
    note = cols[0].text_input("Note for this version", key=f"prompt_note_{name}")
    if cols[1].button("Save as draft", type="primary", disabled=bool(problems) or text == body,
                      key=f"prompt_save_{name}",
                      help="Saved as a new version that nothing uses until you activate it."):  # fmt: skip
        try:
            with session_scope() as s:
                row = save_version(
                    session=s, name=name, body_yaml=text, author="app", note=note, draft=True
                )
            flash(f"Saved {name} v{row.version} as a draft: preview and test it, then Activate.")
            st.session_state.pop(EDITOR.format(name=name), None)
            st.rerun()
        except ResponderError as exc:
            show_error(exc)
    unsaved = text != body
    if cols[2].button(f"Activate v{draft}" if draft else "Activate", disabled=draft is None or unsaved,
                      key=f"prompt_activate_{name}",
                      help="Save your changes as a draft first." if unsaved else None):  # fmt: skip
        with session_scope() as s:
            activate(session=s, name=name, version=draft or 0)
        flash(f"{name} v{draft} is now in use: new drafts are written with it.")
        offer_regenerate(name)
        st.session_state.pop(EDITOR.format(name=name), None)
        st.rerun()
    if cols[3].button("Reset to shipped", disabled=source != "db", key=f"prompt_reset_{name}"):
        with session_scope() as s:
            reset_to_shipped(session=s, name=name)
        flash(f"{name} uses the shipped file again (your versions are kept in the history).")
        offer_regenerate(name)
        st.session_state.pop(EDITOR.format(name=name), None)
        st.rerun()
    cols[4].download_button(
        "Export YAML", data=body.encode("utf-8"), file_name=f"{name}.yaml",
        mime="application/x-yaml", key=f"prompt_export_{name}",
    )  # fmt: skip


def _preview(tpl: Template) -> None:
    settings = current_settings()
    with read_session() as s:
        rows = inbox.list_messages(session=s, page_size=100).rows
    if not rows:
        st.info("No messages yet: import some (or load the demo inbox) to preview drafts.")
        return
    fitting = [r for r in rows if not tpl.labels or r.label in tpl.labels]
    rows = fitting + [r for r in rows if r not in fitting]  # the template's labels come first
    choice = st.selectbox(
        "Message", [r.id for r in rows], key="prompt_preview_message",
        format_func=lambda i: _row_title(next(r for r in rows if r.id == i)),
    )  # fmt: skip
    row = next(r for r in rows if r.id == choice)
    labels = [label for label in LABELS if not tpl.labels or label in tpl.labels]
    default = row.label if row.label in labels else labels[0]
    label = None
    if tpl.kind != "classify":
        label = st.selectbox("Draft as label", labels, index=labels.index(default),
                             format_func=label_name, key="prompt_preview_label")  # fmt: skip
    try:
        with read_session() as s:
            result = prompt_preview.preview(
                session=s, settings=settings, message_id=choice, template=tpl, label=label
            )
    except ResponderError as exc:
        show_error(exc)
        return
    if result.note:
        st.info(result.note)
    if result.prompt is not None:
        with st.expander("Prompt sent to the model", expanded=tpl.kind == "classify"):
            st.caption("System")
            show_code(result.prompt.system)
            st.caption("User (the message is delimited, untrusted data)")
            show_code(result.prompt.user)
    if result.offline is not None:
        _show_draft("Offline draft", result.offline)
    if label is not None:
        _llm_preview(tpl, choice, label)


def _row_title(row: inbox.InboxRow) -> str:
    return f"#{row.id} · {label_name(row.label)} · {one_line(row.sender, limit=30)} · " + one_line(
        row.snippet, limit=60
    )


def _show_draft(title: str, draft) -> None:  # type: ignore[no-untyped-def]
    st.subheader(title)
    st.caption(f"{draft.kind} · {draft.language} · {draft.method} · {draft.template_name} "
               f"v{draft.template_version}")  # fmt: skip
    show_code(draft.text)
    if draft.lint_ok:
        st.success("Lint: OK", icon=":material/check:")
    else:
        st.warning("Lint: held for review", icon=":material/warning:")
        show_text("\n".join(f"- {p}" for p in draft.lint_problems))


def _llm_preview(tpl: Template, message_id: int, label: str) -> None:
    settings = current_settings()
    if not settings.llm.enabled or not tpl.llm:
        st.caption("LLM draft: " + ("this template is offline-only." if not tpl.llm else
                   "no language model configured (Settings)."))  # fmt: skip
        return
    if not st.button("Draft with the LLM", key="prompt_llm"):
        return
    model = chat_model(settings, purpose="draft")
    if model is None:
        show_error(st.session_state.get("_llm_problem", "The language model is not available."))
        return
    box = st.empty()
    with read_session() as s:
        drafter, chunks = prompt_preview.stream_llm_draft(
            session=s, settings=settings, chat_model=model, message_id=message_id,
            template=tpl, label=label,
        )  # fmt: skip
        text = ""
        for chunk in chunks:
            text += chunk
            box.code(text, wrap_lines=True)
    box.empty()
    if drafter.last_result is not None:
        _show_draft("LLM draft", drafter.last_result)


def _history(name: str) -> None:
    with read_session() as s:
        versions = list_versions(session=s, name=name)
    st.dataframe(
        [
            {
                "version": v.version,
                "status": v.status,
                "source": "shipped file" if v.source == "shipped" else "edited in the app",
                "author": v.author,
                "when": v.created_at.strftime("%Y-%m-%d %H:%M") if v.created_at else "",
                "note": v.note,
            }
            for v in versions
        ],
        hide_index=True,
        width="stretch",
    )
    numbers = [v.version for v in versions]
    if len(numbers) < 2:
        st.caption("No edits yet: saving an edit creates version "
                   f"{numbers[-1] + 1 if numbers else 1}.")  # fmt: skip
        return
    cols = st.columns(2)
    old = cols[0].selectbox("Compare", numbers, index=len(numbers) - 2, key=f"diff_old_{name}")
    new = cols[1].selectbox("with", numbers, index=len(numbers) - 1, key=f"diff_new_{name}")
    with read_session() as s:
        diff = diff_versions(session=s, name=name, old=old, new=new)
    show_code(diff or "(no difference)", language="diff")
    target = st.selectbox("Roll back to", numbers, index=len(numbers) - 2, key=f"rb_{name}")
    if st.button(f"Roll back to v{target}", key=f"rollback_{name}"):
        try:
            with session_scope() as s:
                rollback(session=s, name=name, version=target)
        except ResponderError as exc:
            show_error(exc)
            return
        flash(f"{name} now uses v{target}; later versions are kept (inactive).")
        offer_regenerate(name)
        st.session_state.pop(EDITOR.format(name=name), None)
        st.rerun()


def _draft_test(tpl: Template) -> None:
    st.caption(
        "Drafts (offline, nothing stored) for labelled messages of this template's labels: the "
        "ones whose label you corrected first. Test the editor's text before you activate it."
    )
    if not st.button("Test on labelled messages", key="draft_test"):
        return
    with read_session() as s:
        trials = prompt_preview.try_on_labelled(
            session=s, settings=current_settings(), template=tpl
        )
    if not trials:
        st.info("No labelled messages for this template yet: import some or load the demo.")
        return
    passed = sum(t.draft.lint_ok for t in trials)
    st.metric("Drafts passing the check", f"{passed} of {len(trials)}")
    for trial in trials:
        _show_draft(f"Message #{trial.message_id} · {label_name(trial.label)}", trial.draft)


def _classify_test(edited: Template | None) -> None:
    st.caption(
        "Runs the classifier on your corrected messages (and an uploaded JSONL file in the "
        "`responder eval` format) with the active template and with your edit, side by side."
    )
    upload = st.file_uploader("Labelled JSONL (text, label)", type=["jsonl"], key="classify_jsonl")
    if not st.button("Test before activating", key="classify_test"):
        return
    with read_session() as s:
        examples = prompt_preview.corrected_examples(session=s)
    if upload is not None:
        extra, errors = prompt_preview.read_labelled_jsonl(upload.getvalue())
        examples += extra
        if errors:
            show_text("Skipped: " + "; ".join(errors[:10]))
    if not examples:
        st.info("No labelled messages: correct some labels in the Inbox or upload a file.")
        return
    settings = current_settings()
    model = chat_model(settings, purpose="classify") if settings.llm.enabled else None
    cols = st.columns(2)
    for col, title, tpl in ((cols[0], "Active", None), (cols[1], "Edited", edited)):
        with col:
            st.subheader(title)
            try:
                with st.spinner("Classifying…"):
                    res = prompt_preview.run_classify_test(
                        settings=settings, chat_model=model, examples=examples, template=tpl
                    )
            except ResponderError as exc:
                show_error(exc)
                continue
            st.metric("Accuracy", f"{res.accuracy:.1%}")
            st.metric("Macro-F1", f"{res.macro_f1():.3f}")
            st.caption(f"{res.total} messages, {len(res.errors)} failed")


def main() -> None:
    st.title("Prompts")
    st.caption("The templates behind every draft. Edits are versioned; drafts record the version "
               "that wrote them.")  # fmt: skip
    show_flashes()
    profile_panel.render()
    try:
        lib = _library()
    except ResponderError as exc:
        show_error(exc)
        return
    for problem in lib.problems:
        show_error(problem)
    name = _pick_template(lib)
    tpl, body = lib.get(name), lib.bodies[name]
    with read_session() as s:
        draft_row = latest_draft(session=s, name=name)
    draft = draft_row.version if draft_row else None
    base = draft_row.body if draft_row else body
    st.caption(one_line(tpl.description, limit=300))
    where = "edited in the app" if lib.sources[name] == "db" else "the shipped file"
    st.info(
        f"In use: v{tpl.version} ({where})."
        + (
            f" Draft v{draft} is saved but not live: preview and test it, then Activate."
            if draft
            else ""
        )  # fmt: skip
    )
    tabs = st.tabs(["Edit", "Preview", "History", "Test"])
    with tabs[0]:
        text = prompt_form.render(name, base) if tpl.kind != "classify" else base
        text, problems = _editor(name, text)
        _save_controls(name, text, base, problems, lib.sources[name], draft)
    edited = prompt_preview.edited_template(name=name, body=text) if not problems else None
    with tabs[1]:
        if edited is None:
            st.info("Fix the template's problems to preview it.")
        else:
            _preview(edited)
    with tabs[2]:
        _history(name)
    with tabs[3]:
        if tpl.kind == "classify":
            _classify_test(edited if text != body else None)
        elif edited is not None:
            _draft_test(edited)


main()
