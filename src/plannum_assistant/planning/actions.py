"""Stage 7: the action plan (activities from the catalogue's templates, fitted to the company) and
the budget: one-time, yearly and internal days, in the company's currency, against its envelope.

Fitted to the company: the responsible of each activity is the title a company of its size has, or
the person the owner named for that role (``knowledge/roles.yaml``); an activity never connects a
tool to a system the company neither runs nor plans (``absent_systems`` in planner.yaml).

Budgets: the catalogue gives one range per size band (often 4-6x wide, since the band runs from 10
to 49 employees). The range is narrowed to at most ``budget.max_ratio`` (3x) around the point
where the company sits in its band, on a log scale: a 12-person firm near the band's low end, a
45-person one near its high end. Amounts stay in CAD in the activities (``budget_cad``); the
summary is in the company's currency at the dated rate of ``knowledge/currency.yaml``.
"""

from __future__ import annotations

import math
from datetime import date

from ..catalogue import ActivityTemplate, CatalogueEntry, Range
from ..intake import Intake
from ..models import Activity, Budget, InitiativeActions
from ..regions import Place
from ..report import BudgetSummary, round_hundred
from ..smart import fold
from ..vocabulary import Language, Sector, SizeBand
from .schedule import WEEK
from .types import Candidate, Choice, PlanContext

# Employees at the low and high end of each band (the medium band's top is the EU SME limit).
_BAND_BOUNDS = {SizeBand.MICRO: (1, 9), SizeBand.SMALL: (10, 49), SizeBand.MEDIUM: (50, 249)}


def narrowed(full: Range, band: SizeBand, employees: int, max_ratio: float) -> Range:
    """The band's range narrowed to at most ``max_ratio`` (max / min) around the company's place in it."""
    if full.min <= 0 or full.max / full.min <= max_ratio:
        return full
    low, high = _BAND_BOUNDS[band]
    position = min(1.0, max(0.0, math.log(max(employees, low) / low) / math.log(high / low)))
    centre = full.min * (full.max / full.min) ** position
    half = math.sqrt(max_ratio)
    start, end = max(full.min, centre / half), min(full.max, centre * half)
    if start == full.min:
        end = min(full.max, full.min * max_ratio)
    elif end == full.max:
        start = max(full.min, full.max / max_ratio)
    return Range(min=start, max=end)


def actions(
    ctx: PlanContext,
    entry: CatalogueEntry,
    start: date,
    band: SizeBand,
    intake: Intake,
    systems: set[str],
    language: Language,
    choice: Choice | None = None,
) -> InitiativeActions:
    """One activity per template, back to back from ``start``, the narrowed budget shared out.

    A model's ``choice`` may set the budget (checked to lie in the band's range) and rename the
    activities or give them to another role (the durations and shares stay the catalogue's)."""
    budget = narrowed(entry.budget_cad.for_band(band), band, intake.company.employees, ctx.config.budget.max_ratio)
    if choice is not None and choice.budget is not None:
        budget = Range(min=choice.budget[0], max=choice.budget[1])
    adapted = choice.activities if choice is not None and choice.activities else None
    country = ctx.knowledge.regions.place(intake.company.region, intake.locale).country
    sectors = ctx.sectors.matches(intake.company.sector)
    said = fold(" ".join([*intake.pain_points, *intake.existing_systems]))
    activities = []
    for n, template in enumerate(entry.activities):
        end = start + WEEK * template.duration_weeks
        name = _template_name(template, sectors, said, language)
        responsible = ctx.knowledge.roles.responsible(template.responsible, band, language, intake.team)
        own_name, own_role = adapted[n] if adapted else (None, None)
        activities.append(
            Activity(
                name=own_name or ctx.regional(_fitted_name(ctx, name, systems, language), country, language),
                responsible=own_role or responsible,
                source="model" if adapted else "offline",
                budget_cad=Budget(
                    min=round_hundred(budget.min * template.budget_share),
                    max=round_hundred(budget.max * template.budget_share),
                ),
                start=start,
                target_date=end,
            )
        )
        start = end
    return InitiativeActions(initiative=entry.id, activities=activities)


def _template_name(template: ActivityTemplate, sectors: set[Sector], said: str, language: Language) -> str:
    """The activity as the company would say it: what the intake says first, then its sector's wording."""
    for variant in template.when_said:
        if any(fold(w) in said for w in [*variant.words.fr, *variant.words.en]):
            return variant.name.get(language)
    for sector, name in template.by_sector.items():
        if sector in sectors:
            return name.get(language)
    return template.name.get(language)


def _fitted_name(ctx: PlanContext, name: str, systems: set[str], language: Language) -> str:
    """Reword a mention of a system the company neither runs nor plans ("connect it to the ERP")."""
    for system, wordings in ctx.config.absent_systems.items():
        if system in systems:
            continue
        for mention, replacement in wordings.get(language, []):
            name = name.replace(mention, replacement)
    return name


