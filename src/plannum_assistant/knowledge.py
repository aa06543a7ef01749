"""The maturity diagnostic questionnaire (``knowledge/dimensions.yaml``).

Ten dimensions, each with a 0–5 scale where every level has a described
anchor in French and English, and a mapping to one of the six EU DMAT
dimensions so scores stay comparable with the European tool.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, model_validator

from .catalogue import Bilingual, Strict, Text
from .errors import KnowledgeError
from .files import load_model
from .models import MaturityAssessment
from .vocabulary import Dimension, DmatDimension, Language


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
