"""Building LinkedIn exports for tests."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

CURRENT = ["CONVERSATION ID", "CONVERSATION TITLE", "FROM", "SENDER PROFILE URL", "TO",
           "RECIPIENT PROFILE URLS", "DATE", "SUBJECT", "CONTENT", "FOLDER", "ATTACHMENTS"]  # fmt: skip
NEWER = [*CURRENT, "IS MESSAGE DRAFT", "IS CONVERSATION DRAFT"]
OLDER = ["CONVERSATION ID", "CONVERSATION TITLE", "FROM", "SENDER PROFILE URL", "TO", "DATE",
         "SUBJECT", "CONTENT", "FOLDER"]  # fmt: skip
ME = ("Alex Morgan", "https://www.linkedin.com/in/alex-morgan")


def row(
    conv: str,
    frm: str,
    url: str,
    date: str,
    content: str,
    *,
    to: tuple[str, str] = ME,
    header: Sequence[str] = CURRENT,
    **extra: str,
) -> dict[str, str]:
    values = {"CONVERSATION ID": conv, "FROM": frm, "SENDER PROFILE URL": url, "TO": to[0],
              "RECIPIENT PROFILE URLS": to[1], "DATE": date, "CONTENT": content,
              "FOLDER": "INBOX"}  # fmt: skip
    values.update(extra)
    return {h: values.get(h, "") for h in header}


def write_csv(path: Path, rows: list[dict[str, str]], header: Sequence[str] = CURRENT) -> Path:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    for r in rows:
        w.writerow([r.get(h, "") for h in header])
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


def inbox(n: int = 3, header: Sequence[str] = CURRENT) -> list[dict[str, str]]:
    """n conversations, one message each from a different person to ME, plus one reply by ME."""
    rows = [
        row(
            f"conv-{i}",
            f"Person {i}",
            f"https://www.linkedin.com/in/person-{i}",
            f"2024-01-0{i + 1} 10:00:00 UTC",
            f"Hello number {i}",
            header=header,
        )  # fmt: skip
        for i in range(n)
    ]
    rows.append(
        row(
            "conv-0",
            ME[0],
            ME[1],
            "2024-01-01 11:00:00 UTC",
            "Thanks, will do",
            to=("Person 0", "https://www.linkedin.com/in/person-0"),
            header=header,
        )  # fmt: skip
    )
    return rows