def budget(
    ctx: PlanContext,
    action_plan: list[InitiativeActions],
    kept: list[Candidate],
    intake: Intake,
    place: Place,
    band: SizeBand,
    language: Language,
) -> BudgetSummary:
    """The plan's budget, against the envelope the intake states (see :func:`summary`)."""
    currency = ctx.knowledge.regions.currency(place)
    rate = ctx.knowledge.currencies.rate(currency)
    constraints = intake.constraints
    envelope = constraints.budget if constraints.budget is not None else None
    if envelope is None and constraints.budget_cad is not None:
        envelope = constraints.budget_cad / rate
    one_time = [(a.budget_cad.min, a.budget_cad.max) for actions in action_plan for a in actions.activities]
    return summary(ctx, one_time, [c.entry for c in kept], envelope, currency, rate, place, band, language)


def summary(
    ctx: PlanContext,
    one_time_cad: list[tuple[float, float]],
    entries: list[CatalogueEntry],
    envelope: float | None,
    currency: str,
    rate: float,
    place: Place,
    band: SizeBand,
    language: Language,
) -> BudgetSummary:
    """Totals in ``currency`` (``rate``: CAD for one unit) against the envelope: one-time (from the
    activities' CAD ranges) plus the first year's recurring costs of ``entries``. Within when the
    estimate's middle (geometric mean of the range) fits, exceeds when even the low end does not, may
    exceed in between; when it does not fit, the catalogue's lower-cost ways to start. A plan with no
    initiative left (all rejected at review) says so instead of "0 $ to 0 $"."""
    currencies = ctx.knowledge.currencies
    low = round_hundred(sum(lo for lo, _ in one_time_cad) / rate)
    high = round_hundred(sum(hi for _, hi in one_time_cad) / rate)
    yearly = [entry.recurring_cad.for_band(band) for entry in entries]
    days = [entry.internal_days.for_band(band) for entry in entries]
    yearly_low = round_hundred(sum(r.min for r in yearly) / rate)
    yearly_high = round_hundred(sum(r.max for r in yearly) / rate)
    if envelope is None:
        status = "none"
    elif low + yearly_low > envelope:
        status = "exceeds"
    elif math.sqrt((low + yearly_low) * (high + yearly_high)) > envelope:
        status = "may_exceed"  # the low end fits, the estimate's middle does not
    else:
        status = "within"  # the middle fits (the note says whether the high end does too)
    amounts = {
        "low": money(ctx, low, currency, language),
        "high": money(ctx, high, currency, language),
        "yearly_low": money(ctx, yearly_low, currency, language),
        "yearly_high": money(ctx, yearly_high, currency, language),
        "days_low": f"{sum(d.min for d in days):.0f}",
        "days_high": f"{sum(d.max for d in days):.0f}",
        "budget": money(ctx, envelope, currency, language) if envelope is not None else "",
    }
    fits_all = envelope is not None and high + yearly_high <= envelope
    note_key = "within_all" if status == "within" and fits_all else status
    if not entries and not one_time_cad:
        note_key = "empty"
    conversion = None
    if currency != currencies.base:
        conversion = ctx.t(
            "budget.conversion",
            language,
            currency=currency,
            rate=f"{rate:.4f}".replace(".", ",") if language is Language.FR else f"{rate:.4f}",
            as_of=currencies.as_of.isoformat(),
            source=currencies.source.get(language),
        )
    alternatives = []
    if status in ("exceeds", "may_exceed"):
        alternatives = [
            ctx.t(
                "budget.alternative",
                language,
                name=ctx.regional(entry.name.get(language), place.country, language),
                text=ctx.regional(entry.lower_cost_alternative.get(language), place.country, language),
            )
            for entry in entries
        ]
    return BudgetSummary(
        total_min=round(low),
        total_max=round(high),
        envelope=round(envelope, 2) if envelope is not None else None,
        status=status,
        note=ctx.t(f"budget.{note_key}", language, **amounts),
        currency=currency,
        conversion=conversion,
        yearly_min=round(yearly_low),
        yearly_max=round(yearly_high),
        internal_days_min=sum(d.min for d in days),
        internal_days_max=sum(d.max for d in days),
        range_ratio=round(high / low, 2) if low else None,
        rate=rate,
        alternatives=alternatives,
    )


def set_aside_cost(ctx: PlanContext, entry_id: str, band: SizeBand, employees: int, place: Place) -> dict[str, float]:
    """What a deferred initiative would cost: one-time, narrowed for the company's size like the
    plan's own activities, in the company's currency (``SetAside.budget_min`` / ``budget_max``)."""
    rate = ctx.knowledge.currencies.rate(ctx.knowledge.regions.currency(place))
    cost = narrowed(ctx.catalogue[entry_id].budget_cad.for_band(band), band, employees, ctx.config.budget.max_ratio)
    return {"budget_min": round_hundred(cost.min / rate), "budget_max": round_hundred(cost.max / rate)}


def money(ctx: PlanContext, value: float, currency: str, language: Language) -> str:
    """12 500 $ / 12 500 € in French (non-breaking space), CA$12,500 / €12,500 in English."""
    digits = f"{value:,.0f}"
    if language is Language.FR:
        digits = digits.replace(",", "\u00a0")
    return ctx.t(f"money.{currency}", language, amount=digits)
