"""The intake: everything the assistant needs to know about a company, as a file.

A public format (YAML or JSON, documented in the README, examples in
``examples/``). The interview fills it; ``plannum plan`` reads it. Unknown
keys, wrong types and impossible values are rejected with the field's path.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from .errors import IntakeError
from .files import load_model
from .models import Company, StrategicPlan
from .roles import TeamMember
from .vocabulary import BusinessFunction, Dimension, Language

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
PainText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=1000)]
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class IntakeStrategicPlan(Strict):
    adopted: date = Field(description='"YYYY-MM" or "YYYY-MM-DD"; a month means its first day')
    mission: Text | None = None
    strategic_orientations: list[Text] = Field(default_factory=list)
    strategic_objectives: list[Text] = Field(default_factory=list)
    operational_orientations: list[Text] = Field(default_factory=list)
    operational_objectives: list[Text] = Field(default_factory=list)

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
    strategic_orientations: list[Text] = Field(default_factory=list)
    strategic_objectives: list[Text] = Field(default_factory=list)
    operational_orientations: list[Text] = Field(default_factory=list)
    operational_objectives: list[Text] = Field(default_factory=list)


class Constraints(Strict):
    budget_cad: float | None = Field(default=None, ge=0, description="the envelope in Canadian dollars (0: none yet)")
    budget: float | None = Field(
        default=None, ge=0, description="the envelope in the company's own currency (EUR for a French company)"
    )
    horizon_months: int | None = Field(default=None, ge=6, le=60)
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
    maturity: dict[Dimension, Annotated[int, Field(ge=0, le=5)]] = Field(default_factory=dict)
    pain_points: list[PainText] = Field(default_factory=list, max_length=50)
    pain_functions: list[BusinessFunction | None] = Field(
        default_factory=list,
        max_length=50,
        description="optional, one per pain point: the business function it was given under (the interview's "
        "question); kept unless the owner's words clearly name another",
    )
    existing_systems: list[Text] = Field(default_factory=list, max_length=50)
    constraints: Constraints = Field(default_factory=Constraints)
    team: list[TeamMember] = Field(
        default_factory=list, max_length=50, description="people the owner named, with their role"
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
    return load_model(path, Intake, IntakeError)
