"""A deadline every wait of a model call respects (``PLANNUM_LLM_TIMEOUT`` bounds a whole turn).

HTTP timeouts apply to each read: a server that trickles a byte every few seconds never times out.
:func:`within` runs a call in a worker thread and waits at most the time given, so the caller gets
its answer or :class:`DeadlineExceeded` in time whatever the server does. The HTTP client from
:func:`http_client` makes the abandoned call end soon after too: each request's timeouts are cut to
the time left, and a body still arriving after the deadline is dropped.
"""

from __future__ import annotations

import contextvars
import sys
import threading
import time
from collections.abc import Callable, Iterator
from functools import cache
from typing import Any, TypeVar

T = TypeVar("T")
_DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar("plannum_deadline", default=None)


class DeadlineExceeded(Exception):
    """The call did not finish in the time given."""


def within(seconds: float, call: Callable[[], T]) -> T:
    """``call()``'s result or exception, or :class:`DeadlineExceeded` after ``seconds``."""
    deadline = time.monotonic() + seconds
    outcome: list[tuple[bool, Any]] = []
    done = threading.Event()

    def run() -> None:
        _DEADLINE.set(deadline)
        try:
            outcome.append((True, call()))
        except BaseException as exc:  # handed to the caller, in its thread
            outcome.append((False, exc))
        finally:
            done.set()

    context = contextvars.copy_context()
    threading.Thread(target=context.run, args=(run,), name="plannum-model-call", daemon=True).start()
    if not done.wait(max(seconds, 0.0)):
        raise DeadlineExceeded(f"no answer within {seconds:.1f} s")
    succeeded, value = outcome[0]
    if succeeded:
        return value  # type: ignore[no-any-return]
    raise value


@cache
def http_client() -> Any:
    """An HTTP client for the OpenAI SDK (its defaults) that honours the deadline of :func:`within`; one per
    process, so that every engine reuses its connections (thread-safe; deadlines are per call)."""
    import openai

    return openai.DefaultHttpxClient(event_hooks={"request": [_cut_timeouts], "response": [_stop_reading]})


def _cut_timeouts(request: Any) -> None:
    deadline = _DEADLINE.get()
    if deadline is None:
        return
    left = max(deadline - time.monotonic(), 0.001)
    timeouts = request.extensions.get("timeout") or {}
    request.extensions["timeout"] = {
        key: left if timeouts.get(key) is None else min(timeouts[key], left)
        for key in ("connect", "read", "write", "pool")
    }


def _stop_reading(response: Any) -> None:
    deadline = _DEADLINE.get()
    if deadline is not None:
        httpx = sys.modules[type(response).__module__.partition(".")[0]]  # httpx2 under openai 3, httpx under 2
        response.stream = _until(httpx)(response.stream, deadline, response.request)


@cache
def _until(httpx: Any) -> Any:
    class Until(httpx.SyncByteStream):  # type: ignore[misc]
        """A response body that stops at the deadline (a trickle would otherwise keep the call alive)."""

        def __init__(self, stream: Any, deadline: float, request: Any) -> None:
            self.stream, self.deadline, self.request = stream, deadline, request

        def __iter__(self) -> Iterator[bytes]:
            for chunk in self.stream:
                if time.monotonic() > self.deadline:
                    raise httpx.ReadTimeout("the deadline has passed", request=self.request)
                yield chunk

        def close(self) -> None:
            self.stream.close()

    return Until
