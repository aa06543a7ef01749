"""Program staff's triage (``plannum triage``): a cohort of applicants in, a ranked, explained table out.

Each valid applicant is planned by the offline planner (the same plan ``plannum plan`` drafts); its
row reports readiness, maturity, the main functions of its pains, its first initiatives and their
budget, flags and a priority score (``knowledge/triage.yaml``). One process by default: measured on
1,000 applicants, two spawned workers (the planner is pure Python, so threads would share one core)
took 37 s against 19 s for one process whose encoder already uses both cores; ``workers`` asks for them.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from .applicants import Applicant, Cohort, RowError, TriageError, TriagePolicy, load_policy, read_cohort
from .ranking import TriageRow, ranked, triage_row

if TYPE_CHECKING:
    from ..assistant import Assistant
    from ..settings import Settings

__all__ = ["TriageError", "TriageResult", "load_policy", "read_cohort", "run_triage"]

PARALLEL_FROM = 40  # applicants: below this, starting workers costs more than it saves
CHUNK = 100  # applicants planned together: their texts (about 1,000) fit the retriever's vector cache
EMBED_BATCH = 64


@dataclass
class TriageResult:
    rows: list[TriageRow]  # best priority first
    errors: list[RowError]
    warnings: list[str]


def run_triage(
    assistant: Assistant,
    cohort: Cohort,
    policy: TriagePolicy,
    today: date,
    *,
    progress: Callable[[int, int], None] | None = None,
    workers: int | None = None,
) -> TriageResult:
    applicants = cohort.applicants
    count = workers if workers is not None else 1  # measured: two spawned workers were slower at 1,000
    chunks = [applicants[n : n + CHUNK] for n in range(0, len(applicants), CHUNK)]
    if count > 1 and len(applicants) >= PARALLEL_FROM:
        results = _parallel(assistant.settings, chunks, policy, today, count)
    else:
        results = (_chunk(assistant, chunk, policy, today) for chunk in chunks)
    rows: list[TriageRow] = []
    errors = list(cohort.errors)
    done = 0
    for batch in results:
        for result in batch:
            if isinstance(result, RowError):
                errors.append(result)
            else:
                rows.append(result)
        done += len(batch)
        if progress:
            progress(done, len(applicants))
    return TriageResult(ranked(rows), sorted(errors, key=lambda e: (e.row, e.column)), cohort.warnings)


def _chunk(
    assistant: Assistant, chunk: list[Applicant], policy: TriagePolicy, today: date
) -> list[TriageRow | RowError]:
    """Plan a chunk of applicants, their texts embedded first in a few large batches (one text at a
    time, embedding costs five times the planning itself)."""
    retriever = assistant.retriever
    limit = assistant.settings.max_query_chars
    texts: list[str] = []
    for applicant in chunk:
        intake = applicant.intake
        plan = intake.strategic_plan
        objectives = [*plan.strategic_objectives, *plan.operational_objectives] if plan else []
        for text in [*intake.pain_points, *objectives]:
            texts += [text, text[:limit].strip()]
    texts = [t for t in dict.fromkeys(texts) if t]
    for start in range(0, len(texts), EMBED_BATCH):
        retriever.embed(texts[start : start + EMBED_BATCH])
    return [_one(assistant, applicant, policy, today) for applicant in chunk]


def _one(assistant: Assistant, applicant: Applicant, policy: TriagePolicy, today: date) -> TriageRow | RowError:
    from ..errors import PlannumError

    try:
        report = assistant.plan(applicant.intake, today)
    except PlannumError as exc:
        return RowError(applicant.row, "", str(exc))
    costs = [sum(x.budget_cad.min for x in a.activities) for a in report.action_plan]
    sector = assistant.plan_context.sectors.best(applicant.intake.company.sector)
    constraints = applicant.intake.constraints
    envelope: float | None = constraints.budget_cad  # CAD, as the costs
    if report.budget is not None and report.budget.envelope is not None:
        envelope = report.budget.envelope * report.budget.rate  # the company's currency, back to CAD
    elif envelope is None and constraints.budget is not None and report.budget is not None:
        envelope = constraints.budget * report.budget.rate
    cheapest = min(costs) if costs else None
    return triage_row(applicant, report, policy, cheapest, sector.value if sector else "other", envelope)


# --- two worker processes ---------------------------------------------------------------------

_worker: Assistant | None = None  # one assistant per worker process (set by _start, never shared)


def _start(settings: Settings) -> None:
    global _worker
    from ..assistant import Assistant

    _worker = Assistant(settings)
    _worker.dense_index.vectors(lambda _: None)


def _work(job: tuple[list[Applicant], TriagePolicy, date]) -> list[TriageRow | RowError]:
    assert _worker is not None
    return _chunk(_worker, *job)


def _parallel(
    settings: Settings, chunks: list[list[Applicant]], policy: TriagePolicy, today: date, count: int
) -> Iterator[list[TriageRow | RowError]]:
    """``count`` spawned workers (not forked: the parent may hold Chroma's threads and locks), one
    embedding thread each so that they do not fight over the cores."""
    context = multiprocessing.get_context("spawn")
    own = settings.model_copy(update={"embedding_threads": 1})
    with context.Pool(count, initializer=_start, initargs=(own,)) as pool:
        yield from pool.imap(_work, [(chunk, policy, today) for chunk in chunks])
