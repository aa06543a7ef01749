"""The plan-and-action model, faithful to the founding document.

A :class:`DigitalPlan` ties a company's strategic plan, its diagnostic (pain
points, maturity) and the plan numérique (initiatives drawn from the
catalogue) to an action plan (activities with a responsible, a budget and a
target date), a follow-up owner and a human review.

Business rules that need the catalogue (ids exist, prerequisites are
respected; :mod:`.plan_rules`) read it from the pydantic validation context;
build plans with :func:`validate_plan`, which supplies it. Every model forbids
unknown fields.
"""

from __future__ import annotations

from datetime import date
from enum import Enum, StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    computed_field,
    model_validator,
)

from . import plan_rules
from .catalogue import ENTRY_ID_PATTERN, Catalogue
from .smart import SmartAssessment, assess_smart
from .vocabulary import BusinessFunction, Consequence, Dimension, Language

TEXT_MAX_CHARS = 4000  # the longest free text a plan or an intake holds (a mission, an objective, a rationale)
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=TEXT_MAX_CHARS)]
CatalogueId = Annotated[str, StringConstraints(pattern=ENTRY_ID_PATTERN)]
Score = Annotated[int, Field(ge=0, le=5, strict=True)]
Horizon = Literal["0-6", "6-18", "18-36"]  # months from the plan's start
LONGEST_HORIZON_MONTHS = 36  # the end of the last horizon: no plan runs longer (planner.yaml's horizons agree)


class Model(BaseModel):
    # No infinity or NaN: they would print as `Infinity` / `NaN`, which is not JSON.
    model_config = ConfigDict(extra="forbid", validate_assignment=True, allow_inf_nan=False)


# --- The company and its strategic plan ------------------------------------------------


class Company(Model):
    name: Text
    sector: Text
    employees: int = Field(ge=1, le=100_000, strict=True)  # strict: `true` is not one employee
    region: Text | None = None


class Objective(Model):
    """A strategic or operational objective; its SMART assessment is derived from the text."""

    id: Annotated[str, StringConstraints(pattern=r"^(SO|OO)\d+$")] = Field(
        description="SO1, SO2... for strategic objectives, OO1... for operational ones"
    )
    text: Text

    @model_validator(mode="before")
    @classmethod
    def _derived_smart(cls, data: Any) -> Any:
        """``smart`` is printed with the plan but always derived again from the text, never read."""
        if isinstance(data, dict) and "smart" in data:
            data = {key: value for key, value in data.items() if key != "smart"}
        return data

    @computed_field  # type: ignore[prop-decorator]
    @property
    def smart(self) -> SmartAssessment:
        return assess_smart(self.text)


class StrategicPlan(Model):
    """The prerequisite of any plan numérique (see :mod:`plannum_assistant.gate`)."""

    adopted: date | None = Field(default=None, description="when the plan was adopted")
    mission: Text | None = None
    strategic_orientations: list[Text] = Field(default_factory=list)
    strategic_objectives: list[Objective] = Field(default_factory=list)
    operational_orientations: list[Text] = Field(default_factory=list)
    operational_objectives: list[Objective] = Field(default_factory=list)

    @model_validator(mode="after")
    def _objective_ids(self) -> StrategicPlan:
        _require_prefix(self.strategic_objectives, "SO", "strategic_objectives")
        _require_prefix(self.operational_objectives, "OO", "operational_objectives")
        ids = [objective.id for objective in self.objectives]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"duplicate objective ids: {', '.join(duplicates)}")
        return self

    @property
    def objectives(self) -> list[Objective]:
        return [*self.strategic_objectives, *self.operational_objectives]

    @classmethod
    def from_texts(
        cls,
        *,
        adopted: date | None,
        mission: str | None,
        strategic_orientations: list[str],
        strategic_objectives: list[str],
        operational_orientations: list[str],
        operational_objectives: list[str],
    ) -> StrategicPlan:
        """Number plain objective texts SO1.. and OO1.. (the intake gives texts only)."""
        return cls(
            adopted=adopted,
            mission=mission,
            strategic_orientations=strategic_orientations,
            strategic_objectives=[Objective(id=f"SO{i}", text=t) for i, t in enumerate(strategic_objectives, 1)],
            operational_orientations=operational_orientations,
            operational_objectives=[Objective(id=f"OO{i}", text=t) for i, t in enumerate(operational_objectives, 1)],
        )


def _require_prefix(objectives: list[Objective], prefix: str, field: str) -> None:
    for objective in objectives:
        if not objective.id.startswith(prefix):
            raise ValueError(f"{field}: id {objective.id!r} must start with {prefix}")


# --- The diagnostic --------------------------------------------------------------------


class Severity(int, Enum):
    LOW = 1
    MEDIUM = 2
    HIGH = 3


class PainPoint(Model):
    """A problem in the owner's own words, tied to a business function."""

    id: Annotated[str, StringConstraints(pattern=r"^P\d+$")]
    text: Text
    function: BusinessFunction
    severity: Severity = Severity.MEDIUM
    consequences: list[Consequence] = Field(
        default_factory=list, description="what the statement says happens; the severity follows from it"
    )


class MaturityAssessment(Model):
    """Self-assessed maturity per dimension on the 0–5 scale of knowledge/dimensions.yaml."""

    scores: dict[Dimension, Score] = Field(default_factory=dict)

    def gap(self, dimension: Dimension) -> int | None:
        """Distance to the top of the scale, or None when the dimension was not rated."""
        score = self.scores.get(dimension)
        return None if score is None else 5 - score


