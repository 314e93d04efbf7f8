"""Reading one member of an untrusted `.zip` without extracting anything to disk.

Nothing is ever written out, so a traversal name could not do harm here; an archive that holds
one (`../x`, `/etc/x`, `C:\\x`) is still refused as a whole, because LinkedIn never produces such
a file and it signals a crafted archive. Zip bombs are stopped three ways: a cap on the number of
members, a cap on the declared size and compression ratio of the member we read, and a counting
reader that stops when more bytes come out than were declared (headers can lie).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import IO

from responder.errors import ImportFormatError

MAX_MEMBERS = 20_000
#: Largest uncompressed member we read (a 100,000-message messages.csv is ~60 MB).
MAX_MEMBER_BYTES = 2 * 1024**3
#: Ratio above which a member bigger than RATIO_FLOOR bytes is taken for a bomb (CSV is ~5-10x).
MAX_RATIO = 200
RATIO_FLOOR = 10 * 1024**2


class _LimitedReader(io.RawIOBase):
    """Passes bytes through and fails once more than `limit` bytes came out."""

    def __init__(self, inner: IO[bytes], limit: int, name: str) -> None:
        self._inner = inner
        self._left = limit
        self._name = name

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self._inner.read(len(buffer))
        if len(data) > self._left:
            raise ImportFormatError(
                f"{self._name}: the archive member is larger than it declares (zip bomb?); refused"
            )
        self._left -= len(data)
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._inner.close()
        super().close()


def _unsafe_name(name: str) -> bool:
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        return True
    return ".." in PurePosixPath(name.replace("\\", "/")).parts


def _pick_member(path: Path, infos: list[zipfile.ZipInfo], wanted: str) -> zipfile.ZipInfo:
    matches = [
        i
        for i in infos
        if not i.is_dir() and PurePosixPath(i.filename).name.lower() == wanted.lower()
    ]
    if not matches:
        raise ImportFormatError(f"{path.name}: no {wanted} in the archive")
    info = min(matches, key=lambda i: (i.filename.count("/"), i.filename))
    display = f"{path.name}:{info.filename}"
    if info.flag_bits & 0x1:
        raise ImportFormatError(f"{display}: the archive is encrypted; export it again unencrypted")
    ratio = info.file_size / max(info.compress_size, 1)
    if info.file_size > MAX_MEMBER_BYTES or (info.file_size > RATIO_FLOOR and ratio > MAX_RATIO):
        raise ImportFormatError(
            f"{display}: {info.file_size} bytes uncompressed (ratio {ratio:.0f}:1) looks like a "
            "zip bomb; refused"
        )
    return info


def zip_member_opener(path: Path, wanted: str) -> tuple[Callable[[], IO[bytes]], str]:
    """A function that opens the member called `wanted` (case-insensitive basename, the
    shallowest one wins) as a fresh binary stream, and the member's display name.

    Raises `ImportFormatError` for a broken, encrypted or suspicious archive or a missing member.
    """
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError) as exc:
        raise ImportFormatError(f"{path.name}: not a readable .zip file ({exc})") from exc
    if len(infos) > MAX_MEMBERS:
        raise ImportFormatError(f"{path.name}: {len(infos)} files in the archive; refused")
    for info in infos:
        if _unsafe_name(info.filename):
            raise ImportFormatError(
                f"{path.name}: the archive contains an unsafe path {info.filename!r}; refused"
            )
    info = _pick_member(path, infos, wanted)
    display = f"{path.name}:{info.filename}"

    def open_member() -> IO[bytes]:
        zf = zipfile.ZipFile(path)
        try:
            inner = zf.open(info)
        except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError) as exc:
            zf.close()
            raise ImportFormatError(f"{display}: cannot be read ({exc})") from exc
        reader = _LimitedReader(inner, info.file_size, display)
        stream = io.BufferedReader(reader, buffer_size=1024 * 1024)
        orig_close = stream.close

        def close() -> None:
            orig_close()
            zf.close()

        stream.close = close  # type: ignore[method-assign]
        return stream

    return open_member, display
