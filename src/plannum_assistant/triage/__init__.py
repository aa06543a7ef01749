"""Program staff's triage (``plannum triage``): a cohort of applicants in, a ranked, explained table out.

Each valid applicant is planned by the offline planner (the same plan ``plannum plan`` drafts); its
row reports readiness, maturity, the main functions of its pains, its first initiatives and their
budget, flags and a priority score (``knowledge/triage.yaml``). Large cohorts are planned by two
worker processes (the planner is pure Python: threads would share one core).
"""

from __future__ import annotations

import multiprocessing
import os
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
    count = workers if workers is not None else min(2, os.cpu_count() or 1)
    if count > 1 and len(applicants) >= PARALLEL_FROM:
        results = _parallel(assistant.settings, applicants, policy, today, count)
    else:
        results = (_one(assistant, a, policy, today) for a in applicants)
    rows: list[TriageRow] = []
    errors = list(cohort.errors)
    for done, result in enumerate(results, 1):
        if isinstance(result, RowError):
            errors.append(result)
        else:
            rows.append(result)
        if progress:
            progress(done, len(applicants))
    return TriageResult(ranked(rows), sorted(errors, key=lambda e: (e.row, e.column)), cohort.warnings)


def _one(assistant: Assistant, applicant: Applicant, policy: TriagePolicy, today: date) -> TriageRow | RowError:
    from ..errors import PlannumError

    try:
        report = assistant.plan(applicant.intake, today)
    except PlannumError as exc:
        return RowError(applicant.row, "", str(exc))
    costs = [sum(x.budget_cad.min for x in a.activities) for a in report.action_plan]
    sector = assistant.plan_context.sectors.best(applicant.intake.company.sector)
    return triage_row(applicant, report, policy, min(costs) if costs else None, sector.value if sector else "other")


# --- two worker processes ---------------------------------------------------------------------

_worker: Assistant | None = None  # one assistant per worker process (set by _start, never shared)


def _start(settings: Settings) -> None:
    global _worker
    from ..assistant import Assistant

    _worker = Assistant(settings)
    _worker.dense_index.vectors(lambda _: None)


def _work(job: tuple[Applicant, TriagePolicy, date]) -> TriageRow | RowError:
    assert _worker is not None
    return _one(_worker, *job)


def _parallel(
    settings: Settings, applicants: list[Applicant], policy: TriagePolicy, today: date, count: int
) -> Iterator[TriageRow | RowError]:
    context = multiprocessing.get_context("spawn")  # not fork: the parent may hold Chroma threads and locks
    with context.Pool(count, initializer=_start, initargs=(settings,)) as pool:
        yield from pool.imap(_work, [(a, policy, today) for a in applicants], chunksize=8)
