"""Streaming CSV records with the physical line number where each record starts.

`csv.reader.line_num` counts physical lines read so far, so a record starts at the previous
count + 1, which stays right when quoted fields hold newlines. The encoding is sniffed from the
first bytes (BOMs, UTF-8, else cp1252); undecodable bytes become U+FFFD instead of failing the
file. A malformed record (`csv.Error`) is reported and reading goes on with the next line.
"""

from __future__ import annotations

import csv
import io
import sys
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO

from responder.ingest.text import sniff_encoding

#: Largest single field we accept (a 10 MB message fits; csv's default is 128 KiB).
MAX_FIELD_CHARS = 64 * 1024 * 1024
STREAM_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, UnicodeError)


@dataclass(slots=True)
class Record:
    line: int
    row: list[str] | None
    error: str | None = None


def open_text(open_binary: Callable[[], IO[bytes]]) -> IO[str]:
    """Open a fresh binary stream and wrap it as text in the sniffed encoding."""
    with open_binary() as probe:
        head = probe.read(64 * 1024)
    stream = open_binary()
    return io.TextIOWrapper(stream, encoding=sniff_encoding(head), errors="replace", newline="")


def iter_records(text: IO[str]) -> Iterator[Record]:
    """Every non-blank record with its start line; csv errors come as records with `error`."""
    if csv.field_size_limit() < MAX_FIELD_CHARS:
        csv.field_size_limit(min(MAX_FIELD_CHARS, sys.maxsize))
    reader = csv.reader(text, strict=False)
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield Record(line=start, row=None, error=f"malformed CSV: {exc}")
            continue
        except STREAM_ERRORS as exc:
            yield Record(line=start, row=None, error=f"file is truncated or corrupt: {exc}")
            return
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        yield Record(line=start, row=row)


def normalise_header(row: list[str]) -> list[str]:
    return [cell.replace("\ufeff", "").strip().upper() for cell in row]
