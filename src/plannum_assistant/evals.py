"""Retrieval evaluation: does the right catalogue entry come first for real pain statements?

The labelled set (``evals/retrieval/pain_statements.yaml``) is written as
owners talk, independently of the catalogue's symptom phrasings. Metrics per
mode (dense, bm25, hybrid) and per language: recall@1/3/5 (an acceptable id
in the top k) and MRR (mean of 1 / rank of the first acceptable id).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from .catalogue import ENTRY_ID_PATTERN, Catalogue
from .errors import EvalError
from .files import load_model
from .retrieval import Hit, Mode
from .vocabulary import Language

CUTOFFS = (1, 3, 5)
MODES: tuple[Mode, ...] = ("dense", "bm25", "hybrid")


class EvalItem(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Annotated[str, StringConstraints(min_length=1)]
    lang: Language
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
    acceptable: list[Annotated[str, StringConstraints(pattern=ENTRY_ID_PATTERN)]] = Field(min_length=1)


class EvalSet(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int
    items: list[EvalItem] = Field(min_length=1)


def load_eval_set(path: Path, catalogue: Catalogue) -> EvalSet:
    eval_set = load_model(path, EvalSet, EvalError)
    ids = [item.id for item in eval_set.items]
    if len(ids) != len(set(ids)):
        raise EvalError(f"{path}: duplicate item ids")
    for item in eval_set.items:
        unknown = [entry_id for entry_id in item.acceptable if entry_id not in catalogue]
        if unknown:
            raise EvalError(f"{path}: item {item.id}: unknown catalogue id(s) {', '.join(unknown)}")
    return eval_set


Search = Callable[[str, Mode], list[Hit]]


def evaluate_retrieval(eval_set: EvalSet, search: Search, *, source: Path, catalogue_hash: str) -> dict[str, Any]:
    """Run every item in every mode; return the JSON-ready report."""
    ranks: dict[Mode, dict[str, int | None]] = {mode: {} for mode in MODES}
    top5: dict[str, list[str]] = {}
    for item in eval_set.items:
        for mode in MODES:
            ids = [hit.id for hit in search(item.text, mode)]
            ranks[mode][item.id] = next((r for r, i in enumerate(ids, 1) if i in item.acceptable), None)
            if mode == "hybrid":
                top5[item.id] = ids[:5]
    languages = {"all": eval_set.items} | {
        lang.value: [item for item in eval_set.items if item.lang is lang] for lang in Language
    }
    return {
        "eval_set": _display(source),
        "eval_set_sha256": hashlib.sha256(source.read_bytes()).hexdigest()[:16],
        "catalogue_hash": catalogue_hash[:16],
        "items": {name: len(items) for name, items in languages.items()},
        "metrics": {
            mode: {name: _metrics([ranks[mode][item.id] for item in items]) for name, items in languages.items()}
            for mode in MODES
        },
        "hybrid_misses_at_5": [
            {"id": item.id, "text": item.text, "acceptable": item.acceptable, "top5": top5[item.id]}
            for item in eval_set.items
            if ranks["hybrid"][item.id] is None or (ranks["hybrid"][item.id] or 99) > 5
        ],
        "hybrid_misses_at_1": [
            {"id": item.id, "acceptable": item.acceptable, "top1": top5[item.id][:1]}
            for item in eval_set.items
            if ranks["hybrid"][item.id] != 1
        ],
    }


def _metrics(ranks: list[int | None]) -> dict[str, float]:
    if not ranks:
        return {}
    metrics = {f"recall@{k}": sum(r is not None and r <= k for r in ranks) / len(ranks) for k in CUTOFFS}
    metrics["mrr"] = sum(1 / r for r in ranks if r is not None) / len(ranks)
    return {name: round(value, 4) for name, value in metrics.items()}


def format_report(report: dict[str, Any]) -> str:
    """A fixed-width table: one row per mode and language."""
    lines = [f"{'mode':<8}{'lang':<6}{'n':>5}{'R@1':>8}{'R@3':>8}{'R@5':>8}{'MRR':>8}"]
    for mode, by_language in report["metrics"].items():
        for language, metrics in by_language.items():
            lines.append(
                f"{mode:<8}{language:<6}{report['items'][language]:>5}"
                + "".join(f"{metrics[name]:>8.3f}" for name in ("recall@1", "recall@3", "recall@5", "mrr"))
            )
    return "\n".join(lines)


def _display(path: Path) -> str:
    """The path relative to the working directory when inside it (reports stay machine-independent)."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return path.name
