"""Follow-ups on vague pain points: "Pour préciser « trop de paperasse » : est-ce que « … » ?".

A pain of five words or fewer gets (at most two per question) the closest catalogue symptom that
fits the question's function and the company. The reply is read as owners give it: yes adds the
symptom, no keeps the pain as said, and their own words beyond the yes or the no ("non, c'est la
paye : les feuilles de temps sont retapées") are added to the pain.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from ..parsing import AnswerError, ParsingWords, parse_yes_no
from ..smart import fold
from ..vocabulary import BusinessFunction, Language
from . import limits
from .state import FollowUp, InterviewState

MAX_PER_QUESTION = 2
VAGUE_WORDS = 6  # a pain of fewer words is vague


@dataclass(frozen=True)
class Asked:
    """Where a vague pain was given: the function of the question and the company answered so far."""

    function: BusinessFunction
    sector: str | None
    employees: int | None


# A vague pain statement -> the closest catalogue symptom that fits the question and the company.
SymptomFinder = Callable[[str, Language, Asked], "str | None"]


def offer(state: InterviewState, topic_id: str, symptom_for: SymptomFinder) -> None:
    """Queue a follow-up for each vague pain just given under ``topic_id``."""
    function = topic_id.split(".", 1)[1]
    asked = Asked(
        function=BusinessFunction(function),
        sector=state.answers.get("company.sector"),
        employees=state.answers.get("company.employees"),
    )
    for index, item in enumerate(state.answers.get(topic_id) or []):
        if len(item.split()) < VAGUE_WORDS and (symptom := symptom_for(item, state.language, asked)):
            state.follow_ups.append(FollowUp(function=function, item=index, symptom=symptom))
        if len(state.follow_ups) >= MAX_PER_QUESTION:
            break


def answer(state: InterviewState, message: str, words: ParsingWords) -> Literal["ask_again", "clarified", "next"]:
    """Apply a reply to the first pending follow-up; what the interview should say next. A reply
    that would make the problem longer than the intake allows raises LimitError (nothing changes)."""
    follow = state.follow_ups[0]
    items = state.answers[f"pain_points.{follow.function}"]
    agreed, rest = _yes_no_and_rest(message, words)
    if agreed is None and rest is None:
        return "ask_again"
    text = items[follow.item]
    if agreed:
        text = f"{text} — {follow.symptom}"
    if rest:
        text = f"{text} — {rest}"
    limits.check(f"pain_points.{follow.function}", "pains", [text], words)  # the problem stays within the limit
    state.follow_ups.pop(0)
    items[follow.item] = text
    return "clarified" if rest else "next"


def _yes_no_and_rest(message: str, words: ParsingWords) -> tuple[bool | None, str | None]:
    """A reply's yes or no (None when neither), and the owner's own words after it when they say
    something (four words or more, and not just another way of saying no)."""
    text = message.strip()
    try:
        return parse_yes_no(text, words=words), None if len(text.split()) < 4 else _rest(text, words)
    except AnswerError:
        return None, text if len(text.split()) >= 4 else None


def _rest(text: str, words: ParsingWords) -> str | None:
    """What follows the leading yes or no phrase ("oui, et ça arrive chaque semaine" → "et ça …")."""
    folded = fold(text)
    for phrase in sorted([*words.yes.all(), *words.no.all()], key=len, reverse=True):
        if folded.startswith(phrase) and (len(folded) == len(phrase) or not folded[len(phrase)].isalnum()):
            rest = text[len(phrase) :].strip(" ,;:-—.!")
            return rest if len(rest.split()) >= 4 else None
    return None
