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
from .models import Objective, StrategicPlan
from .smart import deadline, is_placeholder
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


class ObjectiveWarning(BaseModel):
    """An objective that holds a place ("TBD") or whose deadline has passed."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str  # "placeholder" or "past_due"
    objective_id: str
    text: str
    due: str | None = None

    def message(self, language: Language, wording: Wording | None = None) -> str:
        return _wording(wording).text(
            f"gate.{self.code}", language, id=self.objective_id, text=self.text, due=self.due or ""
        )


class GateResult(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    ready: bool
    missing: list[GateIssue]
    smart: list[SmartWarning]
    objectives: list[ObjectiveWarning] = []

    def missing_messages(self, language: Language, wording: Wording | None = None) -> list[str]:
        return [issue.message(language, wording) for issue in self.missing]

    def warning_messages(self, language: Language, wording: Wording | None = None) -> list[str]:
        return [w.message(language, wording) for w in self.objectives] + [
            warning.message(language, wording) for warning in self.smart
        ]


def months_between(earlier: date, later: date) -> int:
    """Whole months from ``earlier`` to ``later`` (negative when ``earlier`` is after ``later``)."""
    months = (later.year - earlier.year) * 12 + later.month - earlier.month
    return months - 1 if later.day < earlier.day else months


def check_prerequisites(plan: StrategicPlan | None, *, today: date, max_age_months: int = 24) -> GateResult:
    """Is this strategic plan enough to build a plan numérique on, as of ``today``?"""
    if plan is None:
        return GateResult(ready=False, missing=[GateIssue(code="strategic_plan")], smart=[])
    missing = _freshness(plan, today, max_age_months)
    if plan.mission is None or is_placeholder(plan.mission):
        missing.append(GateIssue(code="mission"))
    parts = ("strategic_orientations", "strategic_objectives", "operational_orientations", "operational_objectives")
    for field in parts:
        items: list[str | Objective] = getattr(plan, field)
        # A part made only of placeholders ("À déterminer", "TBD", "-") is missing.
        if all(is_placeholder(item.text if isinstance(item, Objective) else item) for item in items):
            missing.append(GateIssue(code=field))
    warnings: list[ObjectiveWarning] = []
    smart: list[SmartWarning] = []
    due_dates = objective_deadlines(plan)
    for o in plan.objectives:
        if is_placeholder(o.text):
            warnings.append(ObjectiveWarning(code="placeholder", objective_id=o.id, text=o.text))
            continue
        due = due_dates.get(o.id)
        if due is not None and due < today:
            warnings.append(ObjectiveWarning(code="past_due", objective_id=o.id, text=o.text, due=due.isoformat()))
        if o.smart.failing:
            smart.append(SmartWarning(objective_id=o.id, text=o.text, failing=o.smart.failing))
    return GateResult(ready=not missing, missing=missing, smart=smart, objectives=warnings)


def objective_deadlines(plan: StrategicPlan) -> dict[str, date]:
    """The date each objective is due by, when its text sets one (relative ones count from adoption)."""
    found = {o.id: deadline(o.text, adopted=plan.adopted) for o in plan.objectives if not is_placeholder(o.text)}
    return {oid: due for oid, due in found.items() if due is not None}


def _freshness(plan: StrategicPlan, today: date, max_age_months: int) -> list[GateIssue]:
    if plan.adopted is None:
        return [GateIssue(code="adopted")]
    if plan.adopted > today:
        return [GateIssue(code="future", params={"adopted": plan.adopted.isoformat()})]
    age = months_between(plan.adopted, today)
    if age > max_age_months:
        return [GateIssue(code="stale", params={"age": str(age), "limit": str(max_age_months)})]
    return []
