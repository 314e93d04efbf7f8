"""Cue counting on the lexicon data file: the order rules of the combined scan, the separate
lexicons, and validation of the data file."""

from __future__ import annotations

from pathlib import Path

import pytest

from responder.classify import cues
from responder.classify import lexicon as lx
from responder.errors import ConfigError


def test_every_cue_has_a_lexicon_and_an_explanation() -> None:
    for name in cues.CUE_NAMES:
        assert lx.LEXICONS[name], name
    assert set(lx.EXPLAIN) <= set(cues.CUE_NAMES)


def test_combined_scan_gives_an_overlap_to_the_first_listed_lexicon() -> None:
    # "bank details" is in PAYMENT (listed before PERSONAL_DATA): one payment cue, no personal data.
    counts = cues.cue_counts("please send your bank details")
    assert counts["payment"] == 1
    # The same place is not counted twice by the combined lexicons.
    assert sum(counts[n] for n in cues._COMBINED) == 1


def test_separate_lexicons_count_every_match_of_their_own() -> None:
    text = "urgent: verify your account, your card is blocked, reply now, urgent"
    counts = cues.cue_counts(text)
    for name in cues._SEPARATE:
        assert counts[name] == len(cues.CUES[name].findall(text.lower())), name
    assert counts["urgency"] >= 2 and counts["second_person"] >= 2


def test_cues_start_at_word_starts_only() -> None:
    assert cues.cue_counts("my password is safe")["credentials"] == 1
    assert cues.cue_counts("mypassword")["credentials"] == 0


def test_directed_abuse_needs_the_reader_and_no_banter() -> None:
    counts = cues.cue_counts("you are an idiot")
    assert cues.directed_abuse("you are an idiot", counts)
    banter = "you are an idiot lol"
    assert not cues.directed_abuse(banter, cues.cue_counts(banter))


def test_a_broken_lexicon_file_names_the_entry(tmp_path: Path) -> None:
    bad = tmp_path / "lexicon.yaml"
    text = lx.LEXICON_FILE.read_text(encoding="utf-8")
    bad.write_text(text.replace("      - 'password'\n", "      - 'pass(word'\n", 1), "utf-8")
    with pytest.raises(ConfigError, match=r"lexicons\.credentials\.patterns.*pass\(word"):
        lx.load_lexicon(bad)
    bad.write_text(text + "\nsurprise: 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="surprise"):
        lx.load_lexicon(bad)


def test_the_shipped_lexicon_loads() -> None:
    data = lx.load_lexicon()
    assert "linkedin" in data.brands and "bit.ly" in data.shorteners
