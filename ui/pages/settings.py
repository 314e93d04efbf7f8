"""Settings: profile, language model (with a connection test), privacy, auto-approve policy and
follow-up timings. Changes are stored as preferences over config/responder.toml; secrets are
read from the environment or Streamlit secrets and only ever shown masked, never stored.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import available_timezones

import streamlit as st

from responder.app import llm_settings
from responder.app.llm_settings import METHODS, PROVIDERS
from responder.errors import ConfigError
from responder.settings import Settings
from responder.store.preferences import save_preferences
from responder.taxonomy import DISPLAY, REPORT_LABELS
from ui import profile_panel
from ui.components import page_header, show_error
from ui.profile_panel import offer_regenerate
from ui.state import base_settings, current_settings, flash, session_scope, show_flashes

TONES = ["friendly", "neutral", "formal"]
LANGUAGES = ["en", "de", "fr", "es", "it", "nl", "pt", "pl"]
WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
AUTO_LABELS = ["sales_pitch", "recruiting", "genuine"]


def _save(changes: dict[str, Any], what: str, *, stale_drafts: bool = False) -> None:
    try:
        with session_scope() as s:
            save_preferences(session=s, changes=changes, base=base_settings())
    except ConfigError as exc:
        show_error(exc)
        return
    flash(f"{what} saved.")
    if stale_drafts:
        offer_regenerate(None)
    st.rerun()


def _reset(keys: list[str], what: str) -> None:
    with session_scope() as s:
        save_preferences(session=s, changes=dict.fromkeys(keys), base=base_settings())
    flash(f"{what}: back to the defaults from config/responder.toml.")
    st.rerun()


def _with_current(options: list[str], value: str) -> list[str]:
    return options if value in options else [value, *options]


# --- profile ---------------------------------------------------------------------------------------


def profile_form(settings: Settings) -> None:
    p = settings.profile
    zones = sorted(available_timezones())
    with st.form("profile_form"):
        name = st.text_input("Your name", p.name, key="profile_name")
        signature = st.text_area("Signature", p.signature, height=90)
        c1, c2, c3 = st.columns(3)
        tone = c1.selectbox("Tone of drafts", TONES, index=TONES.index(p.tone))
        langs = _with_current(LANGUAGES, p.language)
        language = c2.selectbox("Language", langs, index=langs.index(p.language))
        zones = _with_current(zones, p.timezone)
        tz = c3.selectbox("Time zone", zones, index=zones.index(p.timezone))
        never_buy = st.text_area(
            "Never buy (one per line; named in firm declines)", "\n".join(p.never_buy)
        )
        keep = st.checkbox("Keep recruiters (treat them as genuine)", p.keep_recruiters)
        if st.form_submit_button("Save profile", type="primary"):
            _save(
                {
                    "profile.name": name.strip(),
                    "profile.signature": signature.rstrip(),
                    "profile.tone": tone,
                    "profile.language": language,
                    "profile.timezone": tz,
                    "profile.never_buy": [x.strip() for x in never_buy.splitlines() if x.strip()],
                    "profile.keep_recruiters": keep,
                },
                "Profile",
                stale_drafts=True,
            )
    if st.button("Reset profile", key="reset_profile"):
        _reset(
            [
                f"profile.{f}"
                for f in (
                    "name",
                    "signature",
                    "tone",
                    "language",
                    "timezone",
                    "never_buy",
                    "keep_recruiters",
                )
            ],
            "Profile",
        )


# --- language model -------------------------------------------------------------------------------


def llm_form(settings: Settings) -> None:
    llm = settings.llm
    current = llm_settings.provider_of(settings)
    with st.form("llm_form"):
        provider = st.radio(
            "Provider",
            PROVIDERS,
            index=PROVIDERS.index(current),
            horizontal=True,
            key="llm_provider",
        )
        url = st.text_input(
            "Server URL (OpenAI-compatible servers: Ollama, vLLM, llama.cpp)",
            llm.effective_base_url() if current == llm_settings.COMPATIBLE else "",
            placeholder="http://localhost:11434/v1",
            key="llm_url",
        )
        c1, c2 = st.columns(2)
        model = c1.text_input("Model", llm.model, key="llm_model")
        method = c2.selectbox(
            "Structured output method", METHODS, index=METHODS.index(llm.structured_output_method)
        )
        c3, c4 = st.columns(2)
        temperature = c3.slider("Temperature (drafts)", 0.0, 1.0, float(llm.temperature), 0.05)
        timeout = c4.number_input(
            "Timeout (seconds)", 1.0, 600.0, float(llm.timeout_s), 5.0, key="llm_timeout"
        )
        privacy = st.checkbox(
            "Privacy mode: send only sender, subject and links to the model, never the body",
            llm.privacy_mode,
        )
        st.text(llm_settings.key_status(settings))
        save = st.form_submit_button("Save model settings", type="primary")
        test = st.form_submit_button("Test connection")
    form = llm_settings.LlmForm(provider, url, model, method, privacy, temperature, timeout)
    if save:
        try:
            with session_scope() as s:
                llm_settings.save_llm_form(session=s, base=base_settings(), form=form)
        except ConfigError as exc:
            show_error(exc)
            return
        flash("Model settings saved.")
        st.rerun()
    if test:
        try:
            with st.spinner("Calling the model…"):
                st.session_state["llm_test_result"] = llm_settings.check_llm_form(
                    settings=settings, form=form
                )
        except ConfigError as exc:
            show_error(exc)
            return
    last = st.session_state.get("llm_test_result")
    if last:
        show_test_result(last)


def show_test_result(result: dict[str, Any]) -> None:
    if result.get("offline"):
        st.info(
            "Offline mode: there is no model to call, and none is needed. Drafts come from the "
            "offline templates and messages are sorted by the built-in classifier.",
            icon=":material/cloud_off:",
        )
        return
    c1, c2, c3 = st.columns(3)
    c1.metric("Model", result.get("model") or "—")
    latency = result.get("latency_ms")
    c2.metric("Latency", f"{latency} ms" if latency is not None else "—")
    c3.metric("Structured output", "works" if result.get("structured_output_ok") else "failed")
    if result.get("error"):
        show_error(result["error"])
    else:
        st.success("The model answered with the requested structure.", icon=":material/check:")


# --- policy and timings ----------------------------------------------------------------------------


def policy_form(settings: Settings) -> None:
    pol = settings.policy
    with st.form("policy_form"):
        st.write("Drafts for these labels may be approved without you when confident enough:")
        rules: dict[str, dict[str, Any]] = {}
        for label in AUTO_LABELS:
            rule = pol.auto_approve.get(label)
            c1, c2 = st.columns([1, 2])
            enabled = c1.checkbox(DISPLAY[label], bool(rule and rule.enabled), key=f"auto_{label}")
            conf = c2.slider(
                f"Minimum confidence ({DISPLAY[label]})",
                0.5,
                1.0,
                float(rule.min_confidence if rule else 0.9),
                0.01,
                key=f"conf_{label}",
            )
            rules[label] = {"enabled": enabled, "min_confidence": conf}
        never = ", ".join(DISPLAY[label] for label in sorted(REPORT_LABELS))
        st.caption(
            f"Never for {never}: those get a report note for you, no reply is ever sent. "
            "Never for a draft that fails lint, or for a sender you are in a conversation with."
        )
        cap = st.number_input(
            "Daily cap of auto-approved drafts", 0, 1000, pol.daily_auto_approve_cap, key="auto_cap"
        )
        threshold = st.slider(
            "Below this confidence a message waits for your review",
            0.0,
            1.0,
            float(pol.review_threshold),
            0.01,
        )
        if st.form_submit_button("Save auto-approve policy", type="primary"):
            _save(
                {
                    "policy.auto_approve": {**_plain_rules(settings), **rules},
                    "policy.daily_auto_approve_cap": int(cap),
                    "policy.review_threshold": threshold,
                },
                "Auto-approve policy",
            )


def _plain_rules(settings: Settings) -> dict[str, Any]:
    return {k: v.model_dump() for k, v in settings.policy.auto_approve.items()}


def followup_form(settings: Settings) -> None:
    pol = settings.policy
    with st.form("followup_form"):
        days = st.number_input(
            "Remind me about an unanswered genuine message after (days)",
            1,
            60,
            pol.reminder_days,
            key="reminder_days",
        )
        c1, c2 = st.columns(2)
        start = c1.number_input(
            "Business hours start (hour)", 0, 23, pol.business_hours_start, key="bh_start"
        )
        end = c2.number_input(
            "Business hours end (hour)", 1, 24, pol.business_hours_end, key="bh_end"
        )
        chosen = st.multiselect(
            "Business days",
            WEEKDAYS,
            [WEEKDAYS[d] for d in pol.business_days if 0 <= d < 7],
            key="business_days",
        )
        st.caption(f"Times are in your time zone ({settings.profile.timezone}, see Profile).")
        minutes = st.number_input(
            "Minutes saved per message handled without you (dashboard estimate)",
            0.0,
            60.0,
            float(pol.minutes_saved_per_message),
            0.5,
            key="minutes_saved",
        )
        digest = st.checkbox("Daily digest", settings.worker.digest_enabled)
        if st.form_submit_button("Save follow-up settings", type="primary"):
            if int(start) >= int(end):
                show_error("Business hours must start before they end.")
                return
            _save(
                {
                    "policy.reminder_days": int(days),
                    "policy.business_hours_start": int(start),
                    "policy.business_hours_end": int(end),
                    "policy.business_days": [WEEKDAYS.index(d) for d in chosen],
                    "policy.minutes_saved_per_message": float(minutes),
                    "worker.digest_enabled": digest,
                },
                "Follow-up settings",
            )


def main() -> None:
    page_header(
        "Settings",
        "Saved here, these override config/responder.toml and the environment. "
        "Secrets (API keys, passwords) stay in the environment or Streamlit secrets.",
    )
    show_flashes()
    profile_panel.render()
    settings = current_settings()
    profile, model, policy, followups = st.tabs(
        ["Profile", "Language model", "Auto-approve", "Follow-ups"]
    )
    with profile:
        profile_form(settings)
    with model:
        llm_form(settings)
    with policy:
        policy_form(settings)
    with followups:
        followup_form(settings)


main()
