"""`--out` writes atomically: a failed write never clobbers the file already there."""

from __future__ import annotations

import contextlib
import errno
import io
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from plannum_assistant.cli import output as cli
from plannum_assistant.errors import PlannumError

OLD = '{"plan": "the good one"}\n'
NEW = '{"plan": "a new one, long enough to be cut in half by a full disk"}\n'


class _DiskFullWriter:
    """A file whose write() stores half the text, then fails as a full disk does."""

    def __init__(self, file: Any) -> None:
        self._file = file

    def write(self, text: str) -> int:
        self._file.write(text[: len(text) // 2])
        self._file.flush()
        raise OSError(errno.ENOSPC, "No space left on device")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._file, name)

    def __enter__(self) -> _DiskFullWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self._file.close()


def _disk_full(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every file opened for writing fills the disk mid-way, whether written in place or via a temporary file."""
    real_open = io.open

    def opener(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        handle = real_open(file, mode, *args, **kwargs)
        return _DiskFullWriter(handle) if "w" in mode else handle

    monkeypatch.setattr(io, "open", opener)


def _replace_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(src: Any, dst: Any) -> None:
        raise OSError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)  # what cli calls to move the finished file into place


FAILURES: dict[str, Callable[[pytest.MonkeyPatch], None]] = {"disk full": _disk_full, "replace fails": _replace_fails}


@pytest.mark.parametrize("failure", FAILURES)
def test_a_failed_write_leaves_the_existing_file_intact(
    failure: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "plan.json"
    path.write_text(OLD, encoding="utf-8")
    with monkeypatch.context() as patch:
        FAILURES[failure](patch)
        with pytest.raises(PlannumError) as caught:
            cli.write_atomically(path, NEW)
    assert path.read_text(encoding="utf-8") == OLD
    message = str(caught.value)
    assert "\n" not in message and message.startswith(f"{path}: cannot write (")
    assert ("No space left on device" if failure == "disk full" else "Permission denied") in message


@pytest.mark.parametrize("failure", FAILURES)
def test_a_failed_write_leaves_no_temporary_file(failure: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "plan.json"
    path.write_text(OLD, encoding="utf-8")
    with monkeypatch.context() as patch:
        FAILURES[failure](patch)
        with pytest.raises(PlannumError):
            cli.write_atomically(path, NEW)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.json"]


def test_a_successful_write_replaces_the_file_and_leaves_nothing_else(tmp_path: Path) -> None:
    path = tmp_path / "out" / "plan.json"
    path.parent.mkdir()
    path.write_text(OLD, encoding="utf-8")
    cli.write_atomically(path, NEW)
    assert path.read_text(encoding="utf-8") == NEW
    assert [p.name for p in path.parent.iterdir()] == ["plan.json"]


def test_a_symlink_is_written_through_and_stays_a_link(tmp_path: Path) -> None:
    target = tmp_path / "real.json"
    target.write_text(OLD, encoding="utf-8")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    cli.write_atomically(link, NEW)
    assert link.is_symlink() and target.read_text(encoding="utf-8") == NEW


def test_a_named_pipe_is_written_through_not_replaced(tmp_path: Path) -> None:
    import threading

    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(pipe.read_bytes()), daemon=True)
    reader.start()
    try:
        cli.write_atomically_bytes(pipe, NEW.encode())
    finally:
        if reader.is_alive():  # nothing was written through: release the reader (never block here)
            with contextlib.suppress(OSError):
                os.close(os.open(pipe, os.O_WRONLY | os.O_NONBLOCK))
        reader.join(timeout=10)
    assert received[:1] == [NEW.encode()]
    assert pipe.is_fifo()  # still a pipe, not a regular file in its place


def test_a_folder_is_refused_in_one_line_and_left_alone(tmp_path: Path) -> None:
    with pytest.raises(PlannumError, match="is a folder"):
        cli.write_atomically(tmp_path, NEW)
    assert list(tmp_path.iterdir()) == []
