"""Stage 8: the words of the plan: each initiative's rationale, observations, next steps."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from functools import reduce

from ..gate import GateResult
from ..models import TEXT_MAX_CHARS, Horizon, Included, Kpi, Objective, PlannedInitiative, Severity, StrategicPlan
from ..report import DeadlineConflict, ObjectiveGap, UseWhatYouOwn
from ..vocabulary import Language
from .schedule import end_of
from .types import Candidate, Pain, PlanContext, quote, shorten


def initiative(
    ctx: PlanContext,
    candidate: Candidate,
    priority: int,
    start: date,
    horizon: Horizon,
    pains: list[Pain],
    strategy: StrategicPlan,
    language: Language,
    *,
    kpis: list[Kpi] | None = None,
    planned: Collection[str] | None = None,
) -> PlannedInitiative:
    """The plan's line for one candidate: what it answers, what it serves, the phrase that matched,
    and why it comes at this rank. ``planned``: the plan's catalogue ids, to tell a prerequisite
    whose dependent waits for the next cycle (the first step of a core system) from one done first."""
    parts = []
    if candidate.prerequisite_of:
        dependent = ctx.catalogue[candidate.prerequisite_of].name.get(language)
        waits = planned is not None and candidate.prerequisite_of not in planned
        parts.append(
            ctx.t("rationale.first_step" if waits else "rationale.prerequisite", language, dependent=dependent)
        )
    parts.append(ctx.t("rationale.answers", language, pains=pain_list(ctx, candidate.pains, pains, language)))
    if candidate.folded:
        folded = ", ".join(ctx.catalogue[i].name.get(language) for i in candidate.folded)
        parts.append(ctx.t("rationale.folded", language, tools=folded))
    if candidate.supports:
        served = objective_list(ctx, candidate.supports, strategy, language)
        parts.append(ctx.t("rationale.serves", language, objectives=served))
    else:
        parts.append(ctx.t("rationale.no_objective", language))
    if candidate.matched:
        parts.append(ctx.t("rationale.matched", language, phrase=candidate.matched))
    texts = {pain.point.id: pain.point.text for pain in pains}
    choice = candidate.choice
    rationale = " ".join(parts)
    if choice is not None and choice.rationale:  # a model's own words (checked), and what the guards folded in
        tools = ", ".join(ctx.catalogue[i].name.get(language) for i in candidate.folded)
        folding = [ctx.t("rationale.folded", language, tools=tools)] if candidate.folded else []
        rationale = " ".join([choice.rationale, *folding])
    return PlannedInitiative(
        catalogue_id=candidate.entry.id,
        title=candidate.entry.name.get(language),
        addresses=candidate.pains,
        supports=candidate.supports,
        includes=included(candidate, pains, planned or ()),
        priority=priority,
        horizon=horizon,
        start=start,
        rationale=shorten(rationale, TEXT_MAX_CHARS),  # quotes are cut above: this never cuts in practice
        evidence=[texts[p] for p in candidate.pains],
        priority_reason=priority_reason(ctx, candidate, pains, language),
        quick_win=candidate.quick_win,
        due=candidate.due,
        kpis=kpis or [],
        source="model" if choice is not None and choice.by_model else "offline",
    )


def included(candidate: Candidate, pains: list[Pain], planned: Collection[str] = ()) -> list[Included]:
    """The capabilities an integrated system brings for the pains it addresses: each point solution
    it covers that clearly answers one of them (a pain's ``answer``), with those pains, in the
    order the pains name them. The same whoever chose the system (the planner folding the tools it
    covers, or a model picking the system itself). One the plan buys apart (``planned``) is not
    brought by the system."""
    covers = set(candidate.entry.covers) - set(planned)
    found: dict[str, list[str]] = {}
    for pain in pains:
        if pain.point.id in candidate.pains:
            for hit in pain.answer:
                if hit.id in covers and pain.point.id not in found.setdefault(hit.id, []):
                    found[hit.id].append(pain.point.id)
    return [Included(catalogue_id=capability, addresses=ids) for capability, ids in found.items()]


def priority_reason(ctx: PlanContext, candidate: Candidate, pains: list[Pain], language: Language) -> str:
    """One line naming the factors of its rank: prerequisite, quick win, exposure, deadline, severity."""
    severity = {pain.point.id: pain.point.severity for pain in pains}
    parts = []
    if candidate.prerequisite_of:
        parts.append(ctx.t("reason.prerequisite", language, dependent=candidate.prerequisite_of))
    if candidate.quick_win:
        parts.append(ctx.t("reason.quick_win", language))
    if candidate.urgent:
        exposures = ", ".join(ctx.t(f"exposure.{e}", language) for e in candidate.urgent)
        parts.append(ctx.t("reason.urgent", language, exposures=exposures))
    if candidate.due and candidate.due_objective:
        parts.append(ctx.t("reason.due", language, objective=candidate.due_objective, due=candidate.due.isoformat()))
    high = [p for p in candidate.pains if severity.get(p) is Severity.HIGH]
    if high:
        parts.append(ctx.t("reason.high", language, pains=", ".join(high)))
    if candidate.supports:
        parts.append(ctx.t("reason.serves", language, objectives=", ".join(candidate.supports)))
    if not parts:
        parts.append(ctx.t("reason.value", language))
    return reduce(lambda left, right: ctx.t("reason.join", language, left=left, right=right), parts)


def conflict(
    ctx: PlanContext, candidate: Candidate, start: date, language: Language, country: str
) -> DeadlineConflict | None:
    """When it cannot finish by the deadline of the objective it serves: what to decide."""
    end = end_of(candidate, start)
    if candidate.due is None or candidate.due_objective is None or end <= candidate.due:
        return None
    return DeadlineConflict(
        catalogue_id=candidate.entry.id,
        objective=candidate.due_objective,
        due=candidate.due,
        planned_end=end,
        note=ctx.t(
            "conflict.note",
            language,
            initiative=ctx.title(candidate.entry.id, language, country),
            objective=candidate.due_objective,
            due=candidate.due.isoformat(),
            end=end.isoformat(),
        ),
    )


def gap(ctx: PlanContext, objective: Objective, ranks: dict[str, int], skip: set[str]) -> ObjectiveGap:
    """An objective no initiative serves, with the entries its own words rank first (the first few,
    moving its kind of measure: what a reviewer may weigh), leaving out what is planned or owned."""
    limit = ctx.config.text.closest_shown
    families = ctx.measures.matches(objective.text)
    pointed = sorted((rank, entry_id) for entry_id, rank in ranks.items() if rank <= limit and entry_id not in skip)
    fitting = [i for _, i in pointed if not families or families & set(ctx.catalogue[i].moves)]
    return ObjectiveGap(id=objective.id, text=objective.text, candidates=fitting)


def unanswered(ctx: PlanContext, pain: Pain, language: Language) -> str:
    """A pain no entry clearly answers, with the closest entries for the reviewer to weigh."""
    closest = ", ".join(f"{h.name} ({h.id})" for h in pain.hits[: ctx.config.text.closest_shown])
    key = "unanswered.closest" if closest else "unanswered"
    return ctx.t(key, language, pain=pain.point.id, closest=closest)


def owned(
    ctx: PlanContext,
    covered: str,
    system: str,
    pains_ids: list[str],
    evidence: str,
    pains: list[Pain],
    language: Language,
    supports: list[str],
    strategy: StrategicPlan,
) -> UseWhatYouOwn:
    """A point solution not bought because a system already running covers it; ``supports``: the
    objectives activating it serves (the initiatives' link rule), said in the note."""
    note = ctx.t(
        "owned.note",
        language,
        capability=ctx.catalogue[covered].name.get(language),
        system=evidence.removeprefix("→ "),
        pains=pain_list(ctx, pains_ids, pains, language),
    )
    if supports:
        note += " " + ctx.t("owned.serves", language, objectives=objective_list(ctx, supports, strategy, language))
    return UseWhatYouOwn(
        catalogue_id=covered,
        title=ctx.catalogue[covered].name.get(language),
        system=system,
        addresses=pains_ids,
        supports=supports,
        note=note,
    )


def next_steps(ctx: PlanContext, gate: GateResult, language: Language) -> list[str]:
    """When the gate is not ready: why, what to complete, SMART advice, the diagnostic goes on."""
    items = " ".join(gate.missing_messages(language, ctx.wording))
    return [
        ctx.t("next.why", language),
        ctx.t("next.complete", language, items=items),
        ctx.t("next.smart", language),
        ctx.t("next.diagnostic", language),
    ]


def observation(ctx: PlanContext, pain: Pain, language: Language) -> str:
    point = pain.point
    return ctx.t(
        "observation",
        language,
        pain=point.id,
        text=point.text,
        function=ctx.t(f"function.{point.function.value}", language),
        severity=ctx.t(f"severity.{int(point.severity)}", language),
    )


def objective_list(ctx: PlanContext, ids: list[str], strategy: StrategicPlan, language: Language) -> str:
    """ "SO1 "…", OO2 "…"": each objective quoted, cut short."""
    texts = {o.id: o.text for o in strategy.objectives}
    cut = ctx.config.text.objective_quote_chars
    return ", ".join(f"{oid} {quote(shorten(texts[oid], cut), language)}" for oid in ids)


def pain_list(ctx: PlanContext, ids: list[str], pains: list[Pain], language: Language) -> str:
    """ "P1 "…", P2 "…"": the first few quoted (each cut short), any further ones by id alone."""
    texts = {pain.point.id: pain.point.text for pain in pains}
    limit, quoted = ctx.config.text.quote_chars, ctx.config.text.quoted_pains
    return ", ".join(
        f"{pid} {quote(shorten(texts[pid], limit), language)}" if n < quoted else pid for n, pid in enumerate(ids)
    )