# --- The plan numérique and its action plan --------------------------------------------


class Budget(Model):
    """An approximate budget in CAD: 0 <= min <= max."""

    min: float = Field(ge=0)
    max: float = Field(ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> Budget:
        if self.min > self.max:
            raise ValueError(f"budget min ({self.min:g}) exceeds max ({self.max:g})")
        return self


class Activity(Model):
    name: Text
    responsible: Text
    budget_cad: Budget
    start: date
    target_date: date
    source: Literal["model", "offline"] = Field(default="offline", description="who wrote it (the planner today)")

    @model_validator(mode="after")
    def _dates(self) -> Activity:
        if self.target_date <= self.start:
            raise ValueError(f"activity {self.name!r}: target_date {self.target_date} must be after start {self.start}")
        return self


class Kpi(Model):
    """How an initiative's effect is measured: from the objective it serves when that objective states a
    baseline or a target, else from the catalogue, with how to measure the baseline before starting."""

    name: Text
    baseline: Text | None = Field(default=None, description="the value today, when the owner stated it")
    target: Text | None = Field(default=None, description="the value to reach, when the objective states it")
    how_to_measure: Text | None = Field(default=None, description="how to measure the baseline before starting")
    objective: str | None = Field(default=None, description="the objective the KPI comes from")


class Included(Model):
    """A point solution an integrated system of the plan brings instead of buying it apart."""

    catalogue_id: CatalogueId = Field(description="one of the system's catalogue `covers`")
    addresses: list[str] = Field(description="the system's pain points it answers with this capability")


class PlannedInitiative(Model):
    """One initiative of the plan numérique, always a catalogue entry."""

    catalogue_id: CatalogueId
    title: Text
    addresses: list[str] = Field(description="ids of the pain points it answers")
    supports: list[str] = Field(
        description="ids of the strategic plan's objectives it serves; empty when it answers a pain no stated "
        "objective covers (the rationale says so, for the reviewer)"
    )
    enables: list[CatalogueId] = Field(
        default_factory=list,
        description="the plan's initiatives that need this one first (it is one of their catalogue prerequisites, "
        "or a system covering one); a prerequisite added for them lists their pain points in `addresses`, "
        "answered through them",
    )
    includes: list[Included] = Field(
        default_factory=list,
        description="for an integrated system (ERP, POS, practice management...): the point solutions it "
        "brings in place of buying them apart, each with the pain points it answers through that capability",
    )
    priority: int = Field(ge=1, description="1 = first")
    horizon: Horizon = Field(description="months from the plan's start")
    start: date
    rationale: Text
    evidence: list[Text] = Field(default_factory=list, description="the owner's own words")
    priority_reason: Text | None = Field(default=None, description="the factors that set its priority")
    quick_win: bool = Field(default=False, description="cheap, short and answering a pain: done first")
    due: date | None = Field(default=None, description="the earliest deadline of the objectives it serves")
    kpis: list[Kpi] = Field(default_factory=list)
    source: Literal["model", "offline"] = Field(
        default="offline", description="who chose, linked and explained it: the offline planner or the model"
    )


class InitiativeActions(Model):
    initiative: CatalogueId
    activities: list[Activity] = Field(min_length=1)


class FollowUp(Model):
    """The one person who follows the whole action plan, and how often."""

    owner: Text | None = None
    cadence: Text = "monthly"


class ReviewStatus(StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"


class Review(Model):
    status: ReviewStatus = ReviewStatus.DRAFT
    reviewer: Text | None = None
    decided_on: date | None = None
    comments: list[Text] = Field(default_factory=list)

    @model_validator(mode="after")
    def _decision_is_signed(self) -> Review:
        if self.status is not ReviewStatus.DRAFT and not (self.reviewer and self.decided_on):
            raise ValueError("a review that leaves draft needs a reviewer and a decision date")
        return self


class DigitalPlan(Model):
    """Strategy → diagnostic → plan numérique → action plan → follow-up → review."""

    language: Language
    company: Company
    strategic_plan: StrategicPlan | None
    maturity: MaturityAssessment = Field(default_factory=MaturityAssessment)
    pain_points: list[PainPoint] = Field(default_factory=list)
    in_place: list[CatalogueId] = Field(default_factory=list, description="capabilities already running")
    initiatives: list[PlannedInitiative] = Field(default_factory=list)
    action_plan: list[InitiativeActions] = Field(default_factory=list)
    follow_up: FollowUp = Field(default_factory=FollowUp)
    review: Review = Field(default_factory=Review)

    @model_validator(mode="after")
    def _business_rules(self, info: ValidationInfo) -> DigitalPlan:
        catalogue = (info.context or {}).get("catalogue")
        if not isinstance(catalogue, Catalogue):
            raise ValueError("a DigitalPlan is validated against the catalogue: use validate_plan()")
        plan_rules.check(self, catalogue)
        if self.initiatives and self.strategic_plan is None:
            raise ValueError("initiatives: no plan numérique without a strategic plan")
        if self.review.status is not ReviewStatus.DRAFT and not self.follow_up.owner:
            raise ValueError("follow_up.owner: name the person who follows the plan before it leaves draft")
        return self


def validate_plan(data: dict[str, Any] | DigitalPlan, catalogue: Catalogue) -> DigitalPlan:
    """Validate a plan (a dict or a model) with every business rule, the catalogue's included."""
    payload = data.model_dump(mode="python", exclude_computed_fields=True) if isinstance(data, DigitalPlan) else data
    return DigitalPlan.model_validate(payload, context={"catalogue": catalogue})
