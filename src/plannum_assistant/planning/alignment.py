"""Stage 5: which objectives of the strategic plan each candidate serves.

An objective counts as served when it is close in meaning to the initiative or
to the pains it answers, with bonuses when the objective names the same
business function or, searched in the catalogue, ranks the initiative itself.
A candidate that serves none is set aside as *unaligned*, never given a link.
"""

from __future__ import annotations

import numpy as np

from ..models import Objective, StrategicPlan
from ..report import SetAside
from ..vocabulary import BusinessFunction, Language
from .explain import pain_list
from .types import Candidate, Pain, PlanContext


def link(
    ctx: PlanContext,
    candidates: dict[str, Candidate],
    strategy: StrategicPlan,
    pains: list[Pain],
    retrieved: list[set[str]],
    language: Language,
) -> None:
    """Set ``supports`` on every candidate; a prerequisite serves what its dependents serve."""
    objectives = strategy.objectives
    if not candidates or not objectives:
        return
    pain_text = {pain.point.id: pain.point.text for pain in pains}
    vectors = ctx.retriever.embed([o.text for o in objectives] + list(pain_text.values()))
    objective_vectors = vectors[: len(objectives)]
    pain_vectors = dict(zip(pain_text, vectors[len(objectives) :], strict=True))
    initiative_vectors = _initiative_vectors(ctx, list(candidates), language)
    objective_functions = [set(ctx.functions_named(o.text)) for o in objectives]
    for entry_id, candidate in candidates.items():
        if candidate.prerequisite_of:
            continue  # a prerequisite serves what its dependent serves (set below)
        candidate.supports = supports(
            ctx,
            candidate,
            objectives,
            objective_vectors,
            objective_functions,
            retrieved,
            initiative_vectors[entry_id],
            [pain_vectors[p] for p in candidate.pains],
            pains,
        )
    for candidate in candidates.values():
        if candidate.prerequisite_of:
            candidate.supports = _served_by_dependents(candidate.entry.id, candidates)


def supports(
    ctx: PlanContext,
    candidate: Candidate,
    objectives: list[Objective],
    objective_vectors: np.ndarray,
    objective_functions: list[set[BusinessFunction]],
    retrieved: list[set[str]],
    initiative_vector: np.ndarray,
    pain_vectors: list[np.ndarray],
    pains: list[Pain],
) -> list[str]:
    """The objectives one candidate serves, best first (ties on the objective id)."""
    rules = ctx.config.linking
    answered = [p.point for p in pains if p.point.id in candidate.pains]
    functions = {candidate.entry.function} | {p.function for p in answered}
    functions |= {f for p in answered for f in ctx.functions_named(p.text)}
    similarity = objective_vectors @ initiative_vector
    for vector in pain_vectors:
        similarity = np.maximum(similarity, objective_vectors @ vector)
    dimensions = set(candidate.entry.dimensions)
    mapping = ctx.config.function_dimensions
    related = [
        bool(named & functions) or any(dimensions.intersection(mapping[f]) for f in named)
        for named in objective_functions
    ]
    scored = [
        (
            float(similarity[i])
            + (rules.function_bonus if related[i] else 0.0)
            + (rules.retrieval_bonus if candidate.entry.id in retrieved[i] else 0.0),
            o.id,
        )
        for i, o in enumerate(objectives)
    ]
    ranked = [oid for score, oid in sorted(scored, key=lambda s: (-s[0], s[1])) if score >= rules.min_similarity]
    return ranked[: rules.max_supports]


def split_aligned(
    ctx: PlanContext, candidates: dict[str, Candidate], language: Language, pains: list[Pain]
) -> tuple[list[Candidate], list[SetAside]]:
    aligned = [c for c in candidates.values() if c.supports]
    unaligned = [
        SetAside(
            catalogue_id=c.entry.id,
            title=c.entry.name.get(language),
            addresses=c.pains,
            reason=ctx.t("unaligned.reason", language, pains=pain_list(ctx, c.pains, pains, language)),
        )
        for c in candidates.values()
        if not c.supports
    ]
    return aligned, unaligned


def _initiative_vectors(ctx: PlanContext, ids: list[str], language: Language) -> dict[str, np.ndarray]:
    """Name + summary of each entry, embedded once per context (catalogue texts never change)."""
    missing = [i for i in ids if (i, language) not in ctx.entry_vectors]
    if missing:
        catalogue = ctx.catalogue
        docs = [f"{catalogue[i].name.get(language)}. {catalogue[i].summary.get(language)}" for i in missing]
        for entry_id, vector in zip(missing, ctx.retriever.embed(docs), strict=True):
            ctx.entry_vectors[(entry_id, language)] = vector
    return {i: ctx.entry_vectors[(i, language)] for i in ids}


def _served_by_dependents(entry_id: str, candidates: dict[str, Candidate]) -> list[str]:
    served: list[str] = []
    for candidate in candidates.values():
        if entry_id in candidate.entry.prerequisites:
            supports = candidate.supports or _served_by_dependents(candidate.entry.id, candidates)
            served.extend(o for o in supports if o not in served)
    return served
