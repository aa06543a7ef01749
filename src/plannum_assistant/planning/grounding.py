"""Stages 2-4: pain points grounded in the catalogue, capabilities in place, clear answers.

One batched search covers every pain statement and each objective; capabilities
already running, and entries that do not suit the company, are removed before
ranking (an entry outside the company's sectors comes back for a statement the
classifier is sure it answers). A hit answers a pain point only with enough evidence (thresholds in
``planner.yaml``); integrated systems fold the tools they cover (:func:`integrate`).
"""

from __future__ import annotations

from collections.abc import Sequence

from ..models import PainPoint
from ..retrieval import Hit, Mode
from ..smart import fold
from ..vocabulary import BusinessFunction, Flow, Language
from .severity import consequences, severity
from .types import Candidate, Choice, Pain, PlanContext


def retrieve(
    ctx: PlanContext,
    statements: list[str],
    objectives: list[str],
    excluded: frozenset[str],
    unless_sure: frozenset[str] = frozenset(),
) -> dict[str, list[Hit]]:
    """One batched search for every pain statement and each objective.

    ``excluded`` entries (already in place, or not suited to the company) are removed before ranking.
    An entry of ``unless_sure`` (outside the company's sectors, a subset of ``excluded``) comes back
    for a pain statement the entry classifier is sure it answers (``fit.sure_probability``: the
    owner's words plainly describe it, whatever the sector list says), never for an objective:
    that statement is searched again with it allowed, so the other statements rank as before.
    A hit facing the other side of a statement's document flow (a supplier tool for a customer
    problem, or the reverse) is dropped from that statement's hits. A text longer than a search
    query may be is searched by its beginning; a sentence ordering the assistant about is left out
    (``selection.instruction_cues``), and a statement that is nothing else gets no hit.
    """
    limit = ctx.retriever_query_chars
    queries = list(dict.fromkeys([*statements, *objectives]))
    rules = ctx.config.selection
    top_k = max(rules.candidates, ctx.config.linking.retrieval_top_k)

    def search(texts: list[str], exclude: frozenset[str], k: int = top_k, mode: Mode = "hybrid") -> list[list[Hit]]:
        cut = [ctx.problem_text(q)[:limit] for q in texts]  # an order to the assistant is searched for nothing
        asked = [q for q in cut if q]
        found = iter(ctx.retriever.search_many(asked, top_k=k, fusion=ctx.fusion, exclude=exclude, mode=mode))
        return [next(found) if q else [] for q in cut]

    results = dict(zip(queries, search(queries, excluded), strict=True))
    pains = list(dict.fromkeys(statements))
    if unless_sure and pains:
        # The classifier's probabilities do not depend on what is excluded: one cheap probe (the
        # classifier alone, over the misfits only) finds, for each statement, the misfits it is sure
        # of; those statements alone are searched again.
        sure = ctx.config.fit.sure_probability
        others = frozenset(ctx.catalogue.ids) - unless_sure
        probe = search(pains, others, len(unless_sure), "classifier")
        allowed: dict[frozenset[str], list[str]] = {}
        for query, hits in zip(pains, probe, strict=True):
            back = frozenset(h.id for h in hits if h.id in unless_sure and (h.classifier_score or 0.0) >= sure)
            if back:
                allowed.setdefault(back, []).append(query)
        for back, texts in allowed.items():
            results.update(zip(texts, search(texts, excluded - back), strict=True))
    for query in pains:
        flow = ctx.flow_of(query)
        if flow is not None:
            results[query] = [h for h in results[query] if ctx.catalogue[h.id].flow in (None, flow, Flow.INTERNAL)]
    return results


def pain_points(
    ctx: PlanContext,
    statements: list[str],
    results: dict[str, list[Hit]],
    functions: Sequence[BusinessFunction | None] = (),
) -> list[Pain]:
    """One pain point per statement, whole: owners mix a problem with side remarks, and splitting
    statements into sentences gave worse answers on the blind company set.

    Its function is the one it was given under (the interview's question) unless the owner's words
    clearly name another; else the best answer's, else the cue words'."""
    pains: list[Pain] = []
    for number, text in enumerate(statements, 1):
        hits = results[text][: ctx.config.selection.candidates]
        chosen = answer(ctx, hits)
        given = functions[number - 1] if number <= len(functions) else None
        point = PainPoint(
            id=f"P{number}",
            text=text,
            function=_function(ctx, text, given, chosen),
            severity=severity(found := consequences(ctx.knowledge.severity, text)),
            consequences=found,
        )
        pains.append(Pain(point, hits, chosen))
    return pains


