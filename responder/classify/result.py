"""What every classification path returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class ClassificationResult:
    label: str
    confidence: float
    reasons: list[str]
    signals: dict[str, Any]
    method: str
    model: str | None = None
    prompt_name: str | None = None
    prompt_version: int | None = None
    needs_review: bool = False
    template_hash: str | None = None
    extra: dict[str, Any] = field(default_factory=dict, repr=False)
