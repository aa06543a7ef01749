"""Retrieval evaluation: does the right catalogue entry come first for real pain statements?

The labelled set (``evals/retrieval/pain_statements.yaml``) is written as
owners talk, independently of the catalogue's symptom phrasings. Metrics per
mode (dense, bm25, classifier, hybrid) and per language: recall@1/3/5 (an acceptable id
in the top k) and MRR (mean of 1 / rank of the first acceptable id).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from .catalogue import ENTRY_ID_PATTERN, Catalogue
from .errors import EvalError, PlanInvalidError
from .files import load_model
from .intake import Intake
from .retrieval import Hit, Mode
from .vocabulary import Language

CUTOFFS = (1, 3, 5)
MODES: tuple[Mode, ...] = ("dense", "bm25", "classifier", "hybrid")


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
        "eval_set": display_path(source),
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
            if (ranks["hybrid"][item.id] or 99) > 5
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
    lines = [f"{'mode':<11}{'lang':<6}{'n':>5}{'R@1':>8}{'R@3':>8}{'R@5':>8}{'MRR':>8}"]
    for mode, by_language in report["metrics"].items():
        for language, metrics in by_language.items():
            lines.append(
                f"{mode:<11}{language:<6}{report['items'][language]:>5}"
                + "".join(f"{metrics[name]:>8.3f}" for name in ("recall@1", "recall@3", "recall@5", "mrr"))
            )
    return "\n".join(lines)


def display_path(path: Path) -> str:
    """The path relative to the working directory when inside it (reports stay machine-independent)."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return path.name


# --- Planner scenarios -------------------------------------------------------------------


