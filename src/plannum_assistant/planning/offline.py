"""The offline plan engine: from an intake to a grounded draft plan numérique, no model call.

Deterministic and explainable: the gate decides whether a plan may be drafted
at all; each pain point is matched to catalogue entries by the hybrid
retriever under thresholds tuned on the evals (``knowledge/planner.yaml``);
capabilities already in place are dropped and missing prerequisites added;
every initiative is linked to the objectives it serves (or set aside as
*unaligned*, never given an invented link); the survivors are prioritised,
scheduled from ``today`` and costed from the catalogue's activity templates.

The engine returns plain data; :mod:`.engine` validates it with the plan
contract (an invalid offline plan is a bug and is never printed).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from ..gate import check_prerequisites, objective_deadlines
from ..intake import Intake
from ..models import FollowUp, StrategicPlan
from ..regions import Place
from ..report import GateOutput, InPlace, deferred_total
from ..retrieval import Hit
from ..vocabulary import SizeBand
from . import actions, alignment, content, explain, grounding, schedule
from .types import Choice, Pain, PlanContext


class OfflinePlanner:
    """The default plan engine. Build once (it prepares the catalogue's cues), plan many intakes."""

    name = "offline"
    repairable = False  # deterministic: feeding its own error back would give the same plan

    def __init__(self, ctx: PlanContext) -> None:
        self.ctx = ctx

    def candidates(self, intake: Intake) -> dict[str, list[Hit]]:
        """What the planner retrieves for each pain statement of this company (evaluations use it)."""
        _, _, results = self._retrieve(intake, [])
        return {text: results[text][: self.ctx.config.selection.candidates] for text in intake.pain_points}

    def hits(self, intake: Intake, objectives: list[str]) -> dict[str, list[Hit]]:
        """The hits for each pain statement and each objective text, company filters applied."""
        return self._retrieve(intake, objectives)[2]

    def _retrieve(
        self, intake: Intake, objectives: list[str]
    ) -> tuple[dict[str, str], frozenset[str], dict[str, list[Hit]]]:
        ctx = self.ctx
        in_place = grounding.in_place(ctx, intake.existing_systems)
        sectors = ctx.sectors.matches(intake.company.sector)
        by_size = ctx.misfits([], intake.company.employees)
        by_sector = ctx.misfits(sectors, intake.company.employees) - by_size - frozenset(in_place)
        excluded = frozenset(in_place) | by_size | by_sector
        return in_place, excluded, grounding.retrieve(ctx, intake.pain_points, objectives, excluded, by_sector)

    def draft(
        self, intake: Intake, today: date, feedback: Sequence[str] = (), *, choices: Sequence[Choice] | None = None
    ) -> dict[str, Any]:
        """The plan data. ``choices``: initiatives a model chose, in its order (:mod:`.llm`), which
        replace the planner's own selection; every later stage (core systems, prerequisites, plan
        size, schedule, deadlines, action plan, budget) runs on them unchanged."""
        ctx = self.ctx
        language = intake.language
        strategy = intake.strategic_plan.to_model() if intake.strategic_plan else None
        gate = check_prerequisites(strategy, today=today, max_age_months=ctx.gate_max_age_months)
        objectives = [o.text for o in strategy.objectives] if strategy else []
        in_place, excluded, results = self._retrieve(intake, objectives)
        pains = grounding.pain_points(ctx, intake.pain_points, results, intake.pain_functions)
        place = ctx.knowledge.regions.place(intake.company.region, intake.locale)
        locale = intake.locale or ctx.knowledge.regions.locale(place, language)
        owner = intake.constraints.follow_up_owner
        warnings = gate.warning_messages(language, ctx.wording)
        if not owner:
            warnings.append(ctx.t("warning.follow_up", language))
        if not place.recognised:
            currency = ctx.knowledge.regions.currency(place)
            warnings.append(ctx.t("warning.region", language, region=intake.company.region, currency=currency))
        base: dict[str, Any] = {
            "language": language,
            "company": intake.company,
            "today": today,
            "engine": self.name,
            "catalogue_hash": ctx.catalogue.content_hash[:16],
            "strategic_plan": strategy,
            "pain_points": [pain.point for pain in pains],
            "in_place": [
                InPlace(
                    catalogue_id=i,
                    evidence=e,
                    title=ctx.regional(ctx.catalogue[i].name.get(language), place.country, language),
                )
                for i, e in in_place.items()
            ],
            "follow_up": FollowUp(owner=owner, cadence=ctx.t("cadence.monthly", language)),
            "locale": locale,
            "worksheet": intake.worksheet,
            "maturity": content.maturity(ctx, intake.maturity, language),
        }
        if not gate.ready:
            return {
                **base,
                "gate": GateOutput(
                    ready=False, missing=gate.missing_messages(language, ctx.wording), warnings=warnings
                ),
                "next_steps": explain.next_steps(ctx, gate, language),
                "preliminary_observations": [explain.observation(ctx, pain, language) for pain in pains],
            }
        assert strategy is not None  # the gate is ready only with a strategic plan
        ranks = [{hit.id: rank for rank, hit in enumerate(results[text], 1)} for text in objectives]
        drafted = self._draft(intake, today, strategy, in_place, excluded, pains, ranks, warnings, place, choices)
        return {**base, **drafted}

    def _draft(
        self,
        intake: Intake,
        today: date,
        strategy: StrategicPlan,
        in_place: dict[str, str],
        excluded: frozenset[str],
        pains: list[Pain],
        ranks: list[dict[str, int]],
        warnings: list[str],
        place: Place,
        choices: Sequence[Choice] | None = None,
    ) -> dict[str, Any]:
        ctx = self.ctx
        language = intake.language
        band = SizeBand.for_employees(intake.company.employees)
        if choices is None:
            candidates = grounding.select(ctx, pains, language)
            owned = grounding.integrate(ctx, candidates, pains, in_place, excluded)
        else:
            candidates = grounding.chosen(ctx, pains, choices)
            owned = grounding.integrate(ctx, candidates, pains, in_place, excluded, propose=False)
        grounding.add_prerequisites(ctx, candidates, in_place)
        if choices is None:
            alignment.link(ctx, candidates, strategy, pains, ranks)
        else:
            alignment.link_prerequisites(candidates)
        aligned, unaligned = alignment.split_aligned(ctx, candidates, language, pains)
        deadlines = objective_deadlines(strategy)
        ordered = schedule.prioritise(ctx, aligned, intake, pains, band, deadlines=deadlines, today=today)
        kept, deferred = schedule.schedule(ctx, ordered, intake, today, band, language)
        chosen = [c for c, _, _ in kept]
        ids = [c.entry.id for c in chosen]
        planned = set(ids)
        initiatives = [
            explain.initiative(
                ctx,
                c,
                rank,
                start,
                horizon,
                pains,
                strategy,
                language,
                kpis=content.kpis(ctx, c, strategy, place, language),
                planned=planned,
            )
            for rank, (c, start, horizon) in enumerate(kept, 1)
        ]
        country = place.country
        needing = {i: ctx.catalogue.dependents(i, ids) for i in ids}
        initiatives = [
            i.model_copy(
                update={"title": ctx.title(i.catalogue_id, language, country), "enables": needing[i.catalogue_id]}
            )
            for i in initiatives
        ]
        employees = intake.company.employees
        deferred = [
            d.model_copy(
                update={
                    "title": ctx.title(d.catalogue_id, language, country),
                    **actions.set_aside_cost(ctx, d.catalogue_id, band, employees, place),
                }
            )
            for d in deferred
        ]
        systems = set(in_place) | planned
        systems |= {covered for s in list(systems) for covered in ctx.catalogue[s].covers}
        action_plan = [
            actions.actions(ctx, c.entry, start, band, intake, systems, language, c.choice) for c, start, _ in kept
        ]
        # No initiative, no budget to state (never "0 $ to 0 $").
        budget = actions.budget(ctx, action_plan, chosen, intake, place, band, language) if chosen else None
        if budget is not None and deferred:  # the next cycle's cost, apart from this plan's totals
            later = deferred_total(deferred)
            budget = budget.model_copy(update={"deferred_min": later[0], "deferred_max": later[1]})
        if budget is not None and budget.status in ("may_exceed", "exceeds"):
            warnings.append(budget.note)
        conflicts = [explain.conflict(ctx, c, start, language, place.country) for c, start, _ in kept if c.due]
        late = [conflict for conflict in conflicts if conflict is not None]
        warnings += [conflict.note for conflict in late]
        answered = {pid for c, _, _ in kept for pid in c.pains}
        # A pain is unanswered when nothing of the plan takes it up: no clear answer of its own, and
        # no initiative (a model's choice included: it may link a pain the answer rules refused).
        addressed = {p.point.id for p in pains if p.answer} | {pid for c in candidates.values() for pid in c.pains}
        addressed |= {pid for _, pids in owned.values() for pid in pids}
        if choices is None:
            activated = alignment.owned_supports(ctx, owned, strategy, pains, ranks)
        else:  # a model's modules are its own choices: they keep its links, as its initiatives do
            linked = {c.entry_id: list(c.supports) for c in choices}
            activated = {covered: linked.get(covered, []) for covered in owned}
        served = {oid for i in initiatives for oid in i.supports} | {o for ids in activated.values() for o in ids}
        return {
            "gate": GateOutput(ready=True, missing=[], warnings=warnings),
            "initiatives": initiatives,
            "action_plan": action_plan,
            "unaligned": unaligned,
            "deferred": deferred,
            "unanswered": [explain.unanswered(ctx, p, language) for p in pains if p.point.id not in addressed],
            "objectives_without_initiative": [
                explain.gap(ctx, objective, ranks[n], {i.catalogue_id for i in initiatives} | set(owned))
                for n, objective in enumerate(strategy.objectives)
                if objective.id not in served
            ],
            "use_what_you_own": [
                explain.owned(
                    ctx, covered, system, pids, in_place[system], pains, language, activated[covered], strategy
                )
                for covered, (system, pids) in owned.items()
            ],
            "budget": budget,
            "deadline_conflicts": late,
            "quick_wins": content.quick_wins(ctx, chosen, language, place.country),
            "risks": content.risks(ctx, intake, chosen, pains, place, language),
            "change_management": content.change_management(
                ctx, [(c, start) for c, start, _ in kept], today, band, intake, language, place.country
            ),
            "financing": content.financing(ctx, place, intake.company.employees, today, language)
            if place.recognised
            else [],
            "reassessment_date": content.reassessment_date(ctx, today),
            "plan_size_rationale": ctx.t(
                "size.rationale",
                language,
                count=len(kept),
                answered=len(answered),
                total=len(pains),
                employees=intake.company.employees,
                projects=ctx.count("project", ctx.config.concurrency.for_band(band), language),
                cap=ctx.config.plan_size.for_band(band),
                extra=ctx.count("quick_win", ctx.config.quick_win.extra.for_band(band), language),
                sure=ctx.count("sure_answer", ctx.config.sure_answer.extra.for_band(band), language),
            ),
        }
