"""Say what a file is when it is not one we import: another file of LinkedIn's data export
(Connections.csv, Invitations.csv, Profile.csv, ...) or a binary file (an image, a PDF, a
spreadsheet). The messages then name the file the user should pick instead, and never show raw
bytes.
"""

from __future__ import annotations

import re

#: Header columns (lower case) that identify a file of LinkedIn's export, most specific first.
LINKEDIN_FILES: list[tuple[str, frozenset[str]]] = [
    ("Connections.csv", frozenset({"first name", "last name", "connected on"})),
    ("Invitations.csv", frozenset({"from", "to", "sent at", "direction"})),
    ("Profile.csv", frozenset({"first name", "last name", "headline", "summary"})),
    ("Positions.csv", frozenset({"company name", "title", "started on"})),
    ("Education.csv", frozenset({"school name", "degree name"})),
    ("Email Addresses.csv", frozenset({"email address", "confirmed", "primary"})),
    ("PhoneNumbers.csv", frozenset({"number", "type", "extension"})),
    ("Skills.csv", frozenset({"name"})),
    ("Languages.csv", frozenset({"name", "proficiency"})),
    ("Recommendations_Received.csv", frozenset({"first name", "text", "creation date"})),
    ("Recommendations_Given.csv", frozenset({"first name", "text", "creation date"})),
    ("Endorsement_Received_Info.csv", frozenset({"endorsement date", "skill name"})),
    ("Company Follows.csv", frozenset({"organization", "followed on"})),
    ("Reactions.csv", frozenset({"date", "type", "link"})),
    ("Comments.csv", frozenset({"date", "link", "message"})),
    ("Shares.csv", frozenset({"date", "sharelink", "sharecommentary"})),
    ("Registration.csv", frozenset({"registered at", "registration ip"})),
    ("Ad_Targeting.csv", frozenset({"member age", "company names"})),
    ("SavedJobAlerts.csv", frozenset({"alert parameters"})),
    ("Job Applications.csv", frozenset({"application date", "company name", "job title"})),
]
#: Connections.csv starts with a few "Notes:" lines before its header.
_CONNECTIONS_HINT = re.compile(r"first name,\s*last name,\s*url,", re.IGNORECASE)
_BINARY_MAGIC: list[tuple[bytes, str]] = [
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\xd0\xcf\x11\xe0", "an old Office document"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"SQLite format 3", "a SQLite database"),
]
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def linkedin_file_for(header: list[str]) -> str | None:
    """The name of LinkedIn's export file whose columns `header` has, or None."""
    columns = {h.replace("\ufeff", "").strip().lower() for h in header}
    if "conversation id" in columns:
        return "messages.csv"
    best: tuple[int, str] | None = None
    for name, needed in LINKEDIN_FILES:
        if needed <= columns and (best is None or len(needed) > best[0]):
            best = (len(needed), name)
    if best is not None and (best[0] >= 2 or columns == {"name"}):
        return best[1]
    return None


def linkedin_file_in_text(head: str) -> str | None:
    """Like `linkedin_file_for`, from the first lines of a CSV (which may start with notes)."""
    if _CONNECTIONS_HINT.search(head):
        return "Connections.csv"
    for line in head.splitlines()[:12]:
        found = linkedin_file_for(line.split(","))
        if found and found != "messages.csv":
            return found
    return None


def binary_kind(head: bytes) -> str | None:
    """What a binary file looks like ("a PDF document"), or None for text."""
    for magic, kind in _BINARY_MAGIC:
        if head.startswith(magic):
            return kind
    if not head or head.startswith(_UTF16_BOMS):
        return None
    sample = head[:4096]
    if b"\x00" in sample:
        return "a binary file"
    controls = sum(1 for b in sample if b < 9 or 13 < b < 32)
    return "a binary file" if controls > len(sample) // 20 else None


def not_messages_reason(file: str, other: str) -> str:
    """The message for a file of LinkedIn's export that holds no messages."""
    return (
        f"{file}: this looks like LinkedIn's {other}, not messages.csv. Pick messages.csv from "
        "the export (or upload the whole export .zip): it holds your conversations."
    )
