"""The intake: everything the assistant needs to know about a company, as a file.

A public format (YAML or JSON, documented in the README, examples in
``examples/``). The interview fills it; ``plannum plan`` reads it. Unknown
keys, wrong types and impossible values are rejected with the field's path.

Its limits (below, documented in the README) are the only ones: the interview enforces the same
ones where each answer is given (:mod:`.interview.limits`), and the planner handles any intake
within them.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from .errors import IntakeError
from .files import load_model
from .models import LONGEST_HORIZON_MONTHS, TEXT_MAX_CHARS, Company, StrategicPlan
from .roles import TeamMember
from .vocabulary import BusinessFunction, Dimension, Language

# The intake's limits.
PAIN_MIN_CHARS = 3
PAIN_MAX_CHARS = 1000  # one problem, in a few sentences at most
MAX_PAINS = 50  # pain points in all (over every business function)
MAX_SYSTEMS = 50
MAX_STRATEGY_ITEMS = 20  # per list: strategic / operational orientations and objectives
MAX_TEAM = 50
MAX_BUDGET = 1_000_000_000  # an SME's envelope, in its currency
MAX_INTAKE_BYTES = 4_000_000  # an intake at every limit above, in plain text, is under 1 MB

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=TEXT_MAX_CHARS)]
PainText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=PAIN_MIN_CHARS, max_length=PAIN_MAX_CHARS)
]
StrategyItems = Annotated[list[Text], Field(max_length=MAX_STRATEGY_ITEMS)]
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class IntakeStrategicPlan(Strict):
    adopted: date = Field(description='"YYYY-MM" or "YYYY-MM-DD"; a month means its first day')
    mission: Text | None = None
    strategic_orientations: StrategyItems = Field(default_factory=list)
    strategic_objectives: StrategyItems = Field(default_factory=list)
    operational_orientations: StrategyItems = Field(default_factory=list)
    operational_objectives: StrategyItems = Field(default_factory=list)

    @field_validator("adopted", mode="before")
    @classmethod
    def _month_or_day(cls, value: object) -> object:
        if isinstance(value, str) and (match := _MONTH.match(value.strip())):
            year, month = int(match[1]), int(match[2])
            if not 1 <= month <= 12:
                raise ValueError(f"month {month} does not exist (expected YYYY-MM or YYYY-MM-DD)")
            return date(year, month, 1)
        return value

    def to_model(self) -> StrategicPlan:
        return StrategicPlan.from_texts(**self.model_dump())


class Worksheet(Strict):
    """The strategic-plan pieces drafted in the interview's worksheet: not an adopted plan (no date),
    kept so that the owner leaves with what they wrote."""

    mission: Text | None = None
    strategic_orientations: StrategyItems = Field(default_factory=list)
    strategic_objectives: StrategyItems = Field(default_factory=list)
    operational_orientations: StrategyItems = Field(default_factory=list)
    operational_objectives: StrategyItems = Field(default_factory=list)


class Constraints(Strict):
    budget_cad: float | None = Field(
        default=None, ge=0, le=MAX_BUDGET, description="the envelope in Canadian dollars (0: none yet)"
    )
    budget: float | None = Field(
        default=None,
        ge=0,
        le=MAX_BUDGET,
        description="the envelope in the company's own currency (EUR for a French company)",
    )
    horizon_months: int | None = Field(
        default=None, ge=6, le=LONGEST_HORIZON_MONTHS, strict=True, description="months the plan covers"
    )
    follow_up_owner: Text | None = None

    @model_validator(mode="after")
    def _one_envelope(self) -> Constraints:
        if self.budget is not None and self.budget_cad is not None:
            raise ValueError("give the envelope once: budget (in the company's currency) or budget_cad")
        return self


class Intake(Strict):
    language: Language
    locale: str | None = Field(
        default=None, pattern=r"^(fr|en)-[A-Z]{2}$", description="fr-CA, fr-FR, en-CA, en-GB...; else from the region"
    )
    company: Company
    strategic_plan: IntakeStrategicPlan | None = None
    worksheet: Worksheet | None = Field(default=None, description="drafts of a strategic plan not yet adopted")
    maturity: dict[Dimension, Annotated[int, Field(ge=0, le=5, strict=True)]] = Field(default_factory=dict)
    pain_points: list[PainText] = Field(default_factory=list, max_length=MAX_PAINS)
    pain_functions: list[BusinessFunction | None] = Field(
        default_factory=list,
        max_length=MAX_PAINS,
        description="optional, one per pain point: the business function it was given under (the interview's "
        "question); kept unless the owner's words clearly name another",
    )
    existing_systems: list[Text] = Field(default_factory=list, max_length=MAX_SYSTEMS)
    constraints: Constraints = Field(default_factory=Constraints)
    team: list[TeamMember] = Field(
        default_factory=list, max_length=MAX_TEAM, description="people the owner named, with their role"
    )

    @model_validator(mode="after")
    def _functions_match_pains(self) -> Intake:
        if self.pain_functions and len(self.pain_functions) != len(self.pain_points):
            raise ValueError(
                f"pain_functions: {len(self.pain_functions)} given for {len(self.pain_points)} pain points "
                "(give one per pain point, or none)"
            )
        return self

    @model_validator(mode="after")
    def _locale_speaks_the_language(self) -> Intake:
        if self.locale is not None and not self.locale.startswith(self.language.value):
            raise ValueError(f"locale {self.locale} does not match language {self.language.value}")
        return self


def load_intake(path: Path) -> Intake:
    return load_model(path, Intake, IntakeError, max_bytes=MAX_INTAKE_BYTES)
