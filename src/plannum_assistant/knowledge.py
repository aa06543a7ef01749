"""The maturity diagnostic questionnaire (``knowledge/dimensions.yaml``).

Ten dimensions, each with a 0–5 scale where every level has a described
anchor in French and English, and a mapping to one of the six EU DMAT
dimensions so scores stay comparable with the European tool.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from pydantic import Field, field_validator, model_validator

from .catalogue import Bilingual, Strict, Text
from .errors import KnowledgeError
from .files import load_model
from .models import LONGEST_HORIZON_MONTHS, Horizon, MaturityAssessment
from .settings import repository_path
from .vocabulary import BusinessFunction, Dimension, DmatDimension, Flow, Language, SizeBand


class Anchor(Strict):
    level: int = Field(ge=0, le=5)
    fr: Text
    en: Text

    def get(self, language: Language) -> str:
        return self.fr if language is Language.FR else self.en


class DimensionSpec(Strict):
    id: Dimension
    label: Bilingual
    dmat: DmatDimension
    question: Bilingual
    anchors: list[Anchor]

    @model_validator(mode="after")
    def _six_levels(self) -> DimensionSpec:
        levels = [anchor.level for anchor in self.anchors]
        if levels != list(range(6)):
            raise ValueError(f"anchors: expected levels 0,1,2,3,4,5 in order, got {levels}")
        return self


class Dimensions(Strict):
    version: int = Field(ge=1)
    scale: Bilingual
    dimensions: list[DimensionSpec]

    @model_validator(mode="after")
    def _all_dimensions_once(self) -> Dimensions:
        ids = [spec.id for spec in self.dimensions]
        missing = [d.value for d in Dimension if d not in ids]
        if missing or len(ids) != len(set(ids)):
            raise ValueError(f"dimensions: each dimension exactly once (missing: {', '.join(missing) or 'none'})")
        return self

    def spec(self, dimension: Dimension) -> DimensionSpec:
        return next(spec for spec in self.dimensions if spec.id is dimension)

    def dmat_percentages(self, assessment: MaturityAssessment) -> dict[DmatDimension, float]:
        """Average score per EU DMAT dimension as a percentage (0–5 → 0–100), rated dimensions only."""
        totals: dict[DmatDimension, list[int]] = {}
        for dimension, score in assessment.scores.items():
            totals.setdefault(self.spec(dimension).dmat, []).append(score)
        return {dmat: round(100 * sum(scores) / (5 * len(scores)), 1) for dmat, scores in totals.items()}


def load_dimensions(path: Path) -> Dimensions:
    return load_model(path, Dimensions, KnowledgeError)


# --- The planner's parameters and wording -----------------------------------------------


class Cues(Strict):
    fr: list[Text]
    en: list[Text]


class OrderCues(Cues):
    """Openings of an order to the assistant: phrases, never one word (a sentence opening with "you"
    or "tu" is the owner's own)."""

    @field_validator("fr", "en")
    @classmethod
    def _phrases(cls, cues: list[str]) -> list[str]:
        single = [cue for cue in cues if len(cue.removesuffix("$").split()) < 2]
        if single:
            raise ValueError(
                f"an order cue is a phrase of two words or more, not {', '.join(map(repr, single))}; "
                "quote a phrase holding a comma (in an unquoted YAML list the comma splits it)"
            )
        return cues


class Selection(Strict):
    candidates: int = Field(ge=1, le=20)
    classifier_weight: float = Field(ge=0, le=2)
    dense_weight: float = Field(ge=0, le=2)
    bm25_weight: float = Field(ge=0, le=2)
    min_score: float = Field(gt=0)
    min_probability: float = Field(ge=0, lt=1)
    max_best_rank: int = Field(ge=1)
    min_bm25: float = Field(ge=0)
    min_shared_terms: int = Field(ge=1, le=10)
    min_dense: float = Field(ge=-1, le=1)
    second_ratio: float = Field(gt=0, le=1)
    keep_bm25_first: bool
    max_per_pain: int = Field(ge=1, le=5)
    instruction_cues: OrderCues = Field(
        description="words that open an order to the assistant ('ignore all previous instructions'): a "
        "sentence holding one is no part of a problem and is left out of the search"
    )


class Linking(Strict):
    """When an initiative supports an objective: it moves the objective's kind of measure, and ..."""

    max_rank: int = Field(ge=1, description="... the objective's own words rank it this high in the catalogue, or")
    pain_similarity: float = Field(gt=0, lt=1, description="... a pain it answers is this close to the objective")
    retrieval_top_k: int = Field(ge=1, le=100)
    max_supports: int = Field(ge=1)
    runner_up_weight: float = Field(gt=0, le=1)


class BySize(Strict):
    micro: int = Field(ge=1)
    small: int = Field(ge=1)
    medium: int = Field(ge=1)

    def for_band(self, band: SizeBand) -> int:
        return int(getattr(self, band.value))


class Priority(Strict):
    """How an initiative's value is weighed (impact over effort)."""

    strategic_objective: float = Field(ge=0)
    operational_objective: float = Field(ge=0)
    maturity_gap: float = Field(ge=0)
    unrated_gap: float = Field(ge=0, le=5)
    effort_weeks: float = Field(gt=0)
    answer_confidence: float = Field(ge=0)
    urgency: float = Field(ge=0, description="impact added when it answers or reduces a security, safety... exposure")


class QuickWinRule(Strict):
    """A catalogue quick win is one for this company when it is this short and this cheap."""

    max_weeks: int = Field(ge=1, le=52)
    max_budget: BySize = Field(description="the band's one-time budget, high end, in CAD")
    extra: BySize = Field(description="quick wins a plan may hold beyond its size cap")


class SureAnswerRule(Strict):
    """A pain's first answer the entry classifier is sure of may join a plan beyond its size cap."""

    min_probability: float = Field(gt=0, le=1, description="the classifier's probability for the pain's answer")
    extra: BySize = Field(description="such answers a plan may hold beyond its size cap")


class BudgetRules(Strict):
    max_ratio: float = Field(ge=1, le=10, description="one-time ranges are narrowed to at most this max/min")


class Content(Strict):
    """The deliverable's sections beyond the initiatives."""

    kpis_per_initiative: int = Field(ge=1, le=6)
    risks_per_initiative: int = Field(ge=0, le=3)
    maturity_gap_at_most: int = Field(ge=0, le=5, description="dimensions rated this or less are gaps")
    reassessment_months: int = Field(ge=3, le=36)


class HorizonBucket(Strict):
    label: Horizon
    until_months: int = Field(ge=1, le=60)


class TextRules(Strict):
    quote_chars: int = Field(ge=20, le=1000)
    objective_quote_chars: int = Field(ge=20, le=1000)
    quoted_pains: int = Field(ge=1, le=20)
    closest_shown: int = Field(ge=0, le=10)


class Fit(Strict):
    """Which catalogue entries suit a company and a statement."""

    flow_cues: dict[Flow, Cues] = Field(description="words naming the customer or the supplier side")
    sure_probability: float = Field(
        gt=0, le=1, description="an entry outside the company's sectors answers a pain only when this sure"
    )


class Core(Strict):
    """When an integrated system (an entry that ``covers`` others) is proposed instead of point tools."""

    min_pains: int = Field(ge=1, description="pains pointing into its coverage before it is proposed")
    top_k: int = Field(ge=1, le=10, description="a pain points at a system ranked this high for it")


class PlannerConfig(Strict):
    """``knowledge/planner.yaml``: tuned thresholds and FR/EN cue words."""

    version: int = Field(ge=1)
    selection: Selection
    fit: Fit
    core: Core
    linking: Linking
    priority: Priority
    plan_size: BySize
    concurrency: BySize
    horizons: list[HorizonBucket] = Field(min_length=1)
    default_horizon_months: int = Field(ge=6, le=36)
    text: TextRules
    quick_win: QuickWinRule
    sure_answer: SureAnswerRule
    budget: BudgetRules
    content: Content
    absent_systems: dict[str, dict[Language, list[tuple[str, str]]]] = Field(
        default_factory=dict,
        description="entry id -> per language, (mention, replacement) in activity names when it is neither "
        "in place nor planned",
    )
    regional_terms: dict[str, dict[Language, list[tuple[str, str]]]] = Field(
        default_factory=dict,
        description="country -> per language, (catalogue phrase, the country's own) replacements",
    )
    function_cues: dict[BusinessFunction, Cues]

    @model_validator(mode="after")
    def _every_function_is_mapped(self) -> PlannerConfig:
        bounds = [bucket.until_months for bucket in self.horizons]
        if bounds != sorted(set(bounds)):
            raise ValueError("horizons: until_months must increase from one bucket to the next")
        if bounds[-1] != LONGEST_HORIZON_MONTHS:
            raise ValueError(
                f"horizons: the last bucket must end at {LONGEST_HORIZON_MONTHS} months, the longest horizon "
                f"an intake may ask (constraints.horizon_months), not {bounds[-1]}"
            )
        missing = [f.value for f in BusinessFunction if f not in self.function_cues]
        if missing:
            raise ValueError(f"function_cues: missing {', '.join(missing)}")
        return self


# Texts of wording.yaml that code outside the planner looks up: checked when the file is loaded.
GATE_TEXTS = (
    *(
        f"gate.missing.{code}"
        for code in (
            "strategic_plan",
            "adopted",
            "stale",
            "future",
            "mission",
            "strategic_orientations",
            "strategic_objectives",
            "operational_orientations",
            "operational_objectives",
        )
    ),
    "gate.criterion.specific",
    "gate.criterion.measurable",
    "gate.criterion.time_bound",
    "gate.nor",
    "gate.smart_warning",
    "gate.placeholder",
    "gate.past_due",
)


class Wording(Strict):
    """``knowledge/wording.yaml``: every sentence the planner, its report and the gate write, FR and EN."""

    version: int = Field(ge=1)
    texts: dict[str, Bilingual]

    @model_validator(mode="after")
    def _required_texts(self) -> Wording:
        missing = [key for key in GATE_TEXTS if key not in self.texts]
        if missing:
            raise ValueError(f"texts: missing {', '.join(missing)}")
        return self

    def text(self, key: str, language: Language, **params: object) -> str:
        try:
            template = self.texts[key].get(language)
        except KeyError:
            raise KnowledgeError(f"wording.yaml: missing text {key!r}") from None
        return template.format(**params)


def load_planner_config(path: Path) -> PlannerConfig:
    return load_model(path, PlannerConfig, KnowledgeError)


def load_wording(path: Path) -> Wording:
    return load_model(path, Wording, KnowledgeError)


@cache
def bundled_wording() -> Wording:
    """The default ``knowledge/wording.yaml`` (read once), for callers given no :class:`Wording`."""
    return load_wording(repository_path("knowledge") / "wording.yaml")
