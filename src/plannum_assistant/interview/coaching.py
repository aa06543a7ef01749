"""SMART coaching while the owner writes objectives: what each objective lacks, and past deadlines.

The advice names the field to correct (strategic or operational objectives); a deadline already
passed is pointed out. Sentences are in ``knowledge/interview.yaml`` (``smart_coach``,
``smart_advice``, ``smart_advice_operational``, ``smart_past_due``).
"""

from __future__ import annotations

from datetime import date

from ..smart import assess_smart, deadline
from .script import InterviewScript
from .state import InterviewState


def smart_notes(
    script: InterviewScript, state: InterviewState, topic_id: str, objectives: list[str], today: date
) -> list[str]:
    language = state.language
    smart = script.smart
    nor = f" {smart.render('nor', language)} "
    key = "smart_advice_operational" if topic_id.endswith("operational_objectives") else "smart_advice"
    adopted = state.answers.get("strategic_plan.adopted")
    notes = []
    for text in objectives:
        failing = assess_smart(text).failing
        if failing:
            joined = nor.join(smart.render(criterion, language) for criterion in failing)
            advice = script.texts.render(key, language)
            notes.append(script.texts.render("smart_coach", language, text=text, criteria=joined, advice=advice))
        due = deadline(text, adopted=date.fromisoformat(adopted) if isinstance(adopted, str) else None)
        if due is not None and due < today:
            notes.append(script.texts.render("smart_past_due", language, text=text, due=due.isoformat()))
    return notes
