"""The plan contract: what ``plannum plan`` prints, what is stored, reviewed and exported.

:class:`PlanReport` is the public output (``--format json``): the validated
plan's parts (strategic plan, pain points, initiatives, action plan,
follow-up, review) plus what a reviewer needs to weigh them (gate, unaligned
and deferred initiatives, capabilities in place, budget, why the plan has
this size).

A report is valid only with the model's business rules (catalogue ids,
references to pains and objectives, prerequisites, budgets, dates, no
approval without a follow-up owner), checked against the catalogue every time
one is built or loaded: build it with :func:`validate_report`, read it with
:func:`load_report`. Validating without the catalogue is refused.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, model_validator

from .catalogue import Catalogue
from .errors import PlanFileError
from .files import first_error
from .intake import Worksheet
from .models import (
    Company,
    FollowUp,
    InitiativeActions,
    PainPoint,
    PlannedInitiative,
    Review,
    StrategicPlan,
    validate_plan,
)
from .vocabulary import Language

MAX_PLAN_FILE_BYTES = 5_000_000  # a plan is tens of kilobytes; refuse to read a runaway file


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)  # `Infinity` is not JSON


class GateOutput(_Out):
    ready: bool
    missing: list[str]
    warnings: list[str]


class SetAside(_Out):
    """An initiative the planner did not put in the plan, and why."""

    catalogue_id: str
    title: str
    addresses: list[str]
    reason: str
    budget_min: float | None = Field(
        default=None,
        ge=0,
        description="for a deferred initiative: its one-time cost in the plan's currency (`budget.currency`), "
        "narrowed for the company's size like the plan's own activities; what the next cycle needs",
    )
    budget_max: float | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _cost_is_a_range(self) -> SetAside:
        low, high = self.budget_min, self.budget_max
        if (low is None) != (high is None) or (low is not None and high is not None and low > high):
            raise ValueError("budget_min / budget_max: both or neither, min <= max")
        return self


class ObjectiveGap(_Out):
    """An objective of the strategic plan that no initiative of the plan serves."""

    id: str
    text: str
    candidates: list[str] = Field(
        default_factory=list,
        description="catalogue ids the objective's own words point to (not in the plan, not in place): "
        "for the reviewer to weigh, since no stated pain calls for them",
    )


class UseWhatYouOwn(_Out):
    """A capability not bought: a system the company already runs covers it (activate that module)."""

    catalogue_id: str
    title: str
    system: str = Field(description="catalogue id of the system already running that covers it")
    addresses: list[str]
    supports: list[str] = Field(
        default_factory=list, description="objectives the module serves once activated (the initiatives' link rule)"
    )
    note: str


class InPlace(_Out):
    catalogue_id: str
    evidence: str = Field(description="the existing system (or the in-place capability) that shows it")
    title: str | None = Field(default=None, description="the capability's name in the plan's language")


class BudgetSummary(_Out):
    """The plan's costs in the company's currency: one-time (the action plan), yearly, internal days."""

    total_min: float = Field(description="one-time cost, low end, in `currency`")
    total_max: float = Field(description="one-time cost, high end, in `currency`")
    envelope: float | None
    status: Literal["within", "may_exceed", "exceeds", "none"]
    note: str
    currency: str = Field(default="CAD", description="CAD, EUR...: the company's country decides")
    conversion: str | None = Field(default=None, description="the dated rate used when not CAD")
    rate: float = Field(default=1.0, gt=0, description="CAD per unit of `currency` (activities stay in CAD)")
    yearly_min: float = Field(default=0, description="recurring cost per year (subscriptions, licences, support)")
    yearly_max: float = 0
    internal_days_min: float = Field(default=0, description="days the company's own people spend")
    internal_days_max: float = 0
    range_ratio: float | None = Field(default=None, description="total_max / total_min (narrowed by size)")
    alternatives: list[str] = Field(
        default_factory=list, description="lower-cost ways to start, when the envelope is short"
    )
    deferred_min: float = Field(
        default=0, description="one-time cost of the deferred initiatives (the next cycle), not in `total_min`"
    )
    deferred_max: float = 0


class DeadlineConflict(_Out):
    """An initiative that cannot finish by the deadline of an objective it serves."""

    catalogue_id: str
    objective: str
    due: date
    planned_end: date
    note: str


class QuickWin(_Out):
    catalogue_id: str
    title: str
    reason: str


class RiskItem(_Out):
    """A risk of the plan and how to keep it small: from an initiative, or from what the intake says."""

    catalogue_id: str | None = Field(default=None, description="the initiative it belongs to, None for the plan")
    source: Literal["catalogue", "intake"]
    risk: str
    mitigation: str


class ChangeActivity(_Out):
    name: str
    responsible: str
    start: date


class FinancingOffer(_Out):
    """A program the company may apply to, open on the plan's date (always check before applying)."""

    id: str
    name: str
    jurisdiction: str
    eligible: str
    pays: str
    valid_to: date | None
    source: str
    note: str


