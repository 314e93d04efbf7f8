"""A generated LinkedIn export for import benchmarks, written row by row (fixed seed).

    python -m bench.gen_linkedin OUT.csv [--n 100000] [--seed 7] [--zip]

Unlike `bench.gen_inbox` (labelled messages for the classifier), this aims at the importer: the
current header with draft columns, conversations of several messages where the owner replies in
some, multi-line content with quotes and commas, HTML content, double-encoded UTF-8 (mojibake),
German/French/Spanish text, a few system and draft rows, and recipient URLs separated by `;` or
`,`. Nothing is kept in memory: 100,000 rows stream straight to disk.

Measure the import with the real command, e.g.:

    /usr/bin/time -v .venv/bin/responder import OUT.csv --no-triage --json
"""

from __future__ import annotations

import argparse
import csv
import random
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

HEADER = ["CONVERSATION ID", "CONVERSATION TITLE", "FROM", "SENDER PROFILE URL", "TO",
          "RECIPIENT PROFILE URLS", "DATE", "SUBJECT", "CONTENT", "FOLDER", "ATTACHMENTS",
          "IS MESSAGE DRAFT", "IS CONVERSATION DRAFT"]  # fmt: skip
OWNER = ("Alex Morgan", "https://www.linkedin.com/in/alex-morgan-bench")
FIRST = ["Anna", "Ben", "Chloé", "Dmitri", "Elif", "Farid", "Greta", "Hiro", "Inès", "Jonas",
         "Kavya", "Lukas", "María", "Noah", "Olga", "Pedro", "Quinn", "Rosa", "Sven", "Tariq"]  # fmt: skip
LAST = ["Schmidt", "Okafor", "Nguyen", "García", "Müller", "Rossi", "Kowalski", "Dubois",
        "Johansson", "Tanaka", "Silva", "Brown", "Novak", "Haddad", "Jensen", "Ivanova"]  # fmt: skip
OPENERS = [
    "Hi Alex, hope your week is going well!",
    "Hello Alex,",
    "Hey Alex - quick one.",
    "Hallo Alex, ich hoffe, es geht Ihnen gut.",
    "Bonjour Alex, j'espère que vous allez bien.",
    "Hola Alex, ¿qué tal?",
]
BODIES = [
    "We help B2B teams book 15-20 qualified meetings a month, and you only pay per meeting held. "
    "Open to a quick call on Thursday?",
    "I'm recruiting for a Staff Data Engineer role (remote, EUR 140-160k). Your background looks "
    'like a great fit - would you be open to a "confidential" chat?',
    "Could we move our review call to Friday 15:00? The client needs one more day for the numbers.",
    "Our AI-powered CRM helps data teams close 3x more deals. Can I send you a 2-minute Loom?",
    "Your account was flagged for unusual sign-ins. Verify within 24 hours at "
    "https://linkedin-security-verify.example/login or it will be suspended.",
    "Thanks again for the intro last week, we already set up a call. Coffee is on me!",
    "I found 37 SEO errors on your website. We can get you to page 1 of Google in 90 days.",
    "Wir helfen SaaS-Unternehmen, ihre Vertriebspipeline zu verdoppeln. Hätten Sie 15 Minuten?",
    "Notre agence accompagne les entreprises tech dans leur transformation digitale.",
]
REPLIES = ["Thanks, sounds good!", "Not interested, thank you.", "Friday works, talk then.",
           "Could you send more details by e-mail?"]  # fmt: skip


def _mojibake(text: str) -> str:
    return text.encode("utf-8").decode("latin-1")


def _content(rng: random.Random) -> str:
    text = f"{rng.choice(OPENERS)}\n\n{rng.choice(BODIES)}"
    if rng.random() < 0.3:
        text += "\n\n" + rng.choice(BODIES)
    text += f"\n\nBest,\n{rng.choice(FIRST)}"
    roll = rng.random()
    if roll < 0.03:
        paragraphs = "".join(f"<p>{p}</p>" for p in text.split("\n\n"))
        text = f'{paragraphs}<p><a href="https://example.com/x">details</a></p>'
    elif roll < 0.05:
        text = _mojibake(text)
    return text


def generate_rows(n: int, *, seed: int = 7) -> Iterator[list[str]]:
    """`n` rows of a LinkedIn messages.csv (without the header), deterministic for a seed."""
    rng = random.Random(seed)
    senders = [
        (f"{rng.choice(FIRST)} {rng.choice(LAST)}", f"https://www.linkedin.com/in/p-{i:06d}")
        for i in range(max(10, n // 8))
    ]
    t = datetime(2022, 1, 1, tzinfo=UTC)
    produced, conv = 0, 0
    while produced < n:
        conv += 1
        cid = f"2-{rng.getrandbits(96):024x}"
        name, url = rng.choice(senders)
        sep = rng.choice([";", ",", "; "])
        for k in range(min(rng.choice([1, 1, 1, 2, 3, 4]), n - produced)):
            t += timedelta(seconds=rng.randint(30, 900))
            mine = k > 0 and rng.random() < 0.4
            frm, furl, to, turl = (*OWNER, name, url) if mine else (name, url, *OWNER)
            content = rng.choice(REPLIES) if mine else _content(rng)
            if rng.random() < 0.002:
                content = "Message request accepted"
            draft = "Yes" if mine and rng.random() < 0.01 else "No"
            date = t.strftime("%Y-%m-%d %H:%M:%S UTC")
            yield [cid, "", frm, furl, to, turl + (sep if rng.random() < 0.1 else ""), date, "",
                   content, "INBOX", "", draft, "No"]  # fmt: skip
            produced += 1


def write_export(path: Path, *, n: int, seed: int = 7, as_zip: bool = False) -> Path:
    """Write the generated export to `path` (a messages.csv, or a .zip holding one)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if as_zip:
        with (
            zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf,
            zf.open("messages.csv", "w", force_zip64=True) as raw,
        ):
            _write(raw, n, seed)
        return path
    with path.open("wb") as raw:
        _write(raw, n, seed)
    return path


def _write(raw, n: int, seed: int) -> None:  # type: ignore[no-untyped-def]
    import io

    with io.TextIOWrapper(raw, encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        writer.writerows(generate_rows(n, seed=seed))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.gen_linkedin")
    parser.add_argument("out", type=Path)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--zip", action="store_true", help="write a .zip export instead")
    args = parser.parse_args(argv)
    path = write_export(args.out, n=args.n, seed=args.seed, as_zip=args.zip)
    print(f"wrote {args.n} rows to {path} ({path.stat().st_size / 2**20:.1f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
