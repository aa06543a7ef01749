"""Where command output goes: standard output, or a file written atomically; reading a query from stdin."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from pathlib import Path

from ..errors import PlannumError, QueryError
from .common import progress

# Reading stdin for a query stops one byte past any sane limit, so 1 GB of input cannot exhaust memory.
STDIN_CAP = 1_000_000


def read_query(text: str) -> str:
    if text != "-":
        return text
    data = sys.stdin.buffer.read(STDIN_CAP + 1)
    if len(data) > STDIN_CAP:
        raise QueryError(f"query too long: more than {STDIN_CAP:,} bytes on standard input")
    return data.decode("utf-8", "replace")


def emit(text: str, out: Path | None, what: str) -> None:
    """To standard output, or atomically to ``out``."""
    if out is None:
        sys.stdout.write(text)
    else:
        write_atomically(out, text)
        progress(f"{what} written to {out}")


def write_atomically(path: Path, text: str) -> None:
    """Never leave a half-written plan behind (or clobber a good one with a partial write)."""
    temporary: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False, suffix=".tmp", encoding="utf-8") as f:
            temporary = f.name
            f.write(text)
        os.replace(temporary, path)
    except OSError as exc:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
        raise PlannumError(f"{path}: cannot write ({exc.strerror or exc})") from None


def write_atomically_bytes(path: Path, data: bytes) -> None:
    """Write bytes next to the target, then move them into place (never a half-written document)."""
    temporary = path.with_name(f".{path.name}.tmp")
    try:
        temporary.write_bytes(data)
        temporary.replace(path)
    except OSError:
        temporary.unlink(missing_ok=True)
        raise
