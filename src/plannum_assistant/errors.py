"""Every error plannum raises on purpose, in one hierarchy.

Each class says when it is raised and how to fix the cause. The CLI turns any
:class:`PlannumError` into a one-line message on stderr and exit code 2; any
other exception is a bug.
"""

from __future__ import annotations

MAX_LINE_CHARS = 1000  # an error line quoting a huge input (a 100,000-item answer) is cut here


def one_line(message: str, limit: int = MAX_LINE_CHARS) -> str:
    """A message as one line of at most ``limit`` characters (line breaks become spaces); a longer one
    keeps its beginning (the file, the field) and its end (the rule), around " … "."""
    line = " ".join(message.splitlines())
    if len(line) <= limit:
        return line
    tail = limit // 4
    return f"{line[: limit - tail - 3]} … {line[-tail:]}"


class PlannumError(Exception):
    """Base class: a problem the user can fix, reported without a traceback."""

    exit_code = 2


class ConfigError(PlannumError):
    """Raised when settings (env vars, paths) are invalid.

    Fix: correct the ``PLANNUM_*`` environment variable named in the message.
    """


class CatalogueError(PlannumError):
    """Raised when a catalogue file is malformed or the catalogue is inconsistent.

    The message names the file, the field and, where known, the line.
    Fix: edit that file, then run ``plannum catalogue check``.
    """


class KnowledgeError(PlannumError):
    """Raised when a knowledge file other than the catalogue (dimensions...) is invalid.

    Fix: edit the file named in the message.
    """


class QueryError(PlannumError):
    """Raised when a search query is empty or too large.

    Fix: pass a non-empty query shorter than the limit given in the message.
    """


class IndexError_(PlannumError):
    """Raised when the retrieval index cannot be built or opened.

    Fix: delete the data directory named in the message and run ``plannum index``.
    """


class StorageError(PlannumError):
    """Raised when plannum cannot read or write its data directory (read-only, full disk, not a
    folder, a damaged sessions database) or a file it was asked to write.

    The message names the path and what to do; nothing already saved is changed.
    """


class StdoutError(StorageError):
    """Raised when standard output cannot be written (``plannum plan > /dev/full``, a full disk).

    Fix: free some space, or send the output elsewhere.
    """


class EvalError(PlannumError):
    """Raised when an evaluation set is malformed or references unknown ids.

    Fix: edit the eval file named in the message.
    """


class IntakeError(PlannumError):
    """Raised when an intake file is unreadable or invalid.

    The message names the file and the field path (``strategic_plan.adopted: ...``).
    Fix: correct that field; the format is documented in the README.
    """


class PlanFileError(PlannumError):
    """Raised when a plan file (``plannum validate --plan``) is unreadable or breaks a rule of the plan contract.

    The message names the file, the field and the rule that failed.
    Fix: correct that field, or draft the plan again with ``plannum plan``.
    """


class PlanInvalidError(PlannumError):
    """Raised when the planner builds a plan that breaks the model's business rules.

    This is a bug in the planner or an inconsistency in the catalogue, never the
    user's fault; nothing is printed. Fix: report it with the intake that caused it.
    """

    exit_code = 3


class InterviewError(PlannumError):
    """Raised when an interview cannot do what was asked (export too early, unknown session...).

    Fix: answer the questions named in the message first, or check the session id
    with ``plannum sessions list``.
    """


class EngineUnavailableError(PlannumError):
    """Raised by an engine (a configured LLM) that cannot answer: server down, timeout, refusal.

    Never reaches the user as an error: the caller falls back to the offline engine and says so.
    Fix, if the fallback notice keeps appearing: check ``PLANNUM_LLM_BASE_URL`` / ``OPENAI_API_KEY``.
    """
