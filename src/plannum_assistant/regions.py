"""Where a company is, and what follows: its locale, its currency, the programs it may apply to.

``knowledge/regions.yaml`` maps an intake's free-text region ("Drummondville, Québec, Canada",
"Vannes, Morbihan, France") to a country and a subdivision; each country has a currency and a
locale per language. ``knowledge/currency.yaml`` converts the catalogue's Canadian-dollar budgets
at a dated rate, and the plan says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from pydantic import Field

from .catalogue import Strict, Text
from .errors import KnowledgeError
from .files import load_model
from .smart import fold
from .vocabulary import Language

LOCALE_PATTERN = r"^(fr|en)-[A-Z]{2}$"
DEFAULT_COUNTRY = "CA"  # no region named: the catalogue's home market


class Country(Strict):
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    locales: dict[Language, str]
    names: list[Text] = Field(min_length=1)


class Subdivision(Strict):
    country: str
    code: str
    names: list[Text] = Field(min_length=1)


@dataclass(frozen=True)
class Place:
    """A company's country and subdivision (None when the region names none)."""

    country: str
    subdivision: str | None


def _normalise(text: str) -> str:
    return " ".join(re.sub(r"[-–'’.,/()]", " ", fold(text)).split())


class Regions(Strict):
    """``knowledge/regions.yaml``."""

    version: int = Field(ge=1)
    countries: dict[str, Country]
    subdivisions: list[Subdivision]

    def place(self, region: str | None) -> Place:
        """Country and subdivision of a free-text region: whole words, the longest name first; a
        country name decides between subdivisions of the same name (London, Ontario vs London, UK)."""
        text = f" {_normalise(region or '')} "
        countries = [code for code, c in self.countries.items() if any(f" {_normalise(n)} " in text for n in c.names)]
        scores: list[tuple[int, int, int, Subdivision]] = []
        for order, sub in enumerate(self.subdivisions):
            if countries and sub.country not in countries:
                continue
            found = [text.find(f" {_normalise(n)} ") for n in sub.names if f" {_normalise(n)} " in text]
            if found:
                scores.append((-len(found), min(found), order, sub))
        if scores:
            best = min(scores, key=lambda s: s[:3])[3]
            return Place(best.country, best.code)
        return Place(countries[0] if countries else DEFAULT_COUNTRY, None)

    def locale(self, place: Place, language: Language) -> str:
        return self.countries[place.country].locales[language]

    def currency(self, place: Place) -> str:
        return self.countries[place.country].currency


class Currencies(Strict):
    """``knowledge/currency.yaml``: CAD per unit of each currency, dated and sourced."""

    version: int = Field(ge=1)
    base: str
    as_of: date
    source: Text
    rates: dict[str, float]

    def rate(self, currency: str) -> float:
        """How many CAD one unit of ``currency`` is worth."""
        try:
            return self.rates[currency]
        except KeyError:
            raise KnowledgeError(f"currency.yaml: no rate for {currency}") from None


def load_regions(path: Path) -> Regions:
    regions = load_model(path, Regions, KnowledgeError)
    unknown = sorted({s.country for s in regions.subdivisions} - set(regions.countries))
    if unknown:
        raise KnowledgeError(f"{path}: subdivisions of unknown countries: {', '.join(unknown)}")
    return regions


def load_currencies(path: Path) -> Currencies:
    return load_model(path, Currencies, KnowledgeError)
