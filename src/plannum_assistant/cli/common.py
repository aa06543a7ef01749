"""What every command shares: argument types, the assistant built from the environment, progress lines."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from datetime import date
from typing import IO, TYPE_CHECKING, Any

from ..errors import StdoutError

if TYPE_CHECKING:
    from ..assistant import Assistant


def positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {value!r}") from None
    if not 1 <= number <= 100:
        raise argparse.ArgumentTypeError(f"expected 1 to 100, got {number}")
    return number


def port(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a port number, got {value!r}") from None
    if not 1 <= number <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port from 1 to 65535, got {number}")
    return number


# A plan runs years past its reference date (horizons, re-assessment): a date near year 9999 overflows.
EARLIEST_DAY, LATEST_DAY = date(1900, 1, 1), date(2999, 12, 31)


def iso_date(value: str) -> date:
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected YYYY-MM-DD, got {value[:40]!r}") from None
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise argparse.ArgumentTypeError(f"expected a date from {EARLIEST_DAY} to {LATEST_DAY}, got {day}")
    return day


def build_assistant() -> Assistant:
    # Imported here so that `plannum --help` and argument errors stay instant.
    from ..assistant import Assistant
    from ..settings import load_settings

    return Assistant(load_settings())


def progress(message: str) -> None:
    sys.stderr.write(f"plannum: {message}\n")


class GuardedStdout:
    """Standard output whose write errors are told apart from every other OSError: one line saying
    so (:class:`StdoutError`), never a traceback. A reader that left (``| head``) stays a BrokenPipeError."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise _stdout_error(exc) from None

    def flush(self) -> None:
        try:
            self._stream.flush()
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise _stdout_error(exc) from None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def _stdout_error(exc: OSError) -> StdoutError:
    from ..storage import reason

    return StdoutError(
        f"cannot write to standard output ({reason(exc)}); free some space, or send the output elsewhere"
    )


def discard_stdout(stream: IO[str]) -> None:
    """Point standard output at /dev/null, so that what is still buffered cannot fail again at exit."""
    with contextlib.suppress(OSError, ValueError):  # not a real file (tests capture it)
        os.dup2(os.open(os.devnull, os.O_WRONLY), stream.fileno())
