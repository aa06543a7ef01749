"""Failures of the data directory as one line each: which path, what went wrong, what to do.

Read-only folders, full disks and a file where a folder should be are the user's to fix, never a
traceback (:class:`~plannum_assistant.errors.StorageError`, exit code 2).
"""

from __future__ import annotations

import errno
import shutil
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from .errors import StorageError

if TYPE_CHECKING:  # sqlite3 is imported by the stores that use it, not on the planning path
    import sqlite3

P = ParamSpec("P")
R = TypeVar("R")
DATA_DIR_HINT = "make it writable, or point PLANNUM_DATA_DIR at a writable folder"
_ALMOST_FULL = 1 << 20  # bytes free
_FULL = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)
_READ_ONLY = (errno.EROFS, errno.EACCES, errno.EPERM)


def reason(exc: OSError) -> str:
    """What went wrong, in the system's words ("No space left on device", "Read-only file system"...)."""
    return exc.strerror or str(exc)


def storage_error(path: Path, exc: OSError, doing: str, hint: str = DATA_DIR_HINT) -> StorageError:
    """One line for an ``OSError`` met while ``doing`` something with ``path``."""
    if exc.errno in _FULL:
        hint = "free some space, then try again"
    elif exc.errno not in _READ_ONLY:
        hint = "check the path and its permissions"
    return StorageError(f"{path}: cannot {doing} ({reason(exc)}); {hint}")


def ensure_folder(path: Path, what: str = "data folder") -> None:
    """``mkdir -p path``; a file in the way, a read-only or full disk is one line naming the culprit."""
    for ancestor in (path, *path.parents):
        if ancestor.exists() or ancestor.is_symlink():
            if not ancestor.is_dir():
                raise StorageError(
                    f"{ancestor}: is a file, where plannum needs its {what}; "
                    "point PLANNUM_DATA_DIR at a folder, or move that file away"
                )
            break
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise storage_error(path, exc, f"create the {what}") from None


def database_error(path: Path, exc: sqlite3.Error) -> StorageError:
    """One line for what SQLite reported about the database at ``path``, and what to do."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")):
        return StorageError(
            f"{path}: the database is damaged ({exc}); restore it from a backup, or move it aside to start a new one"
        )
    if name.startswith("SQLITE_FULL") or (name.startswith("SQLITE_IOERR") and _no_space(path.parent)):
        return StorageError(f"{path}: the disk is full; free some space, then try again (what was saved is kept)")
    if name.startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_PERM", "SQLITE_AUTH")):
        return StorageError(
            f"{path}: cannot open or write the database ({exc}); make {path.parent} writable, "
            "or point PLANNUM_DATA_DIR at a writable folder"
        )
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return StorageError(f"{path}: the database is busy (another plannum process is writing); try again")
    if name.startswith("SQLITE_IOERR"):
        return StorageError(f"{path}: disk error ({exc}); check that the disk is not full or failing, then try again")
    return StorageError(f"{path}: database error ({exc})")


def _no_space(folder: Path) -> bool:
    """SQLite says "disk I/O error" when a full disk stops its shared-memory file growing."""
    try:
        return shutil.disk_usage(folder).free < _ALMOST_FULL
    except OSError:
        return False


def guarded(method: Callable[P, R]) -> Callable[P, R]:
    """A store method whose SQLite errors become one :class:`StorageError` line naming the file
    (``self.path``, or ``self.sessions.path`` for the stores that share the sessions database)."""

    import sqlite3

    @wraps(method)
    def call(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(*args, **kwargs)
        except sqlite3.ProgrammingError:
            raise  # a closed store: a bug, not the user's to fix
        except sqlite3.Error as exc:
            owner: Any = args[0]
            path = getattr(owner, "path", None) or owner.sessions.path
            raise database_error(path, exc) from None

    return call