def answer(ctx: PlanContext, hits: list[Hit]) -> list[Hit]:
    """The hits that clearly answer a pain point (rules and thresholds in planner.yaml).

    A second answer must be near-tied with the first, clear on its own, and not already part of
    the first (an integrated system and a point solution it covers are one answer, not two).
    """
    rules = ctx.config.selection
    if not hits or not clear(ctx, hits[0]):
        return []  # the fused best is weak: do not promote a weaker hit in its place
    if min(hits[0].dense_rank or 99, hits[0].bm25_rank or 99, hits[0].classifier_rank or 99) > rules.max_best_rank:
        return []
    best, *others = [hit for hit in hits if clear(ctx, hit)]
    kept = [best, *(hit for hit in others[:1] if hit.score >= rules.second_ratio * best.score)]
    if rules.keep_bm25_first:
        kept += [hit for hit in others if hit.bm25_rank == 1 and hit not in kept]
    distinct = [best] + [hit for hit in kept[1:] if not _same_answer(ctx, best.id, hit.id)]
    return distinct[: rules.max_per_pain]


def _same_answer(ctx: PlanContext, first: str, second: str) -> bool:
    return second in ctx.catalogue[first].covers or first in ctx.catalogue[second].covers


def clear(ctx: PlanContext, hit: Hit) -> bool:
    """Enough evidence: a fused score over the floor, and real shared words or close meaning.

    Shared words means a BM25 score over the floor from at least ``min_shared_terms`` distinct
    terms: one rare word in common ("logo", "truck") is not evidence of the same problem. The
    classifier's probability is not evidence on its own: it always sums to one, even over small talk.
    But it can veto: a hit it gives less than ``min_probability`` is too unlikely to answer (a hit
    without a classifier score, from a retriever that has none, is not vetoed).
    """
    rules = ctx.config.selection
    words = (hit.bm25_score or 0.0) >= rules.min_bm25 and (hit.shared_terms or 0) >= rules.min_shared_terms
    evidence = words or (hit.dense_score or 0.0) >= rules.min_dense
    likely = hit.classifier_score is None or hit.classifier_score >= rules.min_probability
    return hit.score >= rules.min_score and evidence and likely


def _function(ctx: PlanContext, text: str, given: BusinessFunction | None, chosen: list[Hit]) -> BusinessFunction:
    answered = ctx.catalogue[chosen[0].id].function if chosen else None
    if given is not None:
        # Clearly another: the words name one other function only, and the best answer belongs to it.
        named = ctx.functions_named(text)
        clearly = len(named) == 1 and named[0] != given and answered == named[0]
        return named[0] if clearly else given
    return answered or cue_function(ctx, text)


def cue_function(ctx: PlanContext, text: str) -> BusinessFunction:
    functions = ctx.functions_named(text)
    return functions[0] if functions else BusinessFunction.MANAGEMENT


def in_place(ctx: PlanContext, systems: list[str]) -> dict[str, str]:
    """Catalogue ids already running, with the evidence (product or phrase) that says so."""
    found: dict[str, str] = {}
    folded = [(system, fold(system)) for system in systems]
    # A system named exactly as an entry's product ("Sage 100") is that product, not the first
    # words of a longer one ("Sage 100 Contractor").
    exact = {text for _, text in folded for e in ctx.catalogue for p in ctx.products[e.id] if p == text.split()}
    for entry in ctx.catalogue:
        for system, text in folded:
            words = text.split()
            named = (
                words in ctx.products[entry.id]
                if text in exact
                else any(_same_product(product, words) for product in ctx.products[entry.id])
            )
            if named or any(phrase in text for phrase in ctx.phrases[entry.id]):
                found.setdefault(entry.id, system)
    # What an in-place capability required is in place too (or moot): Acumatica means no ERP study.
    pending = list(found)
    while pending:
        entry_id = pending.pop()
        for prerequisite in ctx.catalogue[entry_id].prerequisites:
            if prerequisite not in found:
                found[prerequisite] = f"→ {entry_id}"
                pending.append(prerequisite)
    return found


def select(ctx: PlanContext, pains: list[Pain], language: Language | None = None) -> dict[str, Candidate]:
    """Every clear answer, once: an initiative answering several pain points addresses them all.

    The catalogue phrase that matched is quoted only in the plan's language (a French plan never
    quotes an English symptom)."""
    candidates: dict[str, Candidate] = {}
    for pain in pains:
        for position, hit in enumerate(pain.answer):
            matched = hit.matched if language is None or hit.matched_language is language else None
            candidate = candidates.setdefault(hit.id, Candidate(ctx.catalogue[hit.id], matched=matched))
            candidate.pains.append(pain.point.id)
            candidate.best_for += position == 0
            candidate.confidence[pain.point.id] = hit.classifier_score or 0.0
            if position == 0:
                candidate.sure = max(candidate.sure, hit.classifier_score or 0.0)
    return candidates


