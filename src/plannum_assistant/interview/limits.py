"""The intake's limits, enforced where each answer is given.

An answer the intake would refuse (a problem over 1,000 characters, a 51st system, a 21st
objective) is refused when it is given, with what to do, in the interview's language: never
accepted, then found invalid after the confirmation. The limits are the intake's own
(:mod:`plannum_assistant.intake`); the sentences are in ``knowledge/parsing.yaml`` (``limits``).
A session stored before these checks, holding such an answer, has that question asked again
(:func:`first_breach`, :func:`requeue`).
"""

from __future__ import annotations

from typing import Any

from ..errors import KnowledgeError
from ..intake import MAX_BUDGET, MAX_PAINS, MAX_STRATEGY_ITEMS, MAX_SYSTEMS, PAIN_MAX_CHARS
from ..models import TEXT_MAX_CHARS
from ..parsing import AnswerError, ParsingWords, Sentence
from ..vocabulary import Language
from .script import InterviewScript
from .state import InterviewState

# The most items a list answer may hold, by topic (pains: MAX_PAINS over every function).
ITEMS = {
    "existing_systems": MAX_SYSTEMS,
    "strategic_plan.strategic_orientations": MAX_STRATEGY_ITEMS,
    "strategic_plan.strategic_objectives": MAX_STRATEGY_ITEMS,
    "strategic_plan.operational_orientations": MAX_STRATEGY_ITEMS,
    "strategic_plan.operational_objectives": MAX_STRATEGY_ITEMS,
}


class LimitError(AnswerError):
    """An answer that breaks one of the intake's limits; its hint is a whole sentence, shown as is."""


def check(topic_id: str, kind: str, value: Any, words: ParsingWords) -> None:
    """Raise :class:`LimitError` when ``value``, a parsed answer to ``topic_id``, breaks a limit."""
    sentences = words.limits
    if kind == "text" and isinstance(value, str) and len(value) > TEXT_MAX_CHARS:
        raise LimitError(_hint(sentences.text_too_long, size=len(value), limit=TEXT_MAX_CHARS))
    if kind == "money" and isinstance(value, int | float) and not value <= MAX_BUDGET:
        raise LimitError(_hint(sentences.amount_too_large, limit=MAX_BUDGET))
    if kind in ("list", "objectives", "pains") and isinstance(value, list):
        most = MAX_PAINS if kind == "pains" else ITEMS.get(topic_id, min(ITEMS.values()))
        if len(value) > most:
            raise LimitError(_hint(sentences.too_many_items, count=len(value), limit=most))
        longest = PAIN_MAX_CHARS if kind == "pains" else TEXT_MAX_CHARS
        for number, item in enumerate(value, 1):
            if len(item) > longest:
                if len(value) == 1:
                    raise LimitError(_hint(sentences.text_too_long, size=len(item), limit=longest))
                raise LimitError(_hint(sentences.item_too_long, number=number, size=len(item), limit=longest))


def check_total(state: InterviewState, topic_id: str, value: Any, words: ParsingWords) -> None:
    """Pain points are asked per business function, but the intake holds at most MAX_PAINS in all."""
    if not topic_id.startswith("pain_points.") or not isinstance(value, list):
        return
    others = sum(len(v) for k, v in state.answers.items() if k.startswith("pain_points.") and k != topic_id)
    if others + len(value) > MAX_PAINS:
        raise LimitError(_hint(words.limits.too_many_pains, count=others + len(value), limit=MAX_PAINS))


def first_breach(state: InterviewState, script: InterviewScript, words: ParsingWords) -> tuple[str, LimitError] | None:
    """The first stored answer that breaks a limit (a session from before these checks), and why."""
    for topic_id, value in state.answers.items():
        try:
            kind = script.topic(topic_id).kind
        except KnowledgeError:  # a topic this version does not ask: nothing to check
            continue
        try:
            check(topic_id, kind, value, words)
            check_total(state, topic_id, value, words)
        except LimitError as exc:
            return topic_id, exc
    return None


def reopen(state: InterviewState, script: InterviewScript, words: ParsingWords) -> str | None:
    """When a stored answer breaks a limit, its question comes next (then the confirmation again):
    what to say first, or None when every answer fits."""
    found = first_breach(state, script, words)
    if found is None:
        return None
    topic_id, error = found
    requeue(state, topic_id)
    state.stage = script.topic(topic_id).stage
    reopened = words.limits.reopened
    return (reopened.fr if state.language is Language.FR else reopened.en).format(reason=error.hint[state.language])


def requeue(state: InterviewState, topic_id: str) -> None:
    """Ask ``topic_id`` next, then confirm again; its answer stays until another is given."""
    state.done = False
    state.answers.pop("confirm", None)  # to be given again, on the new summary
    state.follow_ups.clear()
    state.pending = [topic_id, *(t for t in state.pending if t != topic_id)]
    state.asked = [t for t in state.asked if t != topic_id]
    if "confirm" not in state.pending:
        state.pending.append("confirm")


def _hint(sentence: Sentence, **numbers: int) -> dict[Language, str]:
    """The sentence in both languages, numbers written the way each writes them (1 000 / 1,000)."""
    english = {name: f"{value:,}" for name, value in numbers.items()}
    french = {name: text.replace(",", "\u00a0") for name, text in english.items()}
    return {Language.FR: sentence.fr.format(**french), Language.EN: sentence.en.format(**english)}
