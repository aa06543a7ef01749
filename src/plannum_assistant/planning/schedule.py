"""Stage 6: priorities, the plan's size, start dates and horizons.

Value is impact (pains answered, weighted by severity; objectives served;
maturity gaps; urgency when a security, safety, compliance, privacy or
food-safety exposure is at stake) over effort (budget and weeks, relative to a
typical entry). The plan keeps the most valuable initiatives under the size
band's cap; then it sequences them: prerequisites and "usually after" first,
quick wins next, then the earliest objective deadline, then value. Each
initiative finishes by the deadline of the objectives it serves when capacity
allows; when not, the conflict is reported.
"""

from __future__ import annotations

import calendar
import statistics
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from ..intake import Intake
from ..models import Horizon, MaturityAssessment
from ..report import SetAside
from ..vocabulary import Language, SizeBand
from .severity import exposures as exposures_of
from .types import Candidate, Pain, PlanContext

WEEK = timedelta(weeks=1)
DAYS_PER_MONTH = 30.44


def prioritise(
    ctx: PlanContext,
    candidates: list[Candidate],
    intake: Intake,
    pains: list[Pain],
    band: SizeBand,
    *,
    deadlines: dict[str, date] | None = None,
    today: date | None = None,
) -> list[Candidate]:
    """Set each candidate's value, urgency, quick-win flag and due date; return them best first,
    prerequisites before dependents."""
    weights = ctx.config.priority
    severity = {pain.point.id: int(pain.point.severity) for pain in pains}
    exposures = {pain.point.id: {c.value for c in exposures_of(pain.point.consequences)} for pain in pains}
    named = set().union(*exposures.values()) if exposures else set()
    maturity = MaturityAssessment(scores=intake.maturity)
    for candidate in candidates:
        entry = candidate.entry
        answered_exposures = set().union(*(exposures[p] for p in candidate.pains)) if candidate.pains else set()
        candidate.urgent = sorted(answered_exposures | ({e.value for e in entry.exposure} & named))
        band_budget = entry.budget_cad.for_band(band)
        rule = ctx.config.quick_win
        candidate.quick_win = bool(
            entry.quick_win
            and candidate.pains
            and sum(a.duration_weeks for a in entry.activities) <= rule.max_weeks
            and band_budget.max <= rule.max_budget.for_band(band)
        )
        coming = [
            (due, oid)
            for oid in candidate.supports
            if (due := (deadlines or {}).get(oid)) and (not today or due >= today)
        ]
        candidate.due, candidate.due_objective = min(coming) if coming else (None, None)
        gaps = [g if (g := maturity.gap(d)) is not None else weights.unrated_gap for d in entry.dimensions]
        # A runner-up answer counts for less than a first answer to the same pain.
        # Each pain answered weighs its severity, more when the classifier is sure of the answer.
        answered = sum(
            severity[p] * (1.0 + weights.answer_confidence * candidate.confidence.get(p, 0.0)) for p in candidate.pains
        )
        weight = 1.0 if candidate.best_for or candidate.prerequisite_of else ctx.config.linking.runner_up_weight
        impact = (
            weight * answered
            + weights.strategic_objective * sum(o.startswith("SO") for o in candidate.supports)
            + weights.operational_objective * sum(o.startswith("OO") for o in candidate.supports)
            + weights.maturity_gap * statistics.mean(gaps) / 5
            + (weights.urgency if candidate.urgent else 0.0)
        )
        budget = entry.budget_cad.for_band(band)
        weeks = sum(a.duration_weeks for a in entry.activities)
        effort = (budget.min + budget.max) / 2 / ctx.reference_budget[band] + weeks / weights.effort_weeks
        candidate.value = round(impact / (1 + effort), 6)
    return dependencies_first(candidates)


def dependencies_first(candidates: list[Candidate], key: Callable[[Candidate], Any] | None = None) -> list[Candidate]:
    """Highest value first (ties on the id), or ``key`` order, but never before a prerequisite (or
    an entry it usually comes after) that is also in the list."""
    remaining = sorted(candidates, key=key or (lambda c: (-c.value, c.entry.id)))
    ids = {c.entry.id for c in candidates}
    ordered: list[Candidate] = []
    placed: set[str] = set()
    while remaining:
        # The first whose needs are placed; a catalogue cycle (checked at load, never expected)
        # falls back to value order rather than stopping the plan.
        ready = next(
            (c for c in remaining if all(p in placed or p not in ids for p in [*c.needs(), *c.entry.usually_after])),
            remaining[0],
        )
        remaining.remove(ready)
        ordered.append(ready)
        placed.add(ready.entry.id)
    return ordered


