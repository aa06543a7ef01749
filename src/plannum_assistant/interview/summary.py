"""What the interview shows the owner of their own answers: a page they can check, not raw keys.

Labels in the owner's language (``labels`` in ``knowledge/interview.yaml``), money formatted, the
maturity on one line, and the problems numbered across functions so that they can be edited or
deleted by number (« corriger le point 3 : … », « supprimer le point 2 »).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ..knowledge import Dimensions
from ..smart import fold
from ..vocabulary import BusinessFunction, Dimension, Language
from .script import InterviewScript
from .state import InterviewState

_HIDDEN = ("language", "strategic_plan.exists")


def numbered_pains(state: InterviewState) -> list[tuple[str, int]]:
    """(topic, index) of every problem, in the order the summary numbers them (from 1)."""
    return [
        (topic, index)
        for topic, value in state.answers.items()
        if topic.startswith("pain_points.") and isinstance(value, list)
        for index in range(len(value))
    ]


def shown(
    script: InterviewScript, dimensions: Dimensions, state: InterviewState, topic: str, currency: str = "CAD"
) -> str:
    """One answer as the owner reads it."""
    language = state.language
    value: Any = state.answers[topic]
    if isinstance(value, bool):
        return script.texts.render("yes" if value else "no", language)
    if isinstance(value, list):
        return " ; ".join(map(str, value)) if language is Language.FR else "; ".join(map(str, value))
    if topic == "constraints.budget_cad":
        amount = f"{float(value):,.0f}"
        if language is Language.FR:
            amount = amount.replace(",", "\u00a0")
        symbol = script.currency_symbols.get(currency, currency).strip()
        return script.texts.render("money", language, amount=amount, symbol=symbol)
    if topic == "strategic_plan.adopted" and isinstance(value, str):
        return value[:7]
    if topic.startswith("maturity."):
        return f"{value}/5"
    return str(value)


def label(script: InterviewScript, dimensions: Dimensions, topic: str, language: Language) -> str:
    if topic.startswith("maturity."):
        return dimensions.spec(Dimension(topic.split(".", 1)[1])).label.get(language)
    if topic.startswith("pain_points."):
        return script.functions[BusinessFunction(topic.split(".", 1)[1])].get(language)
    return script.labels[topic].get(language) if topic in script.labels else topic


def summary(script: InterviewScript, dimensions: Dimensions, state: InterviewState, currency: str = "CAD") -> str:
    language = state.language
    sep = " : " if language is Language.FR else ": "
    lines: list[str] = []
    order = [t.id for t in script.topics]
    plain = sorted(
        (t for t in state.answers if not t.startswith(("maturity.", "pain_points.")) and t not in _HIDDEN),
        key=lambda t: order.index(t) if t in order else len(order),
    )
    before = [t for t in plain if not t.startswith(("existing_systems", "constraints."))]
    after = [t for t in plain if t not in before]
    lines += [
        f"- {label(script, dimensions, t, language)}{sep}{shown(script, dimensions, state, t, currency)}"
        for t in before
    ]
    scores = [
        script.texts.render("summary_maturity", language, label=label(script, dimensions, t, language), score=v)
        for t, v in state.answers.items()
        if t.startswith("maturity.")
    ]
    if scores:
        lines.append(f"- {script.labels['maturity'].get(language)}{sep}{' ; '.join(scores)}")
    pains = numbered_pains(state)
    if pains:
        lines.append(script.texts.render("summary_pains_help", language))
        for number, (topic, index) in enumerate(pains, 1):
            function = label(script, dimensions, topic, language)
            text = state.answers[topic][index]
            lines.append(
                "  " + script.texts.render("summary_pain", language, number=number, function=function, text=text)
            )
    lines += [
        f"- {label(script, dimensions, t, language)}{sep}{shown(script, dimensions, state, t, currency)}" for t in after
    ]
    return "\n".join(lines) or "-"


def edit_pain(
    state: InterviewState, action: str, number: int, text: str | None, parse: Callable[[str], list[str]]
) -> tuple[str, dict[str, object]]:
    """Edit or delete a problem by its summary number; the text key and params of what to say.

    ``parse`` reads the new text as a pain answer (it raises AnswerError when it is not one); an
    empty answer ("rien") raises ValueError and changes nothing."""
    pains = numbered_pains(state)
    if not 1 <= number <= len(pains):
        return "no_such_pain", {"number": number, "count": len(pains)}
    topic, index = pains[number - 1]
    items = state.answers[topic]
    if action == "delete":
        removed = items.pop(index)
        state.follow_ups = [f for f in state.follow_ups if f"pain_points.{f.function}" != topic]
        return "pain_deleted", {"number": number, "text": removed}
    parsed = parse(text or "")
    if not parsed:
        raise ValueError("no new text for the problem")  # "rien": the problem is kept as it was
    items[index] = parsed[0]
    return "pain_edited", {"number": number, "text": items[index]}


def parse_pain_edit(message: str, script: InterviewScript) -> tuple[str, int, str | None] | None:
    """ "corriger le point 3 : …" → ("edit", 3, "…"); "supprimer le point 2" → ("delete", 2, None)."""
    folded = fold(message).strip()
    article_words = [*script.corrections.fr.articles, *script.corrections.en.articles]
    articles = "(?:" + "|".join(re.escape(a) + (r"\s*" if a.endswith("'") else r"\s+") for a in article_words) + ")?"
    for words in script.pain_edits.values():
        item = rf"{articles}(?:{_any(words.item)})\s*(\d+)"
        delete = re.match(rf"^(?:{_any(words.delete)})\s+{item}\s*[.!]?$", folded)
        if delete:
            return "delete", int(delete[1]), None
        edit = re.match(rf"^(?:{_any(words.edit)})\s+{item}\s*(?:{_any(words.to)})\s*", folded)
        if edit and (rest := message[edit.end() :].strip()):
            return "edit", int(edit[1]), rest
    return None


def _any(words: list[str]) -> str:
    return "|".join(map(re.escape, words))
