"""Reading YAML/JSON files into strict models, with errors that name file, field and line;
reading the NumPy archives the index writes."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from .errors import PlannumError

M = TypeVar("M", bound=BaseModel)
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C loader is ~10x faster when available


@contextmanager
def read_arrays(path: Path) -> Iterator[Any]:
    """The arrays of a ``.npz`` archive. A missing or unreadable file raises ``OSError``; a damaged
    archive (empty, truncated, a missing array) raises ``ValueError`` naming the file."""
    import numpy as np

    try:
        with np.load(path, allow_pickle=False) as data:
            yield data
    except OSError:
        raise
    except Exception as exc:  # EOFError, BadZipFile, KeyError…: a damaged archive
        raise ValueError(f"{path.name}: unreadable ({type(exc).__name__})") from exc


def parse_yaml(path: Path, raw: bytes, error: type[PlannumError]) -> Any:
    """Parse YAML (JSON is valid YAML); syntax errors become ``error`` with the line."""
    try:
        return yaml.load(raw, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}:" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise error(f"{path}:{where} invalid YAML: {problem}") from None
    except UnicodeDecodeError:
        raise error(f"{path}: not UTF-8 text") from None


def validate_file(path: Path, raw: bytes, data: Any, model: type[M], error: type[PlannumError]) -> M:
    """Validate parsed data against ``model``; the first error names its field and line."""
    if not isinstance(data, dict):
        raise error(f"{path}: expected a mapping of fields, got {type(data).__name__}")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        line = _line_of(raw, exc.errors()[0]["loc"])
        where = f" line {line}:" if line else ""
        raise error(f"{path}:{where} {first_error(exc)}") from None


def first_error(exc: ValidationError) -> str:
    """One line for the first validation error: ``field.path: message``."""
    error = exc.errors()[0]
    path = ".".join(str(part) for part in error["loc"])
    message = error["msg"].removeprefix("Value error, ")
    more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    return f"{path}: {message}{more}" if path else f"{message}{more}"


def load_model(path: Path, model: type[M], error: type[PlannumError]) -> M:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise error(f"{path}: cannot read file ({exc.strerror or exc})") from None
    return validate_file(path, raw, parse_yaml(path, raw, error), model, error)


def _line_of(raw: bytes, loc: tuple[int | str, ...]) -> int | None:
    """Best-effort line of the deepest key of ``loc`` that can be found in order in the file."""
    text = raw.decode("utf-8", "replace")
    position, found = 0, None
    for part in loc:
        if not isinstance(part, str):
            continue
        match = re.compile(rf"^\s*(-\s+)?['\"]?{re.escape(part)}['\"]?\s*:", re.MULTILINE).search(text, position)
        if match is None:
            break
        position, found = match.start(), match.start()
    return None if found is None else text.count("\n", 0, found) + 1
