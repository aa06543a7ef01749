"""The curated initiative catalogue: the only initiatives that exist.

One YAML file per initiative in ``knowledge/catalogue/``. Loading validates
each file against :class:`CatalogueEntry` (strict, ``extra="forbid"``) and the
whole set against cross-entry rules (unique ids, known references, no cycle).
Any problem raises :class:`~plannum_assistant.errors.CatalogueError` naming
the file, the field and, where YAML knows it, the line.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterator, Mapping
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from .errors import CatalogueError
from .files import parse_yaml, validate_file
from .vocabulary import BusinessFunction, Dimension, Exposure, Flow, Language, Measure, Sector, SizeBand

ENTRY_ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
MIN_SYMPTOMS_PER_LANGUAGE = 12

EntryId = Annotated[str, StringConstraints(pattern=ENTRY_ID_PATTERN)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Bilingual(Strict):
    """The same text in French and English."""

    fr: Text
    en: Text

    def get(self, language: Language) -> str:
        return self.fr if language is Language.FR else self.en


class BilingualList(Strict):
    """Parallel lists in French and English (they need not be translations)."""

    fr: list[Text] = Field(min_length=1)
    en: list[Text] = Field(min_length=1)

    def get(self, language: Language) -> list[str]:
        return self.fr if language is Language.FR else self.en


class Range(Strict):
    """An inclusive numeric range, ``min <= max``."""

    min: float = Field(ge=0)
    max: float = Field(ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> Range:
        if self.min > self.max:
            raise ValueError(f"min ({self.min}) must not exceed max ({self.max})")
        return self


class BudgetEstimate(Strict):
    """Budget ranges in CAD by company size band, with their provenance."""

    micro: Range
    small: Range
    medium: Range
    basis: Text = Field(description="'estimate' or how the figures were obtained")
    source: Text | None = None

    def for_band(self, band: SizeBand) -> Range:
        return {SizeBand.MICRO: self.micro, SizeBand.SMALL: self.small, SizeBand.MEDIUM: self.medium}[band]


class BandRanges(Strict):
    """One range per company size band (yearly costs, internal days)."""

    micro: Range
    small: Range
    medium: Range

    def for_band(self, band: SizeBand) -> Range:
        return {SizeBand.MICRO: self.micro, SizeBand.SMALL: self.small, SizeBand.MEDIUM: self.medium}[band]


class Risk(Strict):
    """A risk typical of this initiative in an SME, and how to keep it small."""

    risk: Bilingual
    mitigation: Bilingual


class WhenSaid(Strict):
    """Another wording of an activity when the intake says something ("our files are already digital")."""

    words: BilingualList = Field(description="folded phrases looked for in the pain points and systems")
    name: Bilingual


class ActivityTemplate(Strict):
    """A typical activity the planner turns into an action-plan line."""

    name: Bilingual
    responsible: Bilingual = Field(description="a role, e.g. 'Directeur des ventes' / 'Sales manager'")
    duration_weeks: int = Field(ge=1, le=104)
    budget_share: float = Field(ge=0, le=1, description="share of the initiative budget")
    by_sector: dict[Sector, Bilingual] = Field(
        default_factory=dict, description="the activity as that sector says it (no kiosks in a clinic)"
    )
    when_said: list[WhenSaid] = Field(default_factory=list)


class InPlaceSignals(Strict):
    """Evidence that the capability already exists in the company."""

    products: list[Text] = Field(default_factory=list)
    phrases: BilingualList


class Source(Strict):
    title: Text
    url: Text | None = None
    note: Text | None = None


class CatalogueEntry(Strict):
    """One curated digital initiative, French and English side by side."""

    id: EntryId
    name: Bilingual
    summary: Bilingual
    function: BusinessFunction
    dimensions: list[Dimension] = Field(min_length=1)
    symptoms: BilingualList
    prerequisites: list[EntryId] = Field(default_factory=list, description="must be in place first")
    usually_after: list[EntryId] = Field(default_factory=list, description="softer ordering hint")
    sectors: list[Sector] = Field(
        default_factory=lambda: [Sector.ANY], min_length=1, description="sectors it fits, or [any]"
    )
    flow: Flow | None = Field(default=None, description="the side a document flow faces, when it has one")
    min_employees: int = Field(default=1, ge=1, description="smallest company for which it makes sense")
    covers: list[EntryId] = Field(
        default_factory=list, description="capabilities an integrated system brings (point solutions it folds in)"
    )
    moves: list[Measure] = Field(min_length=1, description="the kinds of measure it moves (objectives it can serve)")
    activities: list[ActivityTemplate] = Field(min_length=2)
    budget_cad: BudgetEstimate
    duration_months: Range
    kpis: BilingualList
    kpi_baselines: BilingualList = Field(description="how to measure each KPI's baseline, in the kpis' order")
    quick_win: bool = Field(description="visible value within about three months for a modest one-time cost")
    exposure: list[Exposure] = Field(
        default_factory=list, description="exposures it directly reduces (security, safety, compliance...)"
    )
    recurring_cad: BandRanges = Field(description="yearly recurring cost (subscriptions, licences, support), CAD")
    internal_days: BandRanges = Field(description="days the company's own people spend on the project")
    risks: list[Risk] = Field(min_length=1)
    lower_cost_alternative: Bilingual = Field(description="what a company with a small envelope can do first")
    in_place: InPlaceSignals
    sources: list[Source] = Field(min_length=1)

    @model_validator(mode="after")
    def _check_entry(self) -> CatalogueEntry:
        for language in Language:
            count = len(self.symptoms.get(language))
            if count < MIN_SYMPTOMS_PER_LANGUAGE:
                raise ValueError(
                    f"symptoms.{language.value}: {count} phrasings, at least {MIN_SYMPTOMS_PER_LANGUAGE} required"
                )
        for language in Language:
            if len(self.kpi_baselines.get(language)) != len(self.kpis.get(language)):
                raise ValueError(f"kpi_baselines.{language.value}: one baseline per KPI, in the kpis' order")
        shares = sum(activity.budget_share for activity in self.activities)
        if abs(shares - 1.0) > 0.01:
            raise ValueError(f"activities: budget_share values sum to {shares:.2f}, they must sum to 1.0")
        if Sector.ANY in self.sectors and len(self.sectors) > 1:
            raise ValueError("sectors: 'any' stands alone")
        for field in ("prerequisites", "usually_after", "covers"):
            if self.id in getattr(self, field):
                raise ValueError(f"{field}: an entry cannot reference itself ({self.id})")
        return self

    def documents(self) -> Iterator[tuple[Language, str]]:
        """The texts retrieval indexes for this entry: name, summary, each symptom."""
        for language in Language:
            yield language, self.name.get(language)
            yield language, self.summary.get(language)
            for symptom in self.symptoms.get(language):
                yield language, symptom


class Catalogue:
    """An immutable, cross-validated set of entries with a content hash."""

    def __init__(self, entries: Mapping[str, CatalogueEntry], content_hash: str) -> None:
        self._entries = dict(entries)
        self.content_hash = content_hash

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[CatalogueEntry]:
        return iter(self._entries.values())

    def __contains__(self, entry_id: object) -> bool:
        return entry_id in self._entries

    def __getitem__(self, entry_id: str) -> CatalogueEntry:
        try:
            return self._entries[entry_id]
        except KeyError:
            raise CatalogueError(f"unknown catalogue id {entry_id!r}") from None

    def fits(self, entry_id: str, sector: Sector | None, employees: int) -> bool:
        """Whether an entry suits a company of this sector (None: unknown, fits) and size."""
        entry = self[entry_id]
        sector_ok = sector is None or Sector.ANY in entry.sectors or sector in entry.sectors
        return sector_ok and employees >= entry.min_employees

    def dependents(self, entry_id: str, planned: Collection[str]) -> list[str]:
        """The planned entries that need ``entry_id`` first: it is one of their prerequisites, or a
        system covering one (an ERP planned before the MRP it covers the inventory of)."""
        covers = set(self[entry_id].covers)
        return [
            other
            for other in planned
            if other != entry_id and (entry_id in self[other].prerequisites or covers & set(self[other].prerequisites))
        ]

    @property
    def ids(self) -> list[str]:
        return list(self._entries)


def load_catalogue(directory: Path) -> Catalogue:
    """Load and validate every ``*.yaml`` file in ``directory``."""
    if not directory.is_dir():
        raise CatalogueError(f"{directory}: catalogue directory not found (set PLANNUM_KNOWLEDGE_DIR?)")
    files = sorted(directory.glob("*.yaml"))
    if not files:
        raise CatalogueError(f"{directory}: no *.yaml catalogue file found")
    digest = hashlib.sha256()
    entries: dict[str, CatalogueEntry] = {}
    origins: dict[str, Path] = {}
    for path in files:
        raw = path.read_bytes()
        digest.update(path.name.encode() + b"\0" + raw + b"\0")
        entry = _parse_entry(path, raw)
        if path.stem != entry.id:  # one file per id: this also makes ids unique
            raise CatalogueError(f"{path}: file name must be the id ({entry.id}.yaml)")
        entries[entry.id] = entry
        origins[entry.id] = path
    _check_references(entries, origins)
    _check_acyclic(entries, origins)
    return Catalogue(entries, digest.hexdigest())


def _parse_entry(path: Path, raw: bytes) -> CatalogueEntry:
    return validate_file(path, raw, parse_yaml(path, raw, CatalogueError), CatalogueEntry, CatalogueError)


def _check_references(entries: Mapping[str, CatalogueEntry], origins: Mapping[str, Path]) -> None:
    for entry in entries.values():
        for field in ("prerequisites", "usually_after", "covers"):
            for ref in getattr(entry, field):
                if ref not in entries:
                    raise CatalogueError(f"{origins[entry.id]}: {field}: unknown catalogue id {ref!r}")


def _check_acyclic(entries: Mapping[str, CatalogueEntry], origins: Mapping[str, Path]) -> None:
    """Prerequisites and 'usually after' together must form a DAG."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done

    def visit(entry_id: str, path: list[str]) -> None:
        state[entry_id] = 1
        entry = entries[entry_id]
        for ref in [*entry.prerequisites, *entry.usually_after]:
            if state.get(ref) == 1:
                cycle = " -> ".join([*path[path.index(ref) :], ref]) if ref in path else f"{entry_id} -> {ref}"
                raise CatalogueError(f"{origins[entry_id]}: dependency cycle: {cycle}")
            if ref not in state:
                visit(ref, [*path, ref])
        state[entry_id] = 2

    for entry_id in entries:
        if entry_id not in state:
            visit(entry_id, [entry_id])
