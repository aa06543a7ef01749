"""Hybrid retrieval over the catalogue: entry classifier + dense + BM25, fused by reciprocal rank.

Each catalogue entry is indexed as many short texts (name, summary, every
symptom phrasing, in both languages). Dense: a query is compared with all of
them by cosine similarity and an entry takes the score of its best text (a
French query finds English phrasings too). BM25: per language, with stemming
and accent folding, over each entry's texts taken together. Rankings are fused
with RRF, which needs no score calibration between them, together with the
entry classifier's ranking (:mod:`.ranker`: a model trained on all of the
catalogue's texts and labelled owner statements, which reads a long, messy
statement far better than the nearest single phrase does). Every hit shows the
catalogue phrase that matched, so a suggestion can say why.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Literal, Protocol

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from .catalogue import Catalogue
from .errors import QueryError
from .index import DenseIndex
from .text import guess_language, lexical_tokens
from .vocabulary import BusinessFunction, Dimension, Language

Mode = Literal["hybrid", "dense", "bm25", "classifier"]
RRF_K = 10  # small k trusts the top of each ranking more; tuned on evals/retrieval (see README)
TIE_BREAK = 0.01  # weight of the relative raw score next to RRF's 1/(k + rank) (0.04-0.09)


@dataclass(frozen=True)
class Fusion:
    """Weights of the three rankings in reciprocal-rank fusion (``mode="hybrid"``).

    A ranking weighed 0 still gives each hit its score and rank (the nearest phrase stays the
    matched text). The planner's weights are in ``knowledge/planner.yaml``.
    """

    classifier: float = 1.0
    dense: float = 0.0
    bm25: float = 0.5


# `plannum search` keeps a good top five: on the retrieval evals, classifier 1 + BM25 0.5 gave the best recall@5.
SEARCH_FUSION = Fusion()
_EMBEDDING_CACHE = 2048  # query vectors kept (2 KB each)


class Hit(BaseModel):
    """One ranked catalogue entry, with why it matched."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    name: str
    score: float
    matched: str
    matched_language: Language
    dense_score: float | None = None
    bm25_score: float | None = None
    dense_rank: int | None = None
    bm25_rank: int | None = None
    classifier_score: float | None = Field(
        default=None, description="the entry classifier's probability (balanced, see ranker.py)"
    )
    classifier_rank: int | None = None
    shared_terms: int | None = Field(default=None, description="distinct query terms found in the entry's texts")


@dataclass(frozen=True)
class _Match:
    score: float
    text: str
    language: Language
    shared: int = 0  # distinct query terms the entry's texts contain (BM25 matches only)


class LexicalIndex:
    """BM25 per language over whole entries (all their texts in that language as one document).

    Scoring whole entries rather than single phrasings rewards an entry whose vocabulary
    covers the *whole* statement ("vendeurs" + "clients" + "relancer" are in three different
    CRM symptoms): on the eval sets it lifted hybrid recall@1 by 7-10 points over per-text
    BM25. The phrase shown as the match is the entry's text sharing most query terms.
    """

    def __init__(self, catalogue: Catalogue) -> None:
        import bm25s

        self._entry_ids = catalogue.ids
        self._texts: dict[Language, dict[str, list[tuple[str, list[str]]]]] = {lang: {} for lang in Language}
        for entry in catalogue:
            for language, text in entry.documents():
                self._texts[language].setdefault(entry.id, []).append((text, lexical_tokens(text, language)))
        self._vocabulary = {
            language: {e: {t for _, tokens in by_entry[e] for t in tokens} for e in by_entry}
            for language, by_entry in self._texts.items()
        }
        self._bm25: dict[Language, Any] = {}
        for language, by_entry in self._texts.items():
            model = bm25s.BM25()
            corpus = [[token for _, tokens in by_entry[e] for token in tokens] for e in self._entry_ids]
            model.index(corpus, show_progress=False)
            self._bm25[language] = model

    def best_matches(self, query: str, allowed: set[str] | None) -> dict[str, _Match]:
        """Score per entry (> 0 only), in the query's language, or both when it cannot be told."""
        guessed = guess_language(query)
        best: dict[str, _Match] = {}
        for language in [guessed] if guessed else list(Language):
            tokens = lexical_tokens(query, language)
            if not tokens:
                continue
            scores = self._bm25[language].get_scores(tokens)
            for position in np.flatnonzero(scores > 0):
                entry_id, score = self._entry_ids[position], float(scores[position])
                if (allowed is None or entry_id in allowed) and score > best.get(entry_id, _NONE).score:
                    query_tokens = set(tokens)
                    shared = len(query_tokens & self._vocabulary[language][entry_id])
                    best[entry_id] = _Match(
                        score, self._closest_text(entry_id, language, query_tokens), language, shared
                    )
        return best

    def _closest_text(self, entry_id: str, language: Language, query_tokens: set[str]) -> str:
        texts = self._texts[language][entry_id]
        return max(texts, key=lambda item: len(query_tokens.intersection(item[1])))[0]


