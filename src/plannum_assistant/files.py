"""Reading YAML/JSON files into strict models, with errors that name file, field and line;
reading the NumPy archives the index writes.

A file is read up to a size limit (``/dev/zero`` or a runaway file is refused, never read until
memory runs out), and a key given twice in one mapping is an error naming its line (YAML would
silently keep the last one).
"""

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
MAX_FILE_BYTES = 10_000_000  # the largest YAML/JSON file read (knowledge, scripts, eval sets); intakes have less
_SafeLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C loader is ~10x faster when available
_MERGE = "tag:yaml.org,2002:merge"


class _Loader(_SafeLoader):  # type: ignore[misc]
    """The safe loader, refusing a key given twice in one mapping (``<<`` merges may still be overridden)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, yaml.MappingNode):
            seen: set[Any] = set()
            for key_node, _ in node.value:
                if key_node.tag == _MERGE:
                    continue
                key = self.construct_object(key_node, deep=deep)
                try:
                    duplicate = key in seen
                    seen.add(key)
                except TypeError:  # an unhashable key: the base class says so
                    continue
                if duplicate:
                    raise yaml.constructor.ConstructorError(
                        "while constructing a mapping",
                        node.start_mark,
                        f"key {_clip(repr(key), 80)} given twice (keep one)",
                        key_node.start_mark,
                    )
        mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)
        return mapping


@contextmanager
def read_arrays(path: Path) -> Iterator[Any]:
    """The arrays of a ``.npz`` archive. A missing or unreadable file raises ``OSError``; a damaged
    archive (empty, truncated, a missing array) raises ``ValueError`` saying what failed (the caller,
    which knows what the file is for, names it)."""
    import numpy as np

    try:
        with np.load(path, allow_pickle=False) as data:
            yield data
    except OSError:
        raise
    except Exception as exc:  # EOFError, BadZipFile, KeyError…: a damaged archive
        raise ValueError(f"unreadable ({type(exc).__name__})") from exc


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


def load_model(path: Path, model: type[M], error: type[PlannumError], *, max_bytes: int = MAX_FILE_BYTES) -> M:
    raw = read_limited(path, max_bytes, error)
    return validate_file(path, raw, parse_yaml(path, raw, error), model, error)


def read_limited(path: Path, max_bytes: int, error: type[PlannumError]) -> bytes:
    """A file's bytes, refused in one line when unreadable or larger than ``max_bytes`` (read no further)."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(max_bytes + 1)
    except OSError as exc:
        raise error(f"{path}: cannot read file ({exc.strerror or exc})") from None
    if len(raw) > max_bytes:
        raise error(f"{path}: larger than {max_bytes:,} bytes, refused (is it the right file?)")
    return raw


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


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
