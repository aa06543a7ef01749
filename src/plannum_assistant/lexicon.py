"""Word-prefix lexicons that classify free text into a closed vocabulary, FR and EN.

Two live in ``knowledge/``: ``sectors.yaml`` (an intake's free-text sector → a :class:`Sector`)
and ``measures.yaml`` (an objective → the :class:`Measure` families it targets). Each term has
a FR/EN label and word prefixes matched at the start of a word after folding (lower case, no
accents): "usin" matches "Usinage", "factur" matches "facturer"; a word ending in ``$`` must be
a whole word ("ges$" is greenhouse gases, not the start of "gestion"). :meth:`Lexicon.best` picks the
term with most distinct matching prefixes (ties: the term listed first, so files list specific
terms before broad ones); :meth:`Lexicon.matches` returns every term that matches.
"""

from __future__ import annotations

import re
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from .catalogue import Bilingual, BilingualList
from .errors import KnowledgeError
from .files import load_model
from .smart import fold
from .vocabulary import Measure, Sector

K = TypeVar("K", bound=StrEnum)


class Term(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    label: Bilingual
    words: BilingualList


class Lexicon(BaseModel, Generic[K]):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = Field(ge=1)
    terms: dict[K, Term]

    @cached_property
    def _patterns(self) -> list[tuple[K, list[re.Pattern[str]]]]:
        return [(key, [_pattern(w) for w in {*term.words.fr, *term.words.en}]) for key, term in self.terms.items()]

    def counts(self, text: str) -> dict[K, int]:
        """Distinct matching prefixes per term (terms with none are left out)."""
        folded = fold(text)
        found = {key: sum(1 for p in patterns if p.search(folded)) for key, patterns in self._patterns}
        return {key: count for key, count in found.items() if count}

    def best(self, text: str) -> K | None:
        counts = self.counts(text)
        return max(counts, key=lambda key: counts[key], default=None)  # max keeps the first on ties

    @cached_property
    def _any_patterns(self) -> list[tuple[K, re.Pattern[str]]]:
        """One alternation per term: whether any of its words matches, in one search."""
        return [(key, prefix_pattern([*term.words.fr, *term.words.en])) for key, term in self.terms.items()]

    def matches(self, text: str) -> set[K]:
        folded = fold(text)
        return {key for key, pattern in self._any_patterns if pattern.search(folded)}


def _pattern(word: str) -> re.Pattern[str]:
    return re.compile(_regex(word))


def _regex(word: str) -> str:
    whole = word.endswith("$")
    body = re.escape(fold(word.removesuffix("$")))
    return rf"(?<![a-z0-9]){body}(?![a-z0-9])" if whole else rf"(?<![a-z0-9]){body}"


def prefix_pattern(words: list[str], *, opening: bool = False) -> re.Pattern[str]:
    """One pattern matching any of ``words`` by the lexicon's rules (word prefixes; ``$`` = whole word);
    with ``opening``, only at the start of the text (after any punctuation or spaces).

    The word-start check is written once, before the alternation (the same matches as one check per
    word, about three times faster on long statements)."""
    bodies = []
    for word in words:
        body = re.escape(fold(word.removesuffix("$")))
        bodies.append(rf"{body}(?![a-z0-9])" if word.endswith("$") else body)
    start = r"^[^a-z0-9]*" if opening else r"(?<![a-z0-9])"
    return re.compile(rf"{start}(?:{'|'.join(bodies)})")


def load_lexicon(path: Path, vocabulary: type[K]) -> Lexicon[K]:
    """A lexicon file whose terms are keys of ``vocabulary``."""
    return load_model(path, Lexicon[vocabulary], KnowledgeError)  # type: ignore[valid-type]


def load_sectors(path: Path) -> Lexicon[Sector]:
    lexicon = load_model(path, Lexicon[Sector], KnowledgeError)
    missing = [s.value for s in Sector if s is not Sector.ANY and s not in lexicon.terms]
    if missing or Sector.ANY in lexicon.terms:
        raise KnowledgeError(f"{path}: terms must be every sector but 'any' (missing: {', '.join(missing) or '-'})")
    return lexicon


def load_measures(path: Path) -> Lexicon[Measure]:
    lexicon = load_model(path, Lexicon[Measure], KnowledgeError)
    missing = [m.value for m in Measure if m not in lexicon.terms]
    if missing:
        raise KnowledgeError(f"{path}: terms: missing {', '.join(missing)}")
    return lexicon
