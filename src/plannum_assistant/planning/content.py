"""Stage 9: what a consultant's deliverable carries beyond the initiatives.

KPIs per initiative (from the objective it serves when that objective states a baseline or a
target, else from the catalogue with how to measure the baseline), quick wins, risks with their
mitigation (each initiative's own, and those the intake reveals), change management, financing
programs open on the plan's date, the maturity profile with its gaps and the EU DMAT view, and the
re-assessment date. Every sentence comes from ``knowledge/``.
"""

from __future__ import annotations

from datetime import date

from ..catalogue import CatalogueEntry
from ..intake import Intake
from ..lexicon import prefix_pattern
from ..models import Kpi, MaturityAssessment, StrategicPlan
from ..regions import Place
from ..report import ChangeActivity, DimensionScore, FinancingOffer, MaturityProfile, QuickWin, RiskItem
from ..smart import baseline_and_target, fold, stated_target
from ..vocabulary import Dimension, Language, SizeBand
from .schedule import WEEK, add_months, end_of
from .types import Candidate, Pain, PlanContext, shorten


def kpis(
    ctx: PlanContext, candidate: Candidate, strategy: StrategicPlan, place: Place, language: Language
) -> list[Kpi]:
    """The objectives it serves that state a baseline or a target first, then the catalogue's KPIs."""
    entry = candidate.entry
    limit = ctx.config.content.kpis_per_initiative
    objectives = {o.id: o for o in strategy.objectives}
    found: list[Kpi] = []
    for oid in candidate.supports:
        objective = objectives[oid]
        if not objective.smart.measurable:
            continue
        stated = baseline_and_target(objective.text)
        how = None if stated else ctx.regional(_baseline_of(entry, 0, language), place.country, language)
        found.append(
            Kpi(
                name=shorten(objective.text, ctx.config.text.quote_chars),
                baseline=stated[0] if stated else None,
                target=stated[1] if stated else _target(ctx, objective.text, language),
                how_to_measure=how,
                objective=oid,
            )
        )
    for n, name in enumerate(entry.kpis.get(language)):
        if len(found) >= limit:
            break
        how = ctx.regional(_baseline_of(entry, n, language), place.country, language)
        found.append(Kpi(name=ctx.regional(name, place.country, language), how_to_measure=how))
    return found[:limit]


def _target(ctx: PlanContext, text: str, language: Language) -> str:
    return stated_target(text) or ctx.t("kpi.target_in_objective", language)


def _baseline_of(entry: CatalogueEntry, n: int, language: Language) -> str:
    return entry.kpi_baselines.get(language)[n]


def quick_wins(ctx: PlanContext, kept: list[Candidate], language: Language, country: str) -> list[QuickWin]:
    return [
        QuickWin(
            catalogue_id=c.entry.id,
            title=ctx.title(c.entry.id, language, country),
            reason=ctx.t("quick_win.reason", language, pains=", ".join(c.pains)),
        )
        for c in kept
        if c.quick_win
    ]


def risks(
    ctx: PlanContext, intake: Intake, kept: list[Candidate], pains: list[Pain], place: Place, language: Language
) -> list[RiskItem]:
    """The intake's own risks first (they are about this company), then each initiative's."""
    items: list[RiskItem] = []
    text = fold(" ".join([*intake.pain_points, *intake.existing_systems]))
    sectors = ctx.sectors.matches(intake.company.sector)
    named = {c for pain in pains for c in pain.point.consequences}
    for risk in ctx.knowledge.risks.risks:
        when = risk.when
        words = [*(when.words.fr if when.words else []), *(when.words.en if when.words else [])]
        said = bool(words) and prefix_pattern(words).search(text) is not None  # whole words, as the lexicons
        if not (said or sectors & set(when.sectors) or named & set(when.consequences)):
            continue
        law = risk.law_for(place)
        params = {"law": law.get(language)} if law else {"law": ""}
        items.append(
            RiskItem(
                source="intake",
                risk=risk.risk.get(language).format(**params),
                mitigation=risk.mitigation.get(language).format(**params),
            )
        )
    per_initiative = ctx.config.content.risks_per_initiative
    for candidate in kept:
        for own in candidate.entry.risks[:per_initiative]:
            items.append(
                RiskItem(
                    catalogue_id=candidate.entry.id,
                    source="catalogue",
                    risk=ctx.regional(own.risk.get(language), place.country, language),
                    mitigation=ctx.regional(own.mitigation.get(language), place.country, language),
                )
            )
    return items


def change_management(
    ctx: PlanContext,
    kept: list[tuple[Candidate, date]],
    today: date,
    band: SizeBand,
    intake: Intake,
    language: Language,
    country: str,
) -> list[ChangeActivity]:
    """The people side (knowledge/change.yaml), each row with the title or person fitted to the company,
    per initiative where it belongs to one (dated from its start or its go-live)."""
    roles = ctx.knowledge.roles
    quick = [end_of(c, start) for c, start in kept if c.quick_win]
    rows: list[ChangeActivity] = []
    for template in ctx.knowledge.change.activities:
        responsible = roles.for_key(template.role, band, language, intake.team)
        name = template.name.get(language)
        offset = WEEK * template.offset_weeks
        if template.week is not None:
            rows.append(ChangeActivity(name=name, responsible=responsible, start=today + WEEK * template.week))
        elif template.after_quick_win:
            if quick:
                rows.append(ChangeActivity(name=name, responsible=responsible, start=min(quick) + offset))
        else:
            for candidate, start in kept:
                anchor = start if template.each == "start" else end_of(candidate, start)
                title = ctx.title(candidate.entry.id, language, country)
                rows.append(
                    ChangeActivity(
                        name=ctx.t("change.for_initiative", language, activity=name, initiative=title),
                        responsible=responsible,
                        start=max(start, anchor + offset),
                    )
                )
    return sorted(rows, key=lambda a: a.start)


def financing(ctx: PlanContext, place: Place, employees: int, today: date, language: Language) -> list[FinancingOffer]:
    """Programs open on ``today`` for this place and size; never one that has closed."""
    offers = []
    for program in ctx.knowledge.financing.offers(place, employees, today):
        where = program.jurisdiction
        offers.append(
            FinancingOffer(
                id=program.id,
                name=program.name.get(language),
                jurisdiction=where.country + (f"-{where.region}" if where.region else ""),
                eligible=program.eligible.get(language),
                pays=program.pays.get(language),
                valid_to=program.valid_to,
                source=program.source,
                note=ctx.t("financing.check", language, checked=ctx.knowledge.financing.checked_on.isoformat()),
            )
        )
    return offers


def maturity(ctx: PlanContext, scores: dict[Dimension, int], language: Language) -> MaturityProfile:
    dimensions = ctx.knowledge.dimensions
    assessment = MaturityAssessment(scores=scores)
    rows = []
    for spec in dimensions.dimensions:
        score = scores.get(spec.id)
        rows.append(
            DimensionScore(
                dimension=spec.id.value,
                label=spec.label.get(language),
                score=score,
                gap=assessment.gap(spec.id),
                dmat=spec.dmat.value,
            )
        )
    weak = ctx.config.content.maturity_gap_at_most
    return MaturityProfile(
        dimensions=rows,
        dmat={k.value: v for k, v in dimensions.dmat_percentages(assessment).items()},
        gaps=[r.label for r in sorted(rows, key=lambda r: r.score or 0) if r.score is not None and r.score <= weak],
        unrated=[r.label for r in rows if r.score is None],
    )


def reassessment_date(ctx: PlanContext, today: date) -> date:
    return add_months(today, ctx.config.content.reassessment_months)
