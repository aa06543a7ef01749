"""The entry classifier: a third ranking, learnt from the catalogue's own texts and labelled owner statements.

Nearest-neighbour search compares a statement with one catalogue phrase at a
time; a long, messy statement is close to nothing in particular (cosines of
0.36-0.38 for every entry) and BM25 rewards whichever entry shares one rare
word. A linear classifier instead learns, over *all* of an entry's texts, which
directions of the sentence embedding and which words tell the entries apart.

Features: the query's unit embedding (the same encoder as the dense index) and
its TF-IDF vector over the stemmed, accent-folded terms of the training texts.
Model: multinomial logistic regression, trained by full-batch gradient descent
from zero weights (deterministic: same texts, same weights). Training texts:
every indexed catalogue text (name, summary, symptoms, both languages) and the
labelled owner statements of ``knowledge/owner_statements.yaml`` (written for
training only; never part of a reported evaluation).

The statements are unevenly spread (332 about receivables, 18 about supplier
portals), and a classifier trained on them learns that spread as a prior:
near-ties go to the entries owners mention most. ``balance`` takes part of it
back (logit adjustment: every score minus ``balance`` × the log of the entry's
share of the statements' answers), so a rarely heard entry is not ranked second
merely for being rare. The share counts the statements only: the catalogue's
own texts are spread evenly (about 40 per entry) and are not what tilts the
model. Every probability the classifier gives, and every threshold that reads
one (``planner.yaml``), is the balanced one.

Trained when the index is built and stored beside it (``classifier.npz``).
Measured choices, hyper-parameters and their justification: ``knowledge/ranker.yaml``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from pydantic import Field

from .catalogue import Catalogue, Strict
from .errors import CatalogueError
from .files import MAX_FILE_BYTES, load_model, parse_yaml, read_arrays, read_limited, validate_file
from .index_files import StoredVectors
from .text import guess_language, lexical_tokens
from .vocabulary import Language

ARTIFACT = "classifier.npz"


class Training(Strict):
    embedding_scale: float = Field(gt=0)
    term_scale: float = Field(ge=0)
    l2: float = Field(ge=0)
    iterations: int = Field(ge=1, le=5000)
    learning_rate: float = Field(gt=0, le=10)
    momentum: float = Field(default=0.0, ge=0, lt=1)


class RankerConfig(Strict):
    version: int
    training: Training
    balance: float = Field(
        default=0.0, ge=0, le=1, description="how much of the statements' answer spread is taken back from the scores"
    )


class OwnerStatement(Strict):
    source: str = Field(min_length=1)
    language: Language
    text: str = Field(min_length=20, max_length=2000)
    answer: list[str] = Field(min_length=1, description="catalogue ids a consultant accepts, best first")


class OwnerStatements(Strict):
    version: int
    statements: list[OwnerStatement]


def load_ranker_config(path: Path) -> RankerConfig:
    return load_model(path, RankerConfig, CatalogueError)


def load_owner_statements(path: Path, catalogue: Catalogue, raw: bytes | None = None) -> OwnerStatements:
    """The labelled statements (from ``raw`` when the file was read already); every id must exist in the catalogue."""
    if raw is None:
        raw = read_limited(path, MAX_FILE_BYTES, CatalogueError)
    loaded = validate_file(path, raw, parse_yaml(path, raw, CatalogueError), OwnerStatements, CatalogueError)
    for number, statement in enumerate(loaded.statements):
        unknown = [i for i in statement.answer if i not in catalogue]
        if unknown:
            raise CatalogueError(f"{path}: statements.{number}.answer: unknown catalogue id {unknown[0]!r}")
    return loaded


def training_digest(config: RankerConfig, statements_bytes: bytes) -> str:
    """What the stored classifier was trained from (with the catalogue hash, in the index manifest).

    The statements file's bytes, not its parsed content: parsing and checking 1,600 statements
    took a quarter of a second of every cold start, and is needed only when the index is built."""
    digest = hashlib.sha256(json.dumps(config.model_dump(mode="json"), sort_keys=True).encode())
    digest.update(b"\0" + statements_bytes)
    return digest.hexdigest()


def _query_tokens(text: str, language: Language | None) -> list[str]:
    """Terms of a text in its language; both tokenisations when the language cannot be told."""
    if language is not None:
        return lexical_tokens(text, language)
    return [*lexical_tokens(text, Language.FR), *lexical_tokens(text, Language.EN)]


def term_vector(tokens: list[str], terms: dict[str, int], idf: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Binary term presence × IDF, unit length (sparse: columns and values); unknown terms are ignored."""
    columns = np.asarray(sorted({terms[t] for t in tokens if t in terms}), dtype=np.int64)
    values = idf[columns]
    norm = float(np.linalg.norm(values))
    return columns, (values / norm if norm else values)


