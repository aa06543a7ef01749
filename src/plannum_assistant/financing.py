"""Financing programs a plan may point to (``knowledge/financing.yaml``), dated data.

A program is offered only when the company is in its jurisdiction and size, and only while it
is open on the plan's date: one that closed before ``today`` (CDAP's Boost stream on 2024-02-19)
is never offered, and one not yet open neither. Every offer says to check before applying.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from .catalogue import Bilingual, Strict, Text
from .errors import KnowledgeError
from .files import load_model
from .regions import Place

Support = Literal["advice", "software", "equipment", "training", "ecommerce", "cybersecurity", "any"]


class Jurisdiction(Strict):
    country: str = Field(description="ISO 3166-1 alpha-2, or EU")
    region: str | None = Field(default=None, description="ISO 3166-2 suffix, None for the whole country")


class Program(Strict):
    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    name: Bilingual
    jurisdiction: Jurisdiction
    eligible: Bilingual
    pays: Bilingual
    supports: list[Support] = Field(min_length=1)
    min_employees: int | None = Field(default=None, ge=1)
    max_employees: int | None = Field(default=None, ge=1)
    valid_from: date | None = None
    valid_to: date | None = Field(default=None, description="last day new applications are accepted")
    source: Text
    note: Text | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Program:
        if self.valid_from and self.valid_to and self.valid_from > self.valid_to:
            raise ValueError(f"{self.id}: valid_from after valid_to")
        return self

    def open_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)

    def covers(self, place: Place, employees: int, eu_countries: frozenset[str]) -> bool:
        where = self.jurisdiction
        country_ok = where.country == place.country or (where.country == "EU" and place.country in eu_countries)
        region_ok = where.region is None or where.region == place.subdivision
        size_ok = (self.min_employees or 1) <= employees <= (self.max_employees or 10**9)
        return country_ok and region_ok and size_ok


class Financing(Strict):
    """``knowledge/financing.yaml``."""

    version: int = Field(ge=1)
    checked_on: date
    eu_countries: list[str] = Field(default_factory=lambda: ["FR", "BE"])
    programs: list[Program]

    @model_validator(mode="after")
    def _unique(self) -> Financing:
        ids = [p.id for p in self.programs]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"programs: duplicate ids {', '.join(duplicates)}")
        return self

    def offers(self, place: Place, employees: int, today: date) -> list[Program]:
        """The programs this company may apply to on ``today``: its place and size, open that day."""
        eu = frozenset(self.eu_countries)
        return [p for p in self.programs if p.open_on(today) and p.covers(place, employees, eu)]


def load_financing(path: Path) -> Financing:
    return load_model(path, Financing, KnowledgeError)