def chosen(ctx: PlanContext, pains: list[Pain], choices: Sequence[Choice]) -> dict[str, Candidate]:
    """The candidates a model chose (:mod:`.llm`), in its order, instead of :func:`select`'s.

    Each keeps the pains and objectives it was linked to; its confidence for a pain is the
    classifier's, where the retriever found it for that pain."""
    scores = {(pain.point.id, hit.id): hit.classifier_score or 0.0 for pain in pains for hit in pain.hits}
    candidates: dict[str, Candidate] = {}
    for rank, choice in enumerate(choices, 1):
        candidate = Candidate(ctx.catalogue[choice.entry_id], choice=choice, rank=rank)
        candidate.pains = list(choice.pains)
        candidate.supports = list(choice.supports)
        candidate.best_for = len(choice.pains)
        candidate.confidence = {p: scores.get((p, choice.entry_id), 0.0) for p in choice.pains}
        candidate.sure = max(candidate.confidence.values(), default=0.0)  # the model's choices are first answers
        candidates[choice.entry_id] = candidate
    return candidates


def integrate(
    ctx: PlanContext,
    candidates: dict[str, Candidate],
    pains: list[Pain],
    in_place: dict[str, str],
    excluded: frozenset[str],
    *,
    propose: bool = True,
) -> dict[str, tuple[str, list[str]]]:
    """Core-system reasoning over the whole company.

    An integrated system already running absorbs the point solutions it covers ("use what you
    own": returned as covered id → (system, pains)). One that is not running is proposed when it
    is already a candidate, or when enough pains point into its coverage (their answers are tools
    it covers) and one of them names it (it, or its study, is that pain's first hit); the point
    solutions it covers are then folded into it instead of being bought in parallel. Systems that
    do not fit the company are excluded and never proposed. ``propose=False`` (a model's choices):
    only the systems already chosen fold the tools they cover.
    """
    catalogue = ctx.catalogue
    owned: dict[str, tuple[str, list[str]]] = {}
    for system_id in in_place:
        for covered in catalogue[system_id].covers:
            if covered in candidates:
                owned[covered] = (system_id, candidates.pop(covered).pains)
    rules = ctx.config.core
    systems = [e for e in catalogue if e.covers and e.id not in excluded]
    support: dict[str, list[str]] = {}
    for system in systems:
        scope = {system.id, *system.covers}
        itself = {system.id, *system.prerequisites}  # the system, or the study that chooses it
        # Named by a pain that has a clear answer: a first hit the answer rules refused names nothing.
        direct = [p.point.id for p in pains if p.answer and itself & {h.id for h in p.hits[: rules.top_k]}]
        pointing = [p.point.id for p in pains if p.point.id in direct or {h.id for h in p.answer} & scope]
        if system.id in candidates or (propose and direct and len(pointing) >= rules.min_pains):
            support[system.id] = pointing
    for system_id in sorted(support, key=lambda s: (-len(support[s]), s)):
        if system_id not in support:  # folded into a larger system already
            continue
        core = candidates.get(system_id) or candidates.setdefault(system_id, Candidate(catalogue[system_id]))
        core.core_for = max(core.core_for, len(support[system_id]))
        for pid in support[system_id]:
            if pid not in core.pains:
                core.pains.append(pid)
        for covered in catalogue[system_id].covers:
            if covered in candidates and covered not in support:
                folded = candidates.pop(covered)
                core.folded.append(covered)
                core.best_for += folded.best_for
                core.pains.extend(p for p in folded.pains if p not in core.pains)
                core.supports.extend(o for o in folded.supports if o not in core.supports)  # a model's links
                for pid, sure in folded.confidence.items():  # the system answers what its tools answered
                    core.confidence[pid] = max(core.confidence.get(pid, 0.0), sure)
                core.sure = max(core.sure, folded.sure)
            support.pop(covered, None)
    return owned


def add_prerequisites(ctx: PlanContext, candidates: dict[str, Candidate], in_place: dict[str, str]) -> None:
    """Add the catalogue prerequisites of every candidate, unless a running or planned system covers them
    (a planned one is then recorded in ``covered_by``: the dependent waits for it and never goes alone)."""
    pending = list(candidates.values())
    while pending:
        dependent = pending.pop()
        for prerequisite in dependent.entry.prerequisites:
            if prerequisite in in_place or any(prerequisite in ctx.catalogue[i].covers for i in in_place):
                continue
            planned = [i for i in candidates if prerequisite in ctx.catalogue[i].covers]
            if planned and prerequisite not in candidates:
                dependent.covered_by.extend(i for i in planned[:1] if i not in dependent.covered_by)
                continue
            if prerequisite not in candidates:
                added = Candidate(ctx.catalogue[prerequisite], prerequisite_of=dependent.entry.id)
                candidates[prerequisite] = added
                pending.append(added)
            for pid in dependent.pains:
                if pid not in candidates[prerequisite].pains:
                    candidates[prerequisite].pains.append(pid)


def _same_product(product: list[str], system: list[str]) -> bool:
    """Folded word lists. 'HubSpot' runs if the intake says 'HubSpot CRM'; 'Sage 50' matches
    'Sage 50 cloud'; one word alone ('Odoo') does not prove a specific module ('Odoo CRM')."""
    return _contains(system, product) or (len(system) >= 2 and _contains(product, system))


def _contains(haystack: list[str], needle: list[str]) -> bool:
    return any(haystack[i : i + len(needle)] == needle for i in range(len(haystack) - len(needle) + 1))