class SmartSuggestion(_Out):
    """A proposed rewrite of an objective that fails SMART checks: for the reviewer, never applied."""

    objective: str = Field(description="the objective's id (SO1, OO2...)")
    rewrite: str = Field(min_length=1, max_length=1000)
    reason: str | None = Field(default=None, description="what the rewrite adds (a number, a date...)")
    source: Literal["model", "offline"] = "model"


class DimensionScore(_Out):
    dimension: str
    label: str
    score: int | None
    gap: int | None
    dmat: str


class MaturityProfile(_Out):
    """The self-assessed maturity: each dimension, its gap to 5, the EU DMAT view, the weakest ones."""

    dimensions: list[DimensionScore]
    dmat: dict[str, float] = Field(description="EU DMAT dimension -> percentage, rated dimensions only")
    gaps: list[str] = Field(description="dimensions rated 2 or less: the gaps the plan should close")
    unrated: list[str]


class PlanReport(_Out):
    language: Language
    company: Company
    today: date
    engine: str = Field(
        default="offline",
        description="what drafted the plan: 'offline' (the deterministic planner), 'llm' (the model chose every "
        "initiative), 'llm+offline' (the offline planner filled parts)",
    )
    model: str | None = Field(default=None, description="the model that drafted it, when one did")
    llm_calls: int = Field(default=0, ge=0, description="model calls made for this plan")
    prompt_tokens: int | None = Field(default=None, description="as the server reported them, else null")
    completion_tokens: int | None = None
    model_notes: list[str] = Field(
        default_factory=list,
        description="what the model proposed that the checks repaired, left out or changed, and why (English)",
    )
    catalogue_hash: str
    gate: GateOutput
    strategic_plan: StrategicPlan | None = Field(default=None, description="the plan the objectives come from")
    next_steps: list[str] = Field(default_factory=list, description="when the gate is not ready: what to do first")
    preliminary_observations: list[str] = Field(default_factory=list)
    pain_points: list[PainPoint]
    initiatives: list[PlannedInitiative] = Field(default_factory=list)
    unaligned: list[SetAside] = Field(default_factory=list)
    deferred: list[SetAside] = Field(default_factory=list)
    in_place: list[InPlace] = Field(default_factory=list)
    unanswered: list[str] = Field(default_factory=list)
    objectives_without_initiative: list[ObjectiveGap] = Field(
        default_factory=list,
        description="objectives nothing in the plan serves (no initiative, no module to activate): a gap to review",
    )
    use_what_you_own: list[UseWhatYouOwn] = Field(default_factory=list)
    action_plan: list[InitiativeActions] = Field(default_factory=list)
    budget: BudgetSummary | None = None
    plan_size_rationale: str | None = None
    locale: str | None = Field(default=None, description="fr-CA, fr-FR, en-CA, en-GB...: from the intake or region")
    deadline_conflicts: list[DeadlineConflict] = Field(default_factory=list)
    quick_wins: list[QuickWin] = Field(default_factory=list)
    risks: list[RiskItem] = Field(default_factory=list)
    change_management: list[ChangeActivity] = Field(default_factory=list)
    financing: list[FinancingOffer] = Field(default_factory=list)
    maturity: MaturityProfile | None = None
    reassessment_date: date | None = Field(default=None, description="when to run the diagnostic again")
    smart_suggestions: list[SmartSuggestion] = Field(
        default_factory=list, description="rewrites proposed for objectives that fail SMART checks (never applied)"
    )
    worksheet: Worksheet | None = Field(default=None, description="the strategic-plan drafts from the interview")
    follow_up: FollowUp
    review: Review = Field(default_factory=Review)

    @model_validator(mode="after")
    def _business_rules(self, info: ValidationInfo) -> PlanReport:
        catalogue = (info.context or {}).get("catalogue")
        if not isinstance(catalogue, Catalogue):
            raise ValueError("a plan is validated against the catalogue: use validate_report() or load_report()")
        try:
            validate_plan(self._as_plan(), catalogue)
        except ValidationError as exc:
            raise ValueError(first_error(exc)) from None
        self._check_report()
        return self

    def _check_report(self) -> None:
        """The report's own parts agree with the plan: gate, set-aside items, gaps, owned systems."""
        if not self.gate.ready and (self.initiatives or self.action_plan):
            raise ValueError("initiatives: the gate is not ready, so the plan has no initiative yet")
        pains = {p.id for p in self.pain_points}
        for field in ("unaligned", "deferred", "use_what_you_own"):
            for n, item in enumerate(getattr(self, field)):
                unknown = sorted(set(item.addresses) - pains)
                if unknown:
                    raise ValueError(f"{field}.{n}.addresses: unknown pain point(s) {', '.join(unknown)}")
        running = {p.catalogue_id for p in self.in_place}
        objectives = {o.id for o in self.strategic_plan.objectives} if self.strategic_plan else set()
        for n, owned in enumerate(self.use_what_you_own):
            if owned.system not in running:
                raise ValueError(f"use_what_you_own.{n}.system: {owned.system} is not in place")
            if set(owned.supports) - objectives:
                raise ValueError(f"use_what_you_own.{n}.supports: unknown objective(s) in {owned.supports}")
        planned = {i.catalogue_id for i in self.initiatives}
        parts = [("quick_wins", [q.catalogue_id for q in self.quick_wins])]
        parts += [("deadline_conflicts", [c.catalogue_id for c in self.deadline_conflicts])]
        parts += [("risks", [r.catalogue_id for r in self.risks if r.catalogue_id])]
        for field, ids in parts:
            for n, entry_id in enumerate(ids):
                if entry_id not in planned:
                    raise ValueError(f"{field}.{n}: {entry_id} is not an initiative of this plan")
        served = {oid for i in self.initiatives for oid in i.supports}
        served |= {oid for u in self.use_what_you_own for oid in u.supports}
        for n, suggestion in enumerate(self.smart_suggestions):
            if suggestion.objective not in objectives:
                raise ValueError(f"smart_suggestions.{n}: {suggestion.objective} is not an objective of the plan")
        for n, gap in enumerate(self.objectives_without_initiative):
            if gap.id not in objectives or gap.id in served:
                raise ValueError(
                    f"objectives_without_initiative.{n}: {gap.id} is not an unserved objective of the plan"
                )
        if self.budget is not None:
            later = deferred_total(self.deferred)
            if abs(self.budget.deferred_min - later[0]) > 0.5 or abs(self.budget.deferred_max - later[1]) > 0.5:
                raise ValueError(f"budget.deferred_min / deferred_max: not the sum of the deferred items ({later})")

    def _as_plan(self) -> dict[str, Any]:
        """The domain-model view of this report (what the business rules are written against)."""
        return {
            "language": self.language,
            "company": self.company.model_dump(),
            "strategic_plan": self.strategic_plan.model_dump(exclude_computed_fields=True)
            if self.strategic_plan
            else None,
            "pain_points": [p.model_dump() for p in self.pain_points],
            "in_place": [p.catalogue_id for p in self.in_place],
            "initiatives": [i.model_dump() for i in self.initiatives],
            "action_plan": [a.model_dump() for a in self.action_plan],
            "follow_up": self.follow_up.model_dump(),
            "review": self.review.model_dump(),
        }


