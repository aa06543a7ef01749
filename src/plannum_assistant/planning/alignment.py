"""Stage 5: which objectives of the strategic plan each candidate serves.

An initiative supports an objective only when it plausibly moves that objective's measure:
the entry's ``moves`` (its kinds of measure, in the catalogue) meet the measure families the
objective's words name (``knowledge/measures.yaml``), **and** the link is topical — the
objective's own words rank the entry among the first few in the catalogue, or a pain it
answers is close in meaning to the objective. An objective whose words name no family
("99.5 % order accuracy") is served by what its own words rank first. No padding: an initiative lists only the
objectives that pass (at most ``max_supports``, best first). A first answer to a pain that
serves no stated objective stays in the plan and says so; a runner-up with no objective is set
aside as *unaligned*.
"""

from __future__ import annotations

import numpy as np

from ..models import StrategicPlan
from ..report import SetAside
from ..vocabulary import Language
from .explain import pain_list
from .types import Candidate, Pain, PlanContext


def link(
    ctx: PlanContext,
    candidates: dict[str, Candidate],
    strategy: StrategicPlan,
    pains: list[Pain],
    ranks: list[dict[str, int]],
) -> None:
    """Set ``supports`` on every candidate; a prerequisite serves what its dependents serve.

    ``ranks[i]``: catalogue id → rank when objective ``i``'s own words are searched.
    """
    objectives = strategy.objectives
    if not candidates or not objectives:
        return
    pain_text = {pain.point.id: pain.point.text for pain in pains}
    vectors = ctx.retriever.embed([o.text for o in objectives] + list(pain_text.values()))
    objective_vectors = vectors[: len(objectives)]
    pain_vectors = dict(zip(pain_text, vectors[len(objectives) :], strict=True))
    families = [ctx.measures.matches(o.text) for o in objectives]
    rules = ctx.config.linking
    for candidate in candidates.values():
        if candidate.prerequisite_of:
            continue  # a prerequisite serves what its dependent serves (set below)
        moves = set(candidate.entry.moves)
        closeness = np.zeros(len(objectives), dtype=np.float32)
        for pid in candidate.pains:
            closeness = np.maximum(closeness, objective_vectors @ pain_vectors[pid])
        passing: list[tuple[int, float, str]] = []
        for i, objective in enumerate(objectives):
            rank = ranks[i].get(candidate.entry.id, 999)
            if not families[i]:  # the objective names no kind of measure: its own words must find the entry
                if rank <= rules.max_rank:
                    passing.append((rank, -float(closeness[i]), objective.id))
                continue
            if not moves & families[i]:
                continue  # it does not move what this objective measures
            if rank <= rules.max_rank or closeness[i] >= rules.pain_similarity:
                passing.append((rank, -float(closeness[i]), objective.id))
        candidate.supports = [oid for _, _, oid in sorted(passing)[: rules.max_supports]]
    link_prerequisites(candidates)


def owned_supports(
    ctx: PlanContext,
    owned: dict[str, tuple[str, list[str]]],
    strategy: StrategicPlan,
    pains: list[Pain],
    ranks: list[dict[str, int]],
) -> dict[str, list[str]]:
    """The objectives each module of a running system serves once activated (covered id → ids), by
    the initiatives' own rule: activating the ERP's lot tracing serves "trace any lot in 2 hours"."""
    modules = {covered: Candidate(ctx.catalogue[covered], pains=list(pids)) for covered, (_, pids) in owned.items()}
    link(ctx, modules, strategy, pains, ranks)
    return {covered: module.supports for covered, module in modules.items()}


def link_prerequisites(candidates: dict[str, Candidate]) -> None:
    """A prerequisite added for others serves what its dependents serve."""
    for candidate in candidates.values():
        if candidate.prerequisite_of:
            candidate.supports = _served_by_dependents(candidate.entry.id, candidates)


def split_aligned(
    ctx: PlanContext, candidates: dict[str, Candidate], language: Language, pains: list[Pain]
) -> tuple[list[Candidate], list[SetAside]]:
    """Kept: what serves an objective, and a pain's first answer even when it serves none."""
    kept = [c for c in candidates.values() if c.supports or c.best_for or c.core_for or c.prerequisite_of]
    needed = [p for c in kept for p in c.needs() if p in candidates]
    while needed:  # what a kept initiative depends on is kept too, whatever its own alignment
        prerequisite = candidates[needed.pop()]
        if prerequisite not in kept:
            kept.append(prerequisite)
            needed.extend(p for p in prerequisite.needs() if p in candidates)
    unaligned = [
        SetAside(
            catalogue_id=c.entry.id,
            title=c.entry.name.get(language),
            addresses=c.pains,
            reason=ctx.t("unaligned.reason", language, pains=pain_list(ctx, c.pains, pains, language)),
        )
        for c in candidates.values()
        if c not in kept
    ]
    return kept, unaligned


def _served_by_dependents(entry_id: str, candidates: dict[str, Candidate]) -> list[str]:
    served: list[str] = []
    for candidate in candidates.values():
        if entry_id in candidate.entry.prerequisites:
            supports = candidate.supports or _served_by_dependents(candidate.entry.id, candidates)
            served.extend(o for o in supports if o not in served)
    return served
