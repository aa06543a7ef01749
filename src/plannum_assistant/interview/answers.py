"""Each kind of answer, parsed: the parsers of :mod:`plannum_assistant.parsing`, plus the
interview's own (free text, pain points); an answer the intake would refuse is refused here
(:mod:`.limits`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from ..models import LONGEST_HORIZON_MONTHS
from ..parsing import (
    AnswerError,
    ParsingWords,
    parse_integer,
    parse_language,
    parse_list,
    parse_money,
    parse_month,
    parse_months,
    parse_scale,
    parse_yes_no,
)
from . import limits
from .commands import is_nothing
from .script import InterviewScript, Kind


class AnswerParser:
    """Turns a raw answer to a topic into its value, or raises :class:`AnswerError` with a hint."""

    def __init__(self, script: InterviewScript, words: ParsingWords, *, today: date) -> None:
        self.script = script
        self.words = words
        self.today = today
        self._parsers: dict[Kind, Callable[[str], Any]] = {
            "language": lambda m: parse_language(m, words=words),
            "text": self._text,
            "employees": lambda m: parse_integer(m, minimum=1, maximum=100_000, words=words),
            "horizon": lambda m: parse_months(m, minimum=6, maximum=LONGEST_HORIZON_MONTHS, words=words),
            "yes_no": lambda m: parse_yes_no(m, words=words),
            "month": lambda m: parse_month(m, today=self.today, words=words).isoformat(),
            "list": lambda m: parse_list(m, words=words),
            "objectives": lambda m: parse_list(m, words=words),
            "scale": lambda m: parse_scale(m, words=words),
            "pains": self._pains,
            "money": lambda m: parse_money(m, words=words),
        }

    def parse(self, topic_id: str, message: str) -> Any:
        kind = self.script.topic(topic_id).kind
        value = self._parsers[kind](message)
        limits.check(topic_id, kind, value, self.words)
        return value

    def _pains(self, message: str) -> list[str]:
        """Problems in the owner's words; "rien"/"nothing" is an answer, "oui" is not a problem."""
        if is_nothing(message, self.script):
            return []
        items = parse_list(message, commas=False, words=self.words)  # one problem per line: commas stay inside it
        if any(len(item.split()) < 3 for item in items):
            raise AnswerError(self.script.hints.hint("pains"))
        return items

    def _text(self, message: str) -> str:
        text = message.strip()
        if len(text) < 2:
            raise AnswerError(self.script.hints.hint("text"))
        return text
