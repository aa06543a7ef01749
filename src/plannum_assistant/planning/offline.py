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

from ..gate import check_prerequisites
from ..intake import Intake
from ..models import FollowUp, StrategicPlan
from ..report import GateOutput, InPlace
from ..retrieval import Hit
from ..vocabulary import SizeBand
from . import actions, alignment, explain, grounding, schedule
from .types import Pain, PlanContext


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

    def _retrieve(
        self, intake: Intake, objectives: list[str]
    ) -> tuple[dict[str, str], frozenset[str], dict[str, list[Hit]]]:
        ctx = self.ctx
        in_place = grounding.in_place(ctx, intake.existing_systems)
        sectors = ctx.sectors.matches(intake.company.sector)
        excluded = frozenset(in_place) | ctx.misfits(sectors, intake.company.employees)
        return in_place, excluded, grounding.retrieve(ctx, intake.pain_points, objectives, excluded)

    def draft(self, intake: Intake, today: date, feedback: Sequence[str] = ()) -> dict[str, Any]:
        ctx = self.ctx
        language = intake.language
        strategy = intake.strategic_plan.to_model() if intake.strategic_plan else None
        gate = check_prerequisites(strategy, today=today, max_age_months=ctx.gate_max_age_months)
        objectives = [o.text for o in strategy.objectives] if strategy else []
        in_place, excluded, results = self._retrieve(intake, objectives)
        pains = grounding.pain_points(ctx, intake.pain_points, results)
        owner = intake.constraints.follow_up_owner
        warnings = gate.warning_messages(language, ctx.wording)
        if not owner:
            warnings.append(ctx.t("warning.follow_up", language))
        base: dict[str, Any] = {
            "language": language,
            "company": intake.company,
            "today": today,
            "engine": self.name,
            "catalogue_hash": ctx.catalogue.content_hash[:16],
            "strategic_plan": strategy,
            "pain_points": [pain.point for pain in pains],
            "in_place": [InPlace(catalogue_id=i, evidence=e) for i, e in in_place.items()],
            "follow_up": FollowUp(owner=owner, cadence=ctx.t("cadence.monthly", language)),
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
        return {**base, **self._draft(intake, today, strategy, in_place, excluded, pains, ranks, warnings)}

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
    ) -> dict[str, Any]:
        ctx = self.ctx
        language = intake.language
        band = SizeBand.for_employees(intake.company.employees)
        candidates = grounding.select(ctx, pains)
        owned = grounding.integrate(ctx, candidates, pains, in_place, excluded)
        grounding.add_prerequisites(ctx, candidates, in_place)
        alignment.link(ctx, candidates, strategy, pains, ranks)
        aligned, unaligned = alignment.split_aligned(ctx, candidates, language, pains)
        ordered = schedule.prioritise(ctx, aligned, intake, pains, band)
        kept, deferred = schedule.schedule(ctx, ordered, intake, today, band, language)
        initiatives = [
            explain.initiative(ctx, c, rank, start, horizon, pains, strategy, language)
            for rank, (c, start, horizon) in enumerate(kept, 1)
        ]
        action_plan = [actions.actions(c.entry, start, band, language) for c, start, _ in kept]
        budget = actions.budget(ctx, action_plan, intake.constraints.budget_cad, language)
        if budget.status in ("may_exceed", "exceeds"):
            warnings.append(budget.note)
        answered = {pid for c, _, _ in kept for pid in c.pains}
        served = {oid for i in initiatives for oid in i.supports}
        return {
            "gate": GateOutput(ready=True, missing=[], warnings=warnings),
            "initiatives": initiatives,
            "action_plan": action_plan,
            "unaligned": unaligned,
            "deferred": deferred,
            "unanswered": [explain.unanswered(ctx, p, language) for p in pains if not p.answer],
            "objectives_without_initiative": [
                explain.gap(ctx, objective, ranks[n], {i.catalogue_id for i in initiatives} | set(owned))
                for n, objective in enumerate(strategy.objectives)
                if objective.id not in served
            ],
            "use_what_you_own": [
                explain.owned(ctx, covered, system, pids, in_place[system], pains, language)
                for covered, (system, pids) in owned.items()
            ],
            "budget": budget,
            "plan_size_rationale": ctx.t(
                "size.rationale",
                language,
                count=len(kept),
                answered=len(answered),
                total=len(pains),
                employees=intake.company.employees,
                concurrency=ctx.config.concurrency.for_band(band),
                cap=ctx.config.plan_size.for_band(band),
            ),
        }
