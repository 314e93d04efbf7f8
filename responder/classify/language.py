"""Language of a message (offline, with lingua restricted to the languages users write us in)."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

#: ISO 639-1 codes we detect. Drafts have offline fallbacks for at least en, de, fr, es.
SUPPORTED = ("en", "de", "fr", "es", "it", "nl", "pt")
UNKNOWN = "und"
_URL = re.compile(r"https?://\S+|www\.\S+|\S+@\S+")


@lru_cache(maxsize=1)
def _detector() -> Any:
    from lingua import IsoCode639_1, LanguageDetectorBuilder

    codes = [getattr(IsoCode639_1, code.upper()) for code in SUPPORTED]
    return (
        LanguageDetectorBuilder.from_iso_codes_639_1(*codes)
        .with_preloaded_language_models()
        .with_low_accuracy_mode()
        .build()
    )


def detect_language(text: str, *, default: str = UNKNOWN) -> str:
    """ISO 639-1 code of the text's language, or `default` when too short or unclear."""
    cleaned = _URL.sub(" ", text or "")[:2000]
    if len(re.findall(r"[^\W\d_]{2,}", cleaned)) < 3:
        return default
    language = _detector().detect_language_of(cleaned)
    if language is None:
        return default
    return str(language.iso_code_639_1.name).lower()
