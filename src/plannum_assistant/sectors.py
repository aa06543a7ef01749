"""The sector vocabulary: an intake's free-text sector ("Clinique de physiothérapie") → a :class:`Sector`.

``knowledge/sectors.yaml`` lists, per sector, its FR/EN label and word prefixes matched at the
start of words after folding (lower case, no accents). The sector with the most distinct
matching prefixes wins; ties go to the sector listed first (the file lists specific sectors
before broad ones). Nothing matched: ``None``, and every catalogue entry is considered to fit.
"""

from __future__ import annotations

import re
from functools import cached_property
from pathlib import Path

from pydantic import Field, model_validator

from .catalogue import Bilingual, BilingualList, Strict
from .errors import KnowledgeError
from .files import load_model
from .smart import fold
from .vocabulary import Sector


class SectorSpec(Strict):
    label: Bilingual
    words: BilingualList


class SectorVocabulary(Strict):
    version: int = Field(ge=1)
    sectors: dict[Sector, SectorSpec]

    @model_validator(mode="after")
    def _every_sector(self) -> SectorVocabulary:
        missing = [s.value for s in Sector if s is not Sector.ANY and s not in self.sectors]
        if missing:
            raise ValueError(f"sectors: missing {', '.join(missing)}")
        if Sector.ANY in self.sectors:
            raise ValueError("sectors: 'any' is not a sector a company can be in")
        return self

    @cached_property
    def _patterns(self) -> list[tuple[Sector, list[re.Pattern[str]]]]:
        return [
            (sector, [re.compile(rf"(?<![a-z0-9]){re.escape(fold(w))}") for w in {*spec.words.fr, *spec.words.en}])
            for sector, spec in self.sectors.items()
        ]

    def classify(self, text: str) -> Sector | None:
        """The sector of a free-text description, or None when no word of the vocabulary appears."""
        folded = fold(text)
        best: Sector | None = None
        best_count = 0
        for sector, patterns in self._patterns:
            count = sum(1 for pattern in patterns if pattern.search(folded))
            if count > best_count:
                best, best_count = sector, count
        return best


def load_sectors(path: Path) -> SectorVocabulary:
    return load_model(path, SectorVocabulary, KnowledgeError)
