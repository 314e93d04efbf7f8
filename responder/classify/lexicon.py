"""The cue lexicons (en, de, fr, es) behind the intent signals, loaded from `lexicon.yaml`.

The data file holds what a sender asks for or threatens (regular-expression fragments matched on
lower-cased text at word starts), the brands phishing imitates with their real domains, URL
shorteners, lure words and the one-sentence explanation of each cue. It is validated when loaded:
an unknown key, an empty lexicon or a fragment that is not a valid regular expression raises an
error that names the file and the entry.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from responder.errors import ConfigError

LEXICON_FILE = Path(__file__).with_name("lexicon.yaml")


class Lexicon(BaseModel):
    """One cue lexicon: what it stands for and its fragments, in order."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    about: str = ""
    patterns: list[str]

    @field_validator("patterns")
    @classmethod
    def _valid_patterns(cls, patterns: list[str]) -> list[str]:
        if not patterns:
            raise ValueError("a lexicon needs at least one pattern")
        for fragment in patterns:
            try:
                re.compile(fragment)
            except re.error as exc:
                raise ValueError(f"{fragment!r} is not a regular expression ({exc})") from exc
        return patterns


class LexiconFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    lexicons: dict[str, Lexicon]
    calendar_hosts: list[str]
    brands: dict[str, list[str]]
    shorteners: list[str]
    lure_words: list[str]
    explain: dict[str, str]


def load_lexicon(path: Path = LEXICON_FILE) -> LexiconFile:
    """The validated lexicon file (raises `ConfigError` naming the file and the entry)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return LexiconFile.model_validate(data)
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read the lexicon ({exc})") from exc
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise ConfigError(f"{path}: {problems}") from exc


_DATA = load_lexicon()
#: Each lexicon's fragments by name (credentials, payment, ..., friendly, self_reference).
LEXICONS: dict[str, list[str]] = {name: lex.patterns for name, lex in _DATA.lexicons.items()}
#: Meeting-booking hosts (a pitch marker).
CALENDAR_HOSTS: tuple[str, ...] = tuple(_DATA.calendar_hosts)
#: Brands impersonated by phishing and the domains they really use.
BRANDS: dict[str, tuple[str, ...]] = {b: tuple(d) for b, d in _DATA.brands.items()}
SHORTENERS: frozenset[str] = frozenset(_DATA.shorteners)
#: Words that make a sender-controlled domain look official.
LURE_WORDS: tuple[str, ...] = tuple(_DATA.lure_words)
#: One sentence per cue, shown in the UI and used to build reasons.
EXPLAIN: dict[str, str] = dict(_DATA.explain)
FRIENDLY = LEXICONS["friendly"]
SELF_REFERENCE = LEXICONS["self_reference"]
