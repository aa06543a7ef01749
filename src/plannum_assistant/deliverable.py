"""Data for the deliverable's content beyond the initiatives: change management and intake risks.

``knowledge/change.yaml``: the people-side activities every plan carries (a role key of
``knowledge/roles.yaml`` each, and when). ``knowledge/risks.yaml``: risks that come from what
the intake says (a failed project before, health data, recall exposure...), each with its
mitigation and, where the law differs by place, the law's name per jurisdiction.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from .catalogue import Bilingual, BilingualList, Strict
from .errors import KnowledgeError
from .files import load_model
from .regions import Place
from .vocabulary import Consequence, Sector


class ChangeTemplate(Strict):
    name: Bilingual
    role: str = Field(description="a role key of knowledge/roles.yaml")
    week: int | None = Field(default=None, description="weeks from the plan's start")
    each: Literal["start", "end"] | None = Field(
        default=None, description="one row per initiative, at its start or end"
    )
    after_quick_win: bool = Field(default=False, description="at the end of the first quick win (none: no row)")
    offset_weeks: int = 0

    @model_validator(mode="after")
    def _one_anchor(self) -> ChangeTemplate:
        if sum([self.week is not None, self.each is not None, self.after_quick_win]) != 1:
            raise ValueError("give exactly one of week, each, after_quick_win")
        return self


class ChangeManagement(Strict):
    version: int = Field(ge=1)
    activities: list[ChangeTemplate] = Field(min_length=1)


class When(Strict):
    words: BilingualList | None = None
    sectors: list[Sector] = Field(default_factory=list)
    consequences: list[Consequence] = Field(default_factory=list)


class IntakeRisk(Strict):
    id: str
    when: When
    risk: Bilingual
    mitigation: Bilingual
    law: dict[str, Bilingual] = Field(default_factory=dict, description="'CA-QC', 'CA', 'FR', 'default'")

    def law_for(self, place: Place) -> Bilingual | None:
        keys = [f"{place.country}-{place.subdivision}", place.country, "default"]
        return next((self.law[k] for k in keys if k in self.law), None)


class IntakeRisks(Strict):
    version: int = Field(ge=1)
    risks: list[IntakeRisk]


def load_change(path: Path) -> ChangeManagement:
    return load_model(path, ChangeManagement, KnowledgeError)


def load_intake_risks(path: Path) -> IntakeRisks:
    return load_model(path, IntakeRisks, KnowledgeError)
