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

from .knowledge import Wording, bundled_wording
from .models import StrategicPlan
from .vocabulary import Language

# Codes are stable identifiers; messages are rendered per language from ``knowledge/wording.yaml``
# (``gate.*`` texts). A caller with its own Wording passes it; otherwise the bundled file is used.


def _wording(wording: Wording | None) -> Wording:
    return wording if wording is not None else bundled_wording()


class GateIssue(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str
    params: dict[str, str] = {}

    def message(self, language: Language, wording: Wording | None = None) -> str:
        return _wording(wording).text(f"gate.missing.{self.code}", language, **self.params)


class SmartWarning(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    objective_id: str
    text: str
    failing: list[str]

    def message(self, language: Language, wording: Wording | None = None) -> str:
        words = _wording(wording)
        nor = f" {words.text('gate.nor', language)} "
        criteria = nor.join(words.text(f"gate.criterion.{name}", language) for name in self.failing)
        return words.text("gate.smart_warning", language, id=self.objective_id, text=self.text, criteria=criteria)


class GateResult(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    ready: bool
    missing: list[GateIssue]
    smart: list[SmartWarning]

    def missing_messages(self, language: Language, wording: Wording | None = None) -> list[str]:
        return [issue.message(language, wording) for issue in self.missing]

    def warning_messages(self, language: Language, wording: Wording | None = None) -> list[str]:
        return [warning.message(language, wording) for warning in self.smart]


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
