"""Advisory file locks between plannum processes (``flock``: Linux and macOS).

The operating system releases a process's locks when it exits, killed or not, so a crashed build
never leaves a stale lock behind. Waits are bounded: after ``timeout`` seconds :class:`TimeoutError`.
Where the lock file cannot be created (a read-only data directory), no lock is taken: nothing can
be written there, so there is nothing to serialise.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

_POLL_S = 0.05
_UNWRITABLE = (errno.EROFS, errno.EACCES, errno.EPERM, errno.ENOENT, errno.ENOTDIR)


def _open(path: Path) -> int | None:
    try:
        return os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        if exc.errno not in _UNWRITABLE:
            raise
    try:
        return os.open(path, os.O_RDONLY)  # flock works on a read-only descriptor
    except OSError as exc:
        if exc.errno not in _UNWRITABLE:
            raise
        return None


@contextlib.contextmanager
def file_lock(
    path: Path, *, shared: bool = False, timeout: float, waiting: Callable[[], None] | None = None
) -> Iterator[None]:
    """Hold ``path`` locked (shared: with other shared holders). ``waiting`` is called once if another
    process holds it, before waiting up to ``timeout`` seconds."""
    descriptor = _open(path)
    if descriptor is None:
        yield
        return
    try:
        mode = fcntl.LOCK_SH if shared else fcntl.LOCK_EX
        deadline = time.monotonic() + timeout
        told = False
        while True:
            try:
                fcntl.flock(descriptor, mode | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise TimeoutError(f"{path}: still locked by another process after {timeout:.0f} s") from None
                if waiting is not None and not told:
                    waiting()
                    told = True
                time.sleep(_POLL_S)
        yield
    finally:
        os.close(descriptor)  # closing the descriptor releases the lock


@contextlib.contextmanager
def try_lock(path: Path) -> Iterator[bool]:
    """Hold ``path`` locked exclusively if no other process holds it: True; otherwise (or where no
    lock file can exist) False, at once."""
    descriptor = _open(path)
    if descriptor is None:
        yield False
        return
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(descriptor)