@dataclass(frozen=True)
class EntryClassifier:
    """Weights over [scaled embedding | scaled term vector] → one score per catalogue entry."""

    entry_ids: list[str]
    terms: dict[str, int]
    idf: np.ndarray  # (terms,)
    dense_weights: np.ndarray  # (dimensions, entries)
    term_weights: np.ndarray  # (terms, entries)
    bias: np.ndarray  # (entries,)
    embedding_scale: float
    term_scale: float
    adjustment: np.ndarray  # (entries,): added to every score (see ``balance``)

    def probabilities(self, embeddings: np.ndarray, texts: Sequence[str]) -> np.ndarray:
        """(queries, entries) probabilities after the balance adjustment, rows summing to 1; entries in
        ``entry_ids`` order."""
        logits = (embeddings * self.embedding_scale) @ self.dense_weights + self.bias
        for row, text in enumerate(texts):
            columns, values = term_vector(_query_tokens(text, guess_language(text)), self.terms, self.idf)
            if len(columns):
                logits[row] += (values * self.term_scale) @ self.term_weights[columns]
        logits += self.adjustment
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return np.asarray(exp / exp.sum(axis=1, keepdims=True))

    def save(self, path: Path) -> None:
        terms = sorted(self.terms, key=self.terms.__getitem__)
        np.savez(
            path,
            entry_ids=np.asarray(self.entry_ids),
            terms=np.asarray(terms),
            idf=self.idf,
            dense_weights=self.dense_weights,
            term_weights=self.term_weights,
            bias=self.bias,
            scales=np.asarray([self.embedding_scale, self.term_scale]),
            adjustment=self.adjustment,
        )

    @classmethod
    def load(cls, path: Path, entry_ids: list[str]) -> EntryClassifier:
        """The stored classifier, checked against the catalogue it must rank; ``ValueError`` when the
        file is missing parts, damaged, or was trained for other entries."""
        with read_arrays(path) as data:
            scales = data["scales"]
            loaded = cls(
                entry_ids=[str(x) for x in data["entry_ids"]],
                terms={str(t): i for i, t in enumerate(data["terms"])},
                idf=np.asarray(data["idf"], dtype=np.float32),
                dense_weights=np.asarray(data["dense_weights"], dtype=np.float32),
                term_weights=np.asarray(data["term_weights"], dtype=np.float32),
                bias=np.asarray(data["bias"], dtype=np.float32),
                embedding_scale=float(scales[0]),
                term_scale=float(scales[1]),
                adjustment=np.asarray(data["adjustment"], dtype=np.float32),
            )
        loaded.check(entry_ids)
        return loaded

    def check(self, entry_ids: list[str]) -> None:
        """Raise ``ValueError`` unless this model ranks exactly ``entry_ids`` with consistent, finite weights."""
        entries, terms = len(self.entry_ids), len(self.terms)
        if self.entry_ids != entry_ids:
            raise ValueError("trained for another catalogue")
        shapes = [
            self.idf.shape == (terms,),
            self.term_weights.shape == (terms, entries),
            self.bias.shape == (entries,),
            self.adjustment.shape == (entries,),
        ]
        if not all(shapes) or self.dense_weights.ndim != 2 or self.dense_weights.shape[1] != entries:
            raise ValueError("inconsistent weight shapes")
        arrays = (self.idf, self.dense_weights, self.term_weights, self.bias, self.adjustment)
        if not all(np.isfinite(a).all() for a in arrays):
            raise ValueError("non-finite weights (lower ranker.yaml training.learning_rate)")


def balance_adjustment(entry_ids: list[str], answers: Sequence[str], balance: float) -> np.ndarray:
    """``-balance × log(share / uniform share)`` per entry: each entry's share of ``answers`` (the labelled
    statements' first answers), one pseudo-answer each so that an entry nobody named is not infinite.
    An entry answered as often as average is left alone; a frequent one is lowered, a rare one raised."""
    counts = np.ones(len(entry_ids))
    position = {entry_id: i for i, entry_id in enumerate(entry_ids)}
    for answer in answers:
        counts[position[answer]] += 1
    share = counts / counts.sum()
    return np.asarray(-balance * np.log(share * len(entry_ids)), dtype=np.float32)


