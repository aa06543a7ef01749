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
from functools import cached_property
from pathlib import Path

from pydantic import Field

from .catalogue import Bilingual, Strict, Text
from .errors import KnowledgeError
from .files import load_model
from .smart import fold
from .vocabulary import Language


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
    """A company's country and subdivision (None when the region names none). ``recognised`` is
    False when a region was given but names no place this file knows (the country is then assumed)."""

    country: str
    subdivision: str | None
    recognised: bool = True


def _normalise(text: str) -> str:
    return " ".join(re.sub(r"[-–'’.,/()]", " ", fold(text)).split())


class Regions(Strict):
    """``knowledge/regions.yaml``."""

    version: int = Field(ge=1)
    default_country: str = Field(description="assumed when no region is given (the catalogue's home market)")
    countries: dict[str, Country]
    subdivisions: list[Subdivision]

    @cached_property
    def _names(self) -> tuple[dict[str, list[str]], list[list[str]]]:
        """Every name normalised once, padded with spaces for whole-word search."""
        countries = {code: [f" {_normalise(n)} " for n in c.names] for code, c in self.countries.items()}
        return countries, [[f" {_normalise(n)} " for n in sub.names] for sub in self.subdivisions]

    def place(self, region: str | None, locale: str | None = None) -> Place:
        """Country and subdivision of a free-text region: whole words; a country name decides
        between subdivisions of the same name (London, Ontario vs London, UK); else the subdivision
        with most names found, then the one named first, then file order (Canada first)."""
        text = f" {_normalise(region or '')} "
        country_names, subdivision_names = self._names
        countries = [code for code, names in country_names.items() if any(n in text for n in names)]
        scores: list[tuple[int, int, int, Subdivision]] = []
        for order, (sub, names) in enumerate(zip(self.subdivisions, subdivision_names, strict=True)):
            if countries and sub.country not in countries:
                continue
            found = [text.find(n) for n in names if n in text]
            if found:
                scores.append((-len(found), min(found), order, sub))
        if scores:
            best = min(scores, key=lambda s: s[:3])[3]
            return Place(best.country, best.code)
        if countries:
            return Place(countries[0], None)
        # No place recognised: the locale's country when it is one we know ("fr-FR"), else the default.
        from_locale = locale.split("-")[1] if locale and "-" in locale else None
        country = from_locale if from_locale in self.countries else self.default_country
        return Place(country, None, recognised=not (region or "").strip() or from_locale in self.countries)

    def locale(self, place: Place, language: Language) -> str:
        return self.countries[place.country].locales[language]

    def currency(self, place: Place) -> str:
        return self.countries[place.country].currency


class Currencies(Strict):
    """``knowledge/currency.yaml``: CAD per unit of each currency, dated and sourced."""

    version: int = Field(ge=1)
    base: str
    as_of: date
    source: Bilingual
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
