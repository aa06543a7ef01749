"""Where command output goes: standard output, or a file written atomically; reading a query from stdin."""

from __future__ import annotations

import contextlib
import errno
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
    write_atomically_bytes(path, text.encode("utf-8"))


def write_atomically_bytes(path: Path, data: bytes) -> None:
    """Write next to the target, then move into place: never a half-written file. A symlink, a named
    pipe or a device (``/dev/stdout``) is written through, never replaced; a folder is refused.
    Every failure is one PlannumError line, and no temporary file stays behind."""
    refuse_folder(path)
    try:
        if path.is_symlink() or (path.exists() and not path.is_file()):
            with open(path, "wb") as stream:
                stream.write(data)
            return
    except OSError as exc:
        raise _cannot_write(path, exc) from None
    temporary: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("wb", dir=path.parent, delete=False, suffix=".tmp") as f:
            temporary = f.name
            f.write(data)
        os.replace(temporary, path)
    except OSError as exc:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
        raise _cannot_write(path, exc) from None


def refuse_folder(path: Path) -> None:
    """A file to write must not be a folder (checked before the work that produces it)."""
    if path.is_dir():
        raise PlannumError(f"{path}: is a folder; give a file name")


def output_folder(path: Path) -> None:
    """Create the folder a command writes its files into; a file in the way, a read-only or full disk
    is one line (before the work, not after)."""
    if path.exists() and not path.is_dir():
        raise PlannumError(f"{path}: is a file, not a folder; give --out a folder name (or move that file away)")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _cannot_write(path, exc) from None


def _cannot_write(path: Path, exc: OSError) -> PlannumError:
    from ..storage import reason

    full = exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)
    hint = "free some space, then try again" if full else "choose another path, or make its folder writable"
    return PlannumError(f"{path}: cannot write ({reason(exc)}); {hint}")
