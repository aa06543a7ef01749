"""Commands a user may type at any point: summary, back and corrections.

"Skip" is an answer like any other (:func:`~plannum_assistant.parsing.is_skip`).
The words are data (``commands``, ``corrections`` and ``field_aliases`` in
``knowledge/interview.yaml``); matching is on folded text (no case, no accents).
"""

from __future__ import annotations

import re

from ..smart import fold
from .script import InterviewScript


def _folded(message: str) -> str:
    return fold(message).strip(" .!?")


def is_summary(message: str, script: InterviewScript) -> bool:
    return _folded(message) in script.commands.summary


def is_details(message: str, script: InterviewScript) -> bool:
    return _folded(message) in script.commands.details


def is_back(message: str, script: InterviewScript) -> bool:
    return _folded(message) in script.commands.back


def is_nothing(message: str, script: InterviewScript) -> bool:
    """ "rien", "nothing": an answer to a pain-point question meaning "no problem here"."""
    return fold(message).strip(" .!") in script.commands.nothing


def _alternatives(words: list[str]) -> str:
    return "|".join(map(re.escape, words))


def _articles(words: list[str]) -> str:
    """ "la |le |l'": an article is followed by a space unless it ends with an apostrophe."""
    return "|".join(re.escape(word if word.endswith("'") else f"{word} ") for word in words)


def _patterns(script: InterviewScript) -> list[str]:
    fr, en = script.corrections.fr, script.corrections.en
    return [
        rf"^(?:{_alternatives([*fr.verbs, *en.verbs])})\s+"
        rf"(?:{_articles([*fr.articles, *en.articles])})?(.+?)\s*(?::|=)\s*(.+)$",
        *(
            rf"^(?:{_alternatives(words.verbs_to)})\s+(?:{_articles(words.articles)})?(.+?)"
            rf"\s+(?:{_alternatives(words.to)})\s+(.+)$"
            for words in (en, fr)
        ),
    ]


def parse_correction(message: str, script: InterviewScript) -> tuple[str, str] | None:
    """ "corriger la mission : …", "change the budget to 80k", "changer le budget à 80 k$" → (field, value)."""
    folded = fold(message)
    for pattern in _patterns(script):
        if match := re.match(pattern, folded, flags=re.IGNORECASE | re.DOTALL):
            start = match.start(2)
            return match.group(1).strip(), message[start:].strip()
    return None


def field_topic(field: str, script: InterviewScript) -> str | None:
    """The topic id a correction names, by alias ("budget", "mission", "objectifs stratégiques"...)."""
    folded = fold(field).strip()
    aliases = {topic_id: words.all() for topic_id, words in script.field_aliases.items()}
    for topic_id, names in aliases.items():
        if folded in names or folded == topic_id:
            return topic_id
    for topic_id, names in aliases.items():
        if any(folded.startswith(alias) or alias.startswith(folded) for alias in names if len(folded) >= 4):
            return topic_id
    return None


def is_non_answer(message: str, script: InterviewScript) -> bool:
    """ "on n'en a pas", "aucun", "nothing really", "TBD": no answer to a free-text question."""
    from ..smart import is_placeholder

    return fold(message).strip(" .!?…") in script.commands.none or is_placeholder(message)
