"""Stage 7: the action plan (activities from the catalogue's templates) and the budget check."""

from __future__ import annotations

from datetime import date

from ..catalogue import CatalogueEntry
from ..models import Activity, Budget, InitiativeActions
from ..report import BudgetSummary, money
from ..vocabulary import Language, SizeBand
from .schedule import WEEK
from .types import PlanContext


def actions(entry: CatalogueEntry, start: date, band: SizeBand, language: Language) -> InitiativeActions:
    """One activity per template, back to back from ``start``, the band's budget shared out."""
    budget = entry.budget_cad.for_band(band)
    activities = []
    for template in entry.activities:
        end = start + WEEK * template.duration_weeks
        activities.append(
            Activity(
                name=template.name.get(language),
                responsible=template.responsible.get(language),
                budget_cad=Budget(
                    min=_round_hundred(budget.min * template.budget_share),
                    max=_round_hundred(budget.max * template.budget_share),
                ),
                start=start,
                target_date=end,
            )
        )
        start = end
    return InitiativeActions(initiative=entry.id, activities=activities)


def budget(
    ctx: PlanContext, action_plan: list[InitiativeActions], envelope: float | None, language: Language
) -> BudgetSummary:
    """Totals against the company's envelope: within, may exceed (the high end does), exceeds (the low end does)."""
    low = sum(a.budget_cad.min for actions in action_plan for a in actions.activities)
    high = sum(a.budget_cad.max for actions in action_plan for a in actions.activities)
    if envelope is None:
        status = "none"
    else:
        status = "exceeds" if low > envelope else "may_exceed" if high > envelope else "within"
    amounts = {"low": money(low, language), "high": money(high, language)}
    if envelope is not None:
        amounts["budget"] = money(envelope, language)
    return BudgetSummary(
        total_min=low,
        total_max=high,
        envelope=envelope,
        status=status,
        note=ctx.t(f"budget.{status}", language, **amounts),
    )


def _round_hundred(value: float) -> float:
    return float(round(value / 100) * 100)
