"""What the planning stages share: the pain and candidate records, and one context object.

Stages (:mod:`.grounding`, :mod:`.alignment`, :mod:`.schedule`, :mod:`.actions`,
:mod:`.explain`) are functions of a :class:`PlanContext` and these records; only
the orchestrator (:mod:`.offline`) calls them, so no stage imports another's caller.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ..catalogue import Catalogue, CatalogueEntry
from ..deliverable import ChangeManagement, IntakeRisks, load_change, load_intake_risks
from ..financing import Financing, load_financing
from ..knowledge import Dimensions, PlannerConfig, Wording, load_dimensions
from ..lexicon import Lexicon, prefix_pattern
from ..models import PainPoint
from ..regions import Currencies, Regions, load_currencies, load_regions
from ..retrieval import Fusion, Hit, Searcher
from ..roles import Roles, load_roles
from ..smart import fold
from ..text import quote as quote
from ..vocabulary import BusinessFunction, Consequence, Flow, Language, Measure, Sector, SizeBand
from .severity import load_severity

_BLOCKS = re.compile(r"\n|<{2,}|>{2,}|[«»‹›\"“”]+")  # lines and quoted or marked-off parts
_SENTENCE_STARTS = re.compile(r"^|(?<=[.!?;:])\s+")


@dataclass(frozen=True)
class PlanKnowledge:
    """The knowledge files behind the deliverable's content, read once (all in ``knowledge/``)."""

    severity: Lexicon[Consequence]
    roles: Roles
    regions: Regions
    currencies: Currencies
    financing: Financing
    dimensions: Dimensions
    change: ChangeManagement
    risks: IntakeRisks

    @classmethod
    def load(cls, directory: Path) -> PlanKnowledge:
        return cls(
            severity=load_severity(directory / "severity.yaml"),
            roles=load_roles(directory / "roles.yaml"),
            regions=load_regions(directory / "regions.yaml"),
            currencies=load_currencies(directory / "currency.yaml"),
            financing=load_financing(directory / "financing.yaml"),
            dimensions=load_dimensions(directory / "dimensions.yaml"),
            change=load_change(directory / "change.yaml"),
            risks=load_intake_risks(directory / "risks.yaml"),
        )


@dataclass
class Pain:
    """A pain point, the hits retrieved for it and those that clearly answer it."""

    point: PainPoint
    hits: list[Hit]
    answer: list[Hit]


@dataclass(frozen=True)
class Choice:
    """An initiative a model chose (or the offline planner filled in), already checked by the LLM
    engine: its id is a candidate, its pains and objectives exist, its adaptations fit the catalogue.
    The offline stages build the plan from these instead of from their own selection."""

    entry_id: str
    pains: tuple[str, ...]
    supports: tuple[str, ...]
    by_model: bool = True
    rationale: str | None = None
    not_before: date | None = None  # the model's start, when it is a valid one
    budget: tuple[float, float] | None = None  # CAD, inside the catalogue's range for the size band
    activities: tuple[tuple[str, str | None], ...] | None = None  # (name, responsible) per catalogue activity


@dataclass
class Candidate:
    """A catalogue entry on its way into the plan, with every reason it got there."""

    entry: CatalogueEntry
    pains: list[str] = field(default_factory=list)
    matched: str | None = None
    prerequisite_of: str | None = None
    supports: list[str] = field(default_factory=list)
    value: float = 0.0
    best_for: int = 0  # pain points where it is the first answer, not a runner-up
    folded: list[str] = field(default_factory=list)  # point solutions this integrated system replaces
    core_for: int = 0  # pains pointing into its coverage (an integrated system proposed for several pains)
    confidence: dict[str, float] = field(default_factory=dict)  # pain id -> the classifier's probability for it
    sure: float = 0.0  # the classifier's highest probability among the pains it is the first answer for
    choice: Choice | None = None  # what a model chose and adapted (the LLM engine); None: the planner's own
    rank: int | None = None  # its place in the model's order
    covered_by: list[str] = field(default_factory=list)  # planned systems covering one of its prerequisites
    quick_win: bool = False  # a catalogue quick win, cheap and short for this company, answering a pain
    urgent: list[str] = field(default_factory=list)  # exposures (security, safety...) it answers or reduces
    due: date | None = None  # the earliest coming deadline of the objectives it serves
    due_objective: str | None = None

    def needs(self) -> list[str]:
        """What must be planned and finished first: its prerequisites, and the planned systems that
        cover a prerequisite instead (an MRP under a WMS still being chosen waits for that WMS)."""
        return [*self.entry.prerequisites, *(s for s in self.covered_by if s not in self.entry.prerequisites)]


