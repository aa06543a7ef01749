"""From an interview's answers to an intake file (and the strategic-plan worksheet that rides along)."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from ..errors import InterviewError
from ..files import first_error
from ..intake import Intake
from .state import InterviewState

# The strategic-plan pieces the worksheet helps draft, by intake field.
WORKSHEET_TOPICS = {
    "mission": "strategic_plan.mission",
    "strategic_orientations": "strategic_plan.strategic_orientations",
    "strategic_objectives": "strategic_plan.strategic_objectives",
    "operational_orientations": "strategic_plan.operational_orientations",
    "operational_objectives": "strategic_plan.operational_objectives",
}


def build_intake(state: InterviewState) -> Intake:
    """The intake an interview amounts to so far; InterviewError names what is still needed."""
    answers = state.answers
    needed = [t for t in ("company.name", "company.sector", "company.employees") if t not in answers]
    if needed:
        raise InterviewError(f"the interview has not yet answered {', '.join(needed)}")
    data: dict[str, Any] = {
        "language": state.language.value,
        "company": {k.split(".", 1)[1]: v for k, v in answers.items() if k.startswith("company.")},
        "maturity": {k.split(".", 1)[1]: v for k, v in answers.items() if k.startswith("maturity.")},
        "pain_points": [p for k, v in answers.items() if k.startswith("pain_points.") for p in v],
        "pain_functions": [k.split(".", 1)[1] for k, v in answers.items() if k.startswith("pain_points.") for _ in v],
        "existing_systems": answers.get("existing_systems") or [],
        # The interview asks the envelope in the company's own money: it is `budget` (CAD in Canada,
        # EUR in France), never converted (topic id kept: constraints.budget_cad).
        "constraints": {
            ("budget" if k == "constraints.budget_cad" else k.split(".", 1)[1]): v
            for k, v in answers.items()
            if k.startswith("constraints.")
        },
    }
    if state.worksheet and not answers.get("strategic_plan.adopted") and (drafts := worksheet_of(state)):
        data["worksheet"] = drafts
    if answers.get("strategic_plan.adopted"):
        data["strategic_plan"] = {
            k.split(".", 1)[1]: v
            for k, v in answers.items()
            if k.startswith("strategic_plan.") and k != "strategic_plan.exists"
        }
    try:
        return Intake.model_validate(data)
    except ValidationError as exc:  # an answer stored before the interview enforced the intake's limits
        raise InterviewError(
            f"the answers do not make a valid intake: {first_error(exc)}; resume the interview "
            "('plannum chat --session ID') to answer that question again"
        ) from None


def worksheet_of(state: InterviewState) -> dict[str, Any]:
    """The strategic-plan pieces drafted in the worksheet (not an adopted plan: no date)."""
    return {name: state.answers[topic] for name, topic in WORKSHEET_TOPICS.items() if topic in state.answers}