def round_hundred(value: float) -> float:
    """Plan amounts are estimates: to the hundred, in the plan's currency."""
    return float(round(value / 100) * 100)


def deferred_total(deferred: Sequence[SetAside]) -> tuple[float, float]:
    """What the deferred initiatives will cost at the next cycle (``budget.deferred_min`` / ``_max``)."""
    return sum(d.budget_min or 0 for d in deferred), sum(d.budget_max or 0 for d in deferred)


def validate_report(data: dict[str, Any] | PlanReport, catalogue: Catalogue) -> PlanReport:
    """A plan report checked from scratch: its structure and every business rule.

    Raises :class:`pydantic.ValidationError`; :func:`plannum_assistant.files.first_error` gives one line.
    """
    payload = data.model_dump(mode="python", exclude_computed_fields=True) if isinstance(data, PlanReport) else data
    return PlanReport.model_validate(payload, context={"catalogue": catalogue})


def load_report(path: Path, catalogue: Catalogue) -> PlanReport:
    """Read a plan JSON file (what ``plannum plan`` printed) and validate it with every rule."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_PLAN_FILE_BYTES + 1)
    except OSError as exc:
        raise PlanFileError(f"{path}: cannot read file ({exc.strerror or exc})") from None
    if len(raw) > MAX_PLAN_FILE_BYTES:
        raise PlanFileError(f"{path}: larger than {MAX_PLAN_FILE_BYTES:,} bytes, not a plan file")
    try:
        data = json.loads(raw)
    except UnicodeDecodeError:
        raise PlanFileError(f"{path}: not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise PlanFileError(f"{path}: line {exc.lineno}: invalid JSON: {exc.msg}") from None
    if not isinstance(data, dict):
        raise PlanFileError(f"{path}: expected a JSON object (a plan), got {type(data).__name__}")
    try:
        return validate_report(data, catalogue)
    except ValidationError as exc:
        raise PlanFileError(f"{path}: {first_error(exc)}") from None
