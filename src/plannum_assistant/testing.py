"""Test doubles that ship with the package, so planning rules can be tested without the encoder.

:class:`FakeRetriever` answers :class:`~plannum_assistant.retrieval.Searcher` calls with canned
hits and deterministic bag-of-words vectors: a test states exactly what retrieval "found" and
checks what each planning stage decides from it.
"""

from __future__ import annotations

import hashlib

import numpy as np

from .retrieval import SEARCH_FUSION, Fusion, Hit, Mode
from .smart import fold
from .vocabulary import BusinessFunction, Dimension, Language

_DIMENSIONS = 256


def hit(
    entry_id: str,
    score: float,
    *,
    dense: float | None = 0.5,
    bm25: float | None = 5.0,
    dense_rank: int | None = 1,
    bm25_rank: int | None = 1,
    matched: str = "",
    shared: int | None = 3,
    classifier: float | None = None,
    classifier_rank: int | None = None,
) -> Hit:
    """A retrieval hit with the evidence a test wants (defaults: clear on both rankers)."""
    return Hit(
        id=entry_id,
        name=entry_id,
        score=score,
        matched=matched or entry_id,
        matched_language=Language.EN,
        dense_score=dense,
        bm25_score=bm25,
        dense_rank=dense_rank,
        bm25_rank=bm25_rank,
        shared_terms=shared,
        classifier_score=classifier,
        classifier_rank=classifier_rank,
    )


class FakeRetriever:
    """Canned hits per query (an unknown query finds nothing); vectors from hashed words."""

    def __init__(self, hits: dict[str, list[Hit]] | None = None) -> None:
        self.hits = dict(hits or {})
        self.queries: list[list[str]] = []  # every search_many batch, for assertions
        self.fusions: list[Fusion] = []  # the fusion weights each batch asked for
        self.excluded: list[frozenset[str]] = []  # the entries each batch excluded

    def search_many(
        self,
        queries: list[str],
        *,
        top_k: int = 5,
        mode: Mode = "hybrid",
        function: BusinessFunction | None = None,
        dimension: Dimension | None = None,
        fusion: Fusion = SEARCH_FUSION,
        exclude: frozenset[str] = frozenset(),
    ) -> list[list[Hit]]:
        self.queries.append(list(queries))
        self.fusions.append(fusion)
        self.excluded.append(exclude)
        return [[h for h in self.hits.get(q, []) if h.id not in exclude][:top_k] for q in queries]

    def embed(self, texts: list[str]) -> np.ndarray:
        """Unit vectors over hashed folded words: texts sharing words are close, others orthogonal."""
        rows = np.zeros((len(texts), _DIMENSIONS), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in fold(text).split():
                rows[row, int(hashlib.sha256(word.encode()).hexdigest()[:8], 16) % _DIMENSIONS] += 1.0
        norms = np.linalg.norm(rows, axis=1, keepdims=True)
        return rows / np.where(norms == 0, 1.0, norms)
