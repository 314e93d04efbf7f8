"""A small error hierarchy. Each error says what to do next."""

from __future__ import annotations


class ResponderError(Exception):
    """Base class: the message is written for humans and shown as is in the CLI and the app."""


class ConfigError(ResponderError):
    pass


class NeedsKeyError(ConfigError):
    def __init__(self, what: str = "the OpenAI-compatible server") -> None:
        super().__init__(
            f"No API key for {what}: set OPENAI_API_KEY or RESPONDER_LLM_API_KEY, "
            "or choose the offline provider (RESPONDER_LLM_PROVIDER=offline)."
        )


class ModelError(ResponderError):
    """The language model failed or answered something that could not be used."""


class ImportFormatError(ResponderError):
    """A file could not be read at all (wrong format, unreadable)."""


class PromptError(ResponderError):
    """A prompt template is invalid; the message names the file and the place."""


class NotFoundError(ResponderError):
    pass


class InvalidTransitionError(ResponderError):
    """A draft, delivery or follow-up cannot move to the asked state from its current one."""
