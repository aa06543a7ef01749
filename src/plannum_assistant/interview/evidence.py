"""Does a passage of the user's message state a value? The LLM engine's check on every proposed field.

A model's field carries ``evidence``, a passage it copied from the message. Being a passage of the
message is not enough ("we have some budget" does not say 500,000): the passage must state the value,
as written (names, free text, each item of a list: whole words, up to case, accents and spacing), or,
for numbers and dates, give the same value through the parser the offline engine uses ("about
forty-five people" is 45, "March 2025" is 2025-03).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ..parsing import AnswerError
from ..smart import fold
from .script import Kind

_PARSED = ("employees", "horizon", "money", "scale", "month", "yes_no", "language")  # stated by their parser
_ITEMS = ("list", "objectives", "pains")  # stated item by item


def normalise(text: str) -> str:
    """Case, accents, runs of spaces and the punctuation around a passage do not matter."""
    return re.sub(r"\s+", " ", fold(text)).strip(" .,;:!?\"'«»")


def quoted(passage: str, text: str) -> bool:
    """``passage`` occurs in ``text`` as whole words (up to :func:`normalise`)."""
    needle = normalise(passage)
    return bool(needle) and re.search(rf"(?<!\w){re.escape(needle)}(?!\w)", normalise(text)) is not None


def supports(kind: Kind, value: str, parsed: Any, evidence: str, parse: Callable[[str], Any]) -> bool:
    """Whether ``evidence`` states ``value`` (``parsed`` is the value as the topic's ``parse`` reads it)."""
    if quoted(value, evidence):
        return True
    if kind in _ITEMS:
        return isinstance(parsed, list) and bool(parsed) and all(quoted(str(item), evidence) for item in parsed)
    if kind in _PARSED:
        try:
            return bool(parse(evidence) == parsed)
        except AnswerError:
            return False
    return False