_NONE = _Match(float("-inf"), "", Language.EN)


class Searcher(Protocol):
    """What the planning stages need from retrieval (the real :class:`Retriever`, or a test double
    such as :class:`plannum_assistant.testing.FakeRetriever`)."""

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
    ) -> list[list[Hit]]: ...

    def embed(self, texts: list[str]) -> np.ndarray: ...


class Retriever:
    """Ranks catalogue entries for a pain statement. Build once, query many times."""

    def __init__(self, catalogue: Catalogue, dense: DenseIndex, *, max_query_chars: int = 2000) -> None:
        self.catalogue = catalogue
        self.dense = dense
        self.lexical = LexicalIndex(catalogue)
        self.max_query_chars = max_query_chars
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()  # the cache is shared by the web app's worker threads

    def clear_cache(self) -> None:
        """Forget cached query vectors (benchmarks use it to measure a first visit)."""
        with self._lock:
            self._vectors.clear()

    def embed(self, texts: list[str]) -> np.ndarray:
        """Unit vectors for ``texts``, one row each; recent texts come from a small cache.

        The planner embeds the same pain points and objectives to search and then to link
        them to objectives: the cache makes the second time free.
        """
        with self._lock:
            found = {text: self._vectors[text] for text in texts if text in self._vectors}
        missing = list(dict.fromkeys(t for t in texts if t not in found))
        if missing:  # encoded outside the lock: another thread's search need not wait for this one
            for text, vector in zip(missing, self.dense.embed(missing), strict=True):
                found[text] = np.asarray(vector, dtype=np.float32)
        with self._lock:
            for text, vector in found.items():
                self._vectors[text] = vector
                self._vectors.move_to_end(text)
            while len(self._vectors) > _EMBEDDING_CACHE:
                self._vectors.popitem(last=False)
        # From this call's own vectors: a batch larger than the cache never loses one it needs.
        return np.stack([found[text] for text in texts])

    def search(
        self,
        query: str,
        *,
        top_k: int = 5,
        mode: Mode = "hybrid",
        function: BusinessFunction | None = None,
        dimension: Dimension | None = None,
        fusion: Fusion = SEARCH_FUSION,
    ) -> list[Hit]:
        """Best first."""
        return self.search_many([query], top_k=top_k, mode=mode, function=function, dimension=dimension, fusion=fusion)[
            0
        ]

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
        """:meth:`search` for several queries with one embedding batch and one matrix product.

        ``exclude`` removes entries before ranking (capabilities a company already runs), so
        the remaining ones are ranked and fused as if the excluded ones did not exist.
        """
        queries = [self.check_query(query) for query in queries]
        if not queries:
            return []
        allowed = self._allowed(function, dimension)
        if exclude:
            allowed = (set(self.catalogue.ids) if allowed is None else allowed) - exclude
        dense = self._dense_matches(queries, allowed) if mode != "bm25" else [{} for _ in queries]
        learnt = self._classifier_scores(queries, allowed) if mode in ("hybrid", "classifier") else None
        results = []
        for number, (query, dense_matches) in enumerate(zip(queries, dense, strict=True)):
            lexical = self.lexical.best_matches(query, allowed) if mode in ("hybrid", "bm25") else {}
            classified = learnt[number] if learnt is not None else {}
            results.append(self._fuse(classified, dense_matches, lexical, mode, guess_language(query), fusion, top_k))
        return results

    def _classifier_scores(self, queries: list[str], allowed: set[str] | None) -> list[dict[str, float]]:
        vectors = self.embed(queries)  # first: a failed probe may rebuild the index (see index.py)
        classifier = self.dense.classifier()
        probabilities = classifier.probabilities(vectors, queries)
        return [
            {e: float(p) for e, p in zip(classifier.entry_ids, row, strict=True) if allowed is None or e in allowed}
            for row in probabilities
        ]

    def check_query(self, query: str) -> str:
        if not isinstance(query, str) or not query.strip():
            raise QueryError('empty query: describe a problem, e.g. "we lose track of quotes"')
        if len(query) > self.max_query_chars:
            raise QueryError(
                f"query too long: {len(query):,} characters, at most {self.max_query_chars:,} "
                "(describe one problem in a few sentences)"
            )
        return query.strip()

    def _allowed(self, function: BusinessFunction | None, dimension: Dimension | None) -> set[str] | None:
        if function is None and dimension is None:
            return None
        return {
            entry.id
            for entry in self.catalogue
            if (function is None or entry.function is function) and (dimension is None or dimension in entry.dimensions)
        }

    def _dense_matches(self, queries: list[str], allowed: set[str] | None) -> list[dict[str, _Match]]:
        """Exact cosine against every stored text (see :mod:`.index`); an entry takes its best text."""
        vectors = self.embed(queries)  # first: a failed probe may rebuild the index (see index.py)
        stored = self.dense.vectors()
        rows = [i for i, entry_id in enumerate(stored.entry_ids) if allowed is None or entry_id in allowed]
        similarity = vectors @ stored.matrix[rows].T  # (queries, rows)
        matches = []
        for scores in similarity:
            best: dict[str, _Match] = {}
            # Best first; equal scores fall back to the stored order, which is fixed (entry id, position).
            for position in np.argsort(-scores, kind="stable"):
                row = rows[position]
                entry_id = stored.entry_ids[row]
                if entry_id not in best:
                    best[entry_id] = _Match(float(scores[position]), stored.texts[row], Language(stored.languages[row]))
            matches.append(best)
        return matches

    def _fuse(
        self,
        classified: dict[str, float],
        dense: dict[str, _Match],
        lexical: dict[str, _Match],
        mode: Mode,
        language: Language | None,
        fusion: Fusion,
        top_k: int,
    ) -> list[Hit]:
        scores = {
            "classifier": classified,
            "dense": {e: m.score for e, m in dense.items()},
            "bm25": {e: m.score for e, m in lexical.items()},
        }
        ranks = {name: _ranks(values) for name, values in scores.items()}
        fused: dict[str, float] = {}
        if mode == "hybrid":
            for name, values in scores.items():
                top = max(values.values(), default=0.0)
                for entry_id, rank in ranks[name].items():
                    # RRF, plus a small share of the raw score relative to the best: near-ties (rank 1
                    # by a wide margin vs rank 2 by a hair) break on how strongly each ranker agreed.
                    strength = values[entry_id] / top if top > 0 else 0.0
                    contribution = getattr(fusion, name) * (1.0 / (RRF_K + rank) + TIE_BREAK * strength)
                    fused[entry_id] = fused.get(entry_id, 0.0) + contribution
        else:
            fused = dict(scores[mode])
        # Ties (rare) break on the dense score, then the id, so output is deterministic.
        ordered = sorted(fused, key=lambda e: (-fused[e], -(dense[e].score if e in dense else 0.0), e))[:top_k]
        hits = []
        for entry_id in ordered:
            match = dense.get(entry_id) or lexical[entry_id]  # dense scores every allowed entry unless mode is bm25
            hits.append(
                Hit(
                    id=entry_id,
                    name=self.catalogue[entry_id].name.get(language or match.language),
                    score=round(fused[entry_id], 6),
                    matched=match.text,
                    matched_language=match.language,
                    dense_score=round(dense[entry_id].score, 6) if entry_id in dense else None,
                    bm25_score=round(lexical[entry_id].score, 6) if entry_id in lexical else None,
                    dense_rank=ranks["dense"].get(entry_id),
                    bm25_rank=ranks["bm25"].get(entry_id),
                    classifier_score=round(classified[entry_id], 6) if entry_id in classified else None,
                    classifier_rank=ranks["classifier"].get(entry_id),
                    shared_terms=lexical[entry_id].shared if entry_id in lexical else None,
                )
            )
        return hits


def _ranks(scores: dict[str, float]) -> dict[str, int]:
    ordered = sorted(scores, key=lambda entry_id: (-scores[entry_id], entry_id))
    return {entry_id: rank for rank, entry_id in enumerate(ordered, 1)}