def train_for_index(
    entry_ids: list[str],
    catalogue: StoredVectors,
    statements: Sequence[OwnerStatement],
    encode: Callable[[list[str]], np.ndarray],
    config: RankerConfig,
) -> EntryClassifier:
    """The classifier an index stores: every catalogue text labelled by its entry (with its stored
    vector) and every statement by its first answer (encoded here); the balance counts the statements'
    answers only. Raises ``ValueError`` when training diverges (see ``ranker.yaml``)."""
    answers = [s.answer[0] for s in statements]
    extra = encode([s.text for s in statements]) if statements else np.zeros((0, catalogue.matrix.shape[1]))
    return train(
        entry_ids,
        np.vstack([catalogue.matrix, np.asarray(extra, dtype=np.float32)]),
        [*catalogue.texts, *(s.text for s in statements)],
        [*(Language(x) for x in catalogue.languages), *(s.language for s in statements)],
        [*catalogue.entry_ids, *answers],
        config.training,
        balance_adjustment(entry_ids, answers, config.balance),
    )


def train(
    entry_ids: list[str],
    embeddings: np.ndarray,
    texts: Sequence[str],
    languages: Sequence[Language],
    labels: Sequence[str],
    config: Training,
    adjustment: np.ndarray,
) -> EntryClassifier:
    """Multinomial logistic regression, full batch, from zero weights: the same inputs give the same model.
    ``adjustment`` (:func:`balance_adjustment`) is stored with it and added to every score."""
    tokens = [lexical_tokens(text, language) for text, language in zip(texts, languages, strict=True)]
    terms: dict[str, int] = {}
    for row in tokens:
        for token in row:
            terms.setdefault(token, len(terms))
    frequency = np.zeros(len(terms))
    for row in tokens:
        for column in {terms[t] for t in row}:
            frequency[column] += 1
    idf = (np.log((1 + len(tokens)) / (1 + frequency)) + 1).astype(np.float32)
    sparse = [term_vector(row, terms, idf) for row in tokens]
    rows = np.concatenate([np.full(len(c), i) for i, (c, _) in enumerate(sparse)]).astype(np.int64)
    columns = np.concatenate([c for c, _ in sparse]).astype(np.int64)
    values = np.concatenate([v for _, v in sparse]).astype(np.float32) * config.term_scale
    dense = np.asarray(embeddings, dtype=np.float32) * config.embedding_scale
    position = {entry_id: i for i, entry_id in enumerate(entry_ids)}
    target = np.zeros((len(texts), len(entry_ids)), dtype=np.float32)
    target[np.arange(len(texts)), [position[label] for label in labels]] = 1.0
    shapes = [(dense.shape[1], len(entry_ids)), (len(terms), len(entry_ids)), (len(entry_ids),)]
    dense_w, term_w, bias = (np.zeros(shape, dtype=np.float32) for shape in shapes)
    velocity = [np.zeros(shape, dtype=np.float32) for shape in shapes]
    count = len(texts)
    by_row = _Segments(rows)  # sparse products as sorted segment sums (np.add.at is far slower)
    by_column = _Segments(columns)
    for _ in range(config.iterations):
        logits = dense @ dense_w + bias
        logits[by_row.keys] += by_row.sum(values[:, None] * term_w[columns])
        logits -= logits.max(axis=1, keepdims=True)
        probability = np.exp(logits)
        probability /= probability.sum(axis=1, keepdims=True)
        error = (probability - target) / count
        term_gradient = config.l2 * term_w
        term_gradient[by_column.keys] += by_column.sum(values[:, None] * error[rows])
        gradients = (dense.T @ error + config.l2 * dense_w, term_gradient, error.sum(axis=0))
        for weights, speed, gradient in zip((dense_w, term_w, bias), velocity, gradients, strict=True):
            speed *= config.momentum  # heavy-ball momentum: the same optimum in far fewer steps
            speed -= config.learning_rate * gradient
            weights += speed
    model = EntryClassifier(
        entry_ids, terms, idf, dense_w, term_w, bias, config.embedding_scale, config.term_scale, adjustment
    )
    model.check(entry_ids)  # a diverging training (too large a learning rate) fails here, not in a search
    return model


class _Segments:
    """Sums of the rows of a (pairs, k) array grouped by a key per pair (row or column index)."""

    def __init__(self, keys: np.ndarray) -> None:
        self.order = np.argsort(keys, kind="stable")
        ordered = keys[self.order]
        self.starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
        self.keys = ordered[self.starts]

    def sum(self, pairs: np.ndarray) -> np.ndarray:
        return np.asarray(np.add.reduceat(pairs[self.order], self.starts, axis=0))