class ScenarioExpectation(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    gate_ready: bool
    must_include: list[Annotated[str, StringConstraints(pattern=ENTRY_ID_PATTERN)]]
    must_not_include: list[Annotated[str, StringConstraints(pattern=ENTRY_ID_PATTERN)]]


class Scenario(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    description: Annotated[str, StringConstraints(min_length=1)]
    today: date
    intake: Intake
    expected: ScenarioExpectation


def load_scenarios(directory: Path, catalogue: Catalogue) -> dict[str, Scenario]:
    files = sorted(directory.glob("*.yaml"))
    if not files:
        raise EvalError(f"{directory}: no scenario file (*.yaml)")
    scenarios = {}
    for path in files:
        scenario = load_model(path, Scenario, EvalError)
        expected = scenario.expected
        for entry_id in [*expected.must_include, *expected.must_not_include]:
            if entry_id not in catalogue:
                raise EvalError(f"{path}: expected: unknown catalogue id {entry_id!r}")
        scenarios[path.stem] = scenario
    return scenarios


Plan = Callable[[Intake, date], Any]


def evaluate_scenarios(
    scenarios: dict[str, Scenario], plan: Plan, *, catalogue_hash: str, catalogue: Catalogue | None = None
) -> dict[str, Any]:
    """Gate accuracy, must-include recall, precision, must-not-include violations, validity.

    With the ``catalogue``, an expected initiative counts as included when a planned integrated
    system covers it (an ERP planned instead of a separate inventory tool; the catalogue's
    ``covers``), and precision counts such a system as a hit.
    """
    rows: list[dict[str, Any]] = []
    for name, scenario in scenarios.items():
        expected = scenario.expected
        try:
            report = plan(scenario.intake, scenario.today)
        except PlanInvalidError as exc:
            rows.append({"scenario": name, "valid": False, "error": str(exc)})
            continue
        planned = [i.catalogue_id for i in report.initiatives]
        covered = {c for i in planned for c in catalogue[i].covers} if catalogue is not None else set()
        included = [i for i in expected.must_include if i in planned or i in covered]
        rows.append(
            {
                "scenario": name,
                "language": scenario.intake.language.value,
                "valid": True,
                "gate_expected": expected.gate_ready,
                "gate": report.gate.ready,
                "planned": planned,
                "unaligned": [u.catalogue_id for u in report.unaligned],
                "deferred": [d.catalogue_id for d in report.deferred],
                "missed": [i for i in expected.must_include if i not in included],
                "violations": [i for i in expected.must_not_include if i in planned],
                "expected_hits": len(included),
                "expected": len(expected.must_include),
            }
        )
    valid = [row for row in rows if row["valid"]]
    ready_planned = [row for row in valid if row["gate"]]
    included = sum(row["expected_hits"] for row in valid)
    expected_total = sum(row["expected"] for row in valid)
    planned_total = sum(len(row["planned"]) for row in ready_planned)
    return {
        "catalogue_hash": catalogue_hash[:16],
        "scenarios": len(rows),
        "summary": {
            "gate_accuracy": round(sum(row["gate"] == row["gate_expected"] for row in valid) / len(rows), 4),
            "validity": round(len(valid) / len(rows), 4),
            "must_include_recall": round(included / expected_total, 4) if expected_total else None,
            "precision_vs_must_include": round(included / planned_total, 4) if planned_total else None,
            "must_not_include_violations": sum(len(row["violations"]) for row in valid),
            "initiatives_per_ready_plan": round(planned_total / len(ready_planned), 2) if ready_planned else None,
            "unaligned_total": sum(len(row["unaligned"]) for row in valid),
        },
        "rows": rows,
    }


class EngineMeter:
    """A plan function that records, per plan, which engine drafted it, the model calls, the tokens
    and the seconds: the figures that compare engines on the same cases (``--engine``)."""

    def __init__(self, draft: Callable[[Intake, date], Any]) -> None:
        self._draft = draft  # returns a PlanOutcome (the report and every engine attempt)
        self.records: list[dict[str, Any]] = []

    def __call__(self, intake: Intake, today: date) -> Any:
        started = time.perf_counter()
        outcome = self._draft(intake, today)
        report = outcome.report
        self.records.append(
            {
                "engine": report.engine,
                "fell_back": outcome.fell_back,
                "errors": [a.error for a in outcome.attempts if a.error] if outcome.fell_back else [],
                "llm_calls": report.llm_calls,
                "prompt_tokens": report.prompt_tokens,
                "completion_tokens": report.completion_tokens,
                "seconds": time.perf_counter() - started,
                "from_model": sum(i.source == "model" for i in report.initiatives),
                "initiatives": len(report.initiatives),
            }
        )
        return report

    def figures(self) -> dict[str, Any]:
        """Per plan: engines used, model calls, tokens (when the server reports them), seconds."""
        records = self.records
        if not records:
            return {}
        plans = len(records)

        def mean(key: str) -> float | None:
            values = [r[key] for r in records if r[key] is not None]
            return round(sum(values) / len(values), 2) if values else None

        engines: dict[str, int] = {}
        for record in records:
            engines[record["engine"]] = engines.get(record["engine"], 0) + 1
        initiatives = sum(r["initiatives"] for r in records)
        return {
            "plans": plans,
            "engines": engines,
            "fallbacks": sum(r["fell_back"] for r in records),  # the model failed: the offline planner drafted
            "fallback_reasons": sorted({e for r in records for e in r["errors"]}),
            "model_calls_per_plan": mean("llm_calls"),
            "prompt_tokens_per_plan": mean("prompt_tokens"),
            "completion_tokens_per_plan": mean("completion_tokens"),
            "seconds_per_plan": mean("seconds"),
            "initiatives_from_model": round(sum(r["from_model"] for r in records) / initiatives, 4)
            if initiatives
            else None,
        }


def gate_cell(row: dict[str, Any]) -> str:
    """ "ok R" / "BAD -": whether the gate decided as expected, and whether it let a plan through."""
    return ("ok " if row["gate"] == row["gate_expected"] else "BAD ") + ("R" if row["gate"] else "-")


def format_scenarios(report: dict[str, Any]) -> str:
    lines = [f"{'scenario':<44}{'gate':<7}{'planned':<60}missed / violations"]
    for row in report["rows"]:
        if not row["valid"]:
            lines.append(f"{row['scenario']:<44}INVALID {row['error']}")
            continue
        gate = gate_cell(row)
        lines.append(
            f"{row['scenario']:<44}{gate:<7}{','.join(row['planned']) or '-':<60}"
            f"{','.join(row['missed']) or '-'} / {','.join(row['violations']) or '-'}"
        )
    lines.append("")
    lines += [f"{name}: {value}" for name, value in report["summary"].items()]
    lines += [f"engine.{name}: {value}" for name, value in report.get("engine", {}).items()]
    return "\n".join(lines)
