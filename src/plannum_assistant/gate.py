"""The prerequisite gate: no plan numérique without a recent strategic plan.

« Minute papillon ! » A plan numérique carries a strategy into digital
initiatives; with no strategy to carry, it would be a list of tools. The gate
is a pure function of the strategic plan and a reference date: it says
exactly what is missing or stale, and which SMART criteria each objective
fails (warnings, not blockers).
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict

from .models import StrategicPlan
from .vocabulary import Language

# Codes are stable identifiers; messages are rendered per language.
MISSING_MESSAGES: dict[str, dict[Language, str]] = {
    "strategic_plan": {
        Language.FR: "Aucun plan stratégique : le plan numérique se prépare à partir d'un plan stratégique récent.",
        Language.EN: "No strategic plan: a plan numérique is built on a recent strategic plan.",
    },
    "adopted": {
        Language.FR: "Date d'adoption du plan stratégique inconnue.",
        Language.EN: "The strategic plan's adoption date is unknown.",
    },
    "stale": {
        Language.FR: "Plan stratégique adopté il y a {age} mois (maximum {limit}) : il faut le mettre à jour.",
        Language.EN: "Strategic plan adopted {age} months ago (at most {limit}): it needs updating.",
    },
    "future": {
        Language.FR: "Date d'adoption {adopted} dans le futur : vérifiez-la.",
        Language.EN: "Adoption date {adopted} is in the future: check it.",
    },
    "mission": {Language.FR: "Mission manquante.", Language.EN: "Mission missing."},
    "strategic_orientations": {
        Language.FR: "Aucune orientation stratégique.",
        Language.EN: "No strategic orientation.",
    },
    "strategic_objectives": {
        Language.FR: "Aucun objectif stratégique.",
        Language.EN: "No strategic objective.",
    },
    "operational_orientations": {
        Language.FR: "Aucune orientation opérationnelle.",
        Language.EN: "No operational orientation.",
    },
    "operational_objectives": {
        Language.FR: "Aucun objectif opérationnel.",
        Language.EN: "No operational objective.",
    },
}
CRITERIA = {
    "specific": {Language.FR: "spécifique", Language.EN: "specific"},
    "measurable": {Language.FR: "mesurable", Language.EN: "measurable"},
    "time_bound": {Language.FR: "temporellement défini", Language.EN: "time-bound"},
}
SMART_WARNING = {
    Language.FR: "Objectif {id} « {text} » n'est pas {criteria} (SMART).",
    Language.EN: 'Objective {id} "{text}" is not {criteria} (SMART).',
}
_AND = {Language.FR: " ni ", Language.EN: " nor "}


class GateIssue(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str
    params: dict[str, str] = {}

    def message(self, language: Language) -> str:
        return MISSING_MESSAGES[self.code][language].format(**self.params)


class SmartWarning(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    objective_id: str
    text: str
    failing: list[str]

    def message(self, language: Language) -> str:
        criteria = _AND[language].join(CRITERIA[name][language] for name in self.failing)
        return SMART_WARNING[language].format(id=self.objective_id, text=self.text, criteria=criteria)


class GateResult(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    ready: bool
    missing: list[GateIssue]
    smart: list[SmartWarning]

    def missing_messages(self, language: Language) -> list[str]:
        return [issue.message(language) for issue in self.missing]

    def warning_messages(self, language: Language) -> list[str]:
        return [warning.message(language) for warning in self.smart]


def months_between(earlier: date, later: date) -> int:
    """Whole months from ``earlier`` to ``later`` (negative when ``earlier`` is after ``later``)."""
    months = (later.year - earlier.year) * 12 + later.month - earlier.month
    return months - 1 if later.day < earlier.day else months


def check_prerequisites(plan: StrategicPlan | None, *, today: date, max_age_months: int = 24) -> GateResult:
    """Is this strategic plan enough to build a plan numérique on, as of ``today``?"""
    if plan is None:
        return GateResult(ready=False, missing=[GateIssue(code="strategic_plan")], smart=[])
    missing = _freshness(plan, today, max_age_months)
    for field in (
        "mission",
        "strategic_orientations",
        "strategic_objectives",
        "operational_orientations",
        "operational_objectives",
    ):
        if not getattr(plan, field):
            missing.append(GateIssue(code=field))
    smart = [
        SmartWarning(objective_id=o.id, text=o.text, failing=o.smart.failing)
        for o in plan.objectives
        if o.smart.failing
    ]
    return GateResult(ready=not missing, missing=missing, smart=smart)


def _freshness(plan: StrategicPlan, today: date, max_age_months: int) -> list[GateIssue]:
    if plan.adopted is None:
        return [GateIssue(code="adopted")]
    if plan.adopted > today:
        return [GateIssue(code="future", params={"adopted": plan.adopted.isoformat()})]
    age = months_between(plan.adopted, today)
    if age > max_age_months:
        return [GateIssue(code="stale", params={"age": str(age), "limit": str(max_age_months)})]
    return []