class PlanContext:
    """The catalogue, the retriever, the tuned configuration and the wording, prepared once."""

    def __init__(
        self,
        catalogue: Catalogue,
        retriever: Searcher,
        config: PlannerConfig,
        wording: Wording,
        *,
        sectors: Lexicon[Sector],
        measures: Lexicon[Measure],
        knowledge: PlanKnowledge,
        gate_max_age_months: int = 24,
        retriever_query_chars: int = 2000,
    ) -> None:
        self.catalogue = catalogue
        self.retriever = retriever
        self.config = config
        self.wording = wording
        self.sectors = sectors
        self.measures = measures
        self.knowledge = knowledge
        self.gate_max_age_months = gate_max_age_months
        self.retriever_query_chars = retriever_query_chars
        self.flow_patterns = {flow: prefix_pattern([*cues.fr, *cues.en]) for flow, cues in config.fit.flow_cues.items()}
        orders = config.selection.instruction_cues
        self.instruction_anywhere = prefix_pattern([*orders.fr, *orders.en])
        self.instruction_pattern = prefix_pattern([*orders.fr, *orders.en], opening=True)
        self.products = {e.id: [fold(p).split() for p in e.in_place.products] for e in catalogue}
        self.phrases = {e.id: [fold(p) for p in [*e.in_place.phrases.fr, *e.in_place.phrases.en]] for e in catalogue}
        self.function_patterns = {
            function: prefix_pattern([*cues.fr, *cues.en]) for function, cues in config.function_cues.items()
        }
        self.reference_budget = {
            band: statistics.median(
                (e.budget_cad.for_band(band).min + e.budget_cad.for_band(band).max) / 2 for e in catalogue
            )
            for band in SizeBand
        }

    def problem_text(self, text: str) -> str:
        """A statement without the orders to the assistant it holds ("Ignore all previous
        instructions…"): from a sentence that opens with one to the end of its line or quoted block,
        it is no part of a problem, so it is not searched. Only a sentence's opening counts ("the
        night shift ignores the previous instructions" is a complaint); a statement that is nothing
        else becomes empty."""
        if not self.instruction_anywhere.search(fold(text)):
            return text  # most statements: no cue word at all
        blocks = _BLOCKS.split(text)
        kept = [self._before_order(block) for block in blocks]
        if kept == blocks:
            return text
        return " ".join(part.strip() for part in kept if part.strip())

    def _before_order(self, block: str) -> str:
        for start in _SENTENCE_STARTS.finditer(block):
            if self.instruction_pattern.search(fold(block[start.end() :])):
                return block[: start.start()]
        return block

    def t(self, key: str, language: Language, **params: object) -> str:
        return self.wording.text(key, language, **params)

    def count(self, noun: str, n: int, language: Language) -> str:
        """ "1 digital project", "3 digital projects" (``count.<noun>.one|many`` in wording.yaml)."""
        return self.t(f"count.{noun}.{'one' if n == 1 else 'many'}", language, n=n)

    def title(self, entry_id: str, language: Language, country: str) -> str:
        """An entry's name as the company's country says it ("devis" in France)."""
        return self.regional(self.catalogue[entry_id].name.get(language), country, language)

    def regional(self, text: str, country: str, language: Language) -> str:
        """A catalogue phrase with the standards and laws of the company's country (EDIFACT in France)."""
        for mention, replacement in self.config.regional_terms.get(country, {}).get(language, []):
            text = text.replace(mention, replacement)
        return text

    @property
    def fusion(self) -> Fusion:
        """The planner's weights for the three rankings (``selection`` in planner.yaml)."""
        rules = self.config.selection
        return Fusion(classifier=rules.classifier_weight, dense=rules.dense_weight, bm25=rules.bm25_weight)

    def flow_of(self, text: str) -> Flow | None:
        """The one side (customers or suppliers) a statement's words name, or None (neither, or both)."""
        folded = fold(text)
        named = [flow for flow, pattern in self.flow_patterns.items() if pattern.search(folded)]
        return named[0] if len(named) == 1 else None

    def misfits(self, sectors: Collection[Sector], employees: int) -> frozenset[str]:
        """Entries that suit none of the company's sectors, or not its size: excluded from retrieval (a
        sector misfit comes back only for a pain the classifier is sure of, see ``grounding.retrieve``).

        A company whose description names several sectors (a bike shop with a repair workshop, a
        wholesale bakery) may use what any of them uses: on the first 96 training companies, keeping only
        the best-matching sector excluded 6 % of the acceptable answers (recall@5 0.920 vs 0.962).
        """
        named: Collection[Sector | None] = sectors or [None]
        return frozenset(
            e.id for e in self.catalogue if not any(self.catalogue.fits(e.id, s, employees) for s in named)
        )

    def functions_named(self, text: str) -> list[BusinessFunction]:
        """Business functions whose cue words appear in ``text``."""
        folded = fold(text)
        return [function for function, pattern in self.function_patterns.items() if pattern.search(folded)]


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"