def choose(
    ordered: list[Candidate], cap: int, extra: int = 0, sure: tuple[int, float] = (0, 1.0), core: int = 0
) -> set[str]:
    """The most valuable initiatives that fit under the cap, each with its prerequisites; then up
    to ``extra`` quick wins beyond it (short, cheap and standalone: they do not take a project's place);
    then up to ``sure[0]`` standalone first answers the classifier gives at least ``sure[1]``
    (``Candidate.sure``, read on the pains it is the *first* answer for): a pain the owner raised,
    plainly answered, is not left for the next cycle for want of a slot.

    A prerequisite added only for another initiative enters the plan with it, never alone, but for
    one case: the first step of an integrated system proposed for at least ``core`` pains
    (``core_for``; 0: never) that does not fit — an ERP's needs study, the inventory under an MRP —
    takes a free place on its own, while the system waits in ``deferred`` for the next cycle (never
    brought back beyond the cap as a quick win or a sure answer).
    """
    by_id = {c.entry.id: c for c in ordered}
    chosen: set[str] = set()
    best_first = sorted(
        (c for c in ordered if not c.prerequisite_of), key=lambda c: (_model_rank(c), -c.value, c.entry.id)
    )
    for candidate in best_first:
        needed, pending = set(), [candidate.entry.id]
        while pending:
            entry_id = pending.pop()
            if entry_id in by_id and entry_id not in chosen and entry_id not in needed:
                needed.add(entry_id)
                pending.extend(by_id[entry_id].needs())
        if len(chosen) + len(needed) <= cap:
            chosen |= needed
    waiting: set[str] = set()
    for system in (c for c in best_first if core and c.core_for >= core and c.entry.id not in chosen):
        for first in (n for n in system.needs() if n in by_id):
            if len(chosen) < cap and all(n in chosen or n not in by_id for n in by_id[first].needs()):
                chosen.add(first)
                waiting.add(system.entry.id)

    def standalone(c: Candidate) -> bool:
        return c.entry.id not in chosen | waiting and all(n in chosen or n not in by_id for n in c.needs())

    chosen |= {c.entry.id for c in [c for c in best_first if c.quick_win and standalone(c)][:extra]}
    count, at_least = sure
    return chosen | {c.entry.id for c in [c for c in best_first if c.sure >= at_least and standalone(c)][:count]}


def schedule(
    ctx: PlanContext, ordered: list[Candidate], intake: Intake, today: date, band: SizeBand, language: Language
) -> tuple[list[tuple[Candidate, date, Horizon]], list[SetAside]]:
    """Start dates from ``today`` with a few initiatives at a time, prerequisites finished first."""
    cap = ctx.config.plan_size.for_band(band)
    quick, sure = ctx.config.quick_win.extra.for_band(band), ctx.config.sure_answer
    chosen = choose(ordered, cap, quick, (sure.extra.for_band(band), sure.min_probability), ctx.config.core.min_pains)
    longest = ctx.config.horizons[-1].until_months
    horizon = min(intake.constraints.horizon_months or ctx.config.default_horizon_months, longest)
    slots = [today] * ctx.config.concurrency.for_band(band)
    ends: dict[str, date] = {}
    kept: list[tuple[Candidate, date, Horizon]] = []
    deferred: list[SetAside] = []
    # Quick wins first, then the earliest deadline, then value; prerequisites and "usually after" before.
    sequence = dependencies_first(
        [c for c in ordered if c.entry.id in chosen],
        key=lambda c: (_model_rank(c), not c.quick_win, c.due or date.max, -c.value, c.entry.id),
    )
    for candidate in [*sequence, *(c for c in ordered if c.entry.id not in chosen)]:
        entry = candidate.entry
        # Prerequisites and "usually after" entries of the plan finish first; then the slot that lets
        # it start earliest, and among those the one freed last (the others stay free for the next).
        earliest = candidate.choice.not_before if candidate.choice and candidate.choice.not_before else today
        ready = max([today, earliest, *(ends[p] for p in [*candidate.needs(), *entry.usually_after] if p in ends)])
        slot = min(range(len(slots)), key=lambda i: (max(slots[i], ready), -slots[i].toordinal()))
        start = max(slots[slot], ready)
        months = (start - today).days / DAYS_PER_MONTH
        waiting = any(p not in ends for p in candidate.needs() if p in chosen)
        if entry.id not in chosen or waiting or months >= horizon:
            key, params = (
                ("deferred.size", {"cap": cap}) if entry.id not in chosen else ("deferred.horizon", {"months": horizon})
            )
            deferred.append(
                SetAside(
                    catalogue_id=entry.id,
                    title=entry.name.get(language),
                    addresses=candidate.pains,
                    reason=ctx.t(key, language, **params),
                )
            )
            continue
        end = start + WEEK * sum(a.duration_weeks for a in entry.activities)
        slots[slot] = ends[entry.id] = end
        kept.append((candidate, start, horizon_of(ctx, months)))
    return kept, deferred


def _model_rank(candidate: Candidate) -> int:
    """A model's order comes first when a model chose (0 for all when the planner chose alone)."""
    return candidate.rank if candidate.rank is not None else (0 if candidate.choice is None else 10**6)


def end_of(candidate: Candidate, start: date) -> date:
    return start + WEEK * sum(a.duration_weeks for a in candidate.entry.activities)


def add_months(start: date, months: int) -> date:
    total = start.month - 1 + months
    year, month = start.year + total // 12, total % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def horizon_of(ctx: PlanContext, months: float) -> Horizon:
    """The horizon bucket ("0-6", "6-18", "18-36") of a start ``months`` after the plan's start."""
    buckets = ctx.config.horizons
    return next((b.label for b in buckets if months < b.until_months), buckets[-1].label)
