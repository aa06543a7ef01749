"""The offline planner: from an intake to a validated, grounded draft plan numérique.

Deterministic and explainable, with no model call: the gate decides whether a
plan may be drafted at all; each pain point is matched to catalogue entries
by the hybrid retriever under thresholds tuned on the evals
(``knowledge/planner.yaml``); capabilities already in place are dropped and
missing prerequisites added; every initiative is linked to the objectives it
serves (or set aside as *unaligned*, never given an invented link); the
survivors are prioritised (impact against effort, dependencies first),
scheduled from ``today`` and costed from the catalogue's activity templates.
The result is validated with the model's business rules: an invalid plan is a
bug and raises, it is never printed.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np
from pydantic import ValidationError

from .catalogue import Catalogue, CatalogueEntry
from .errors import PlanInvalidError
from .files import first_error
from .gate import GateResult, check_prerequisites
from .intake import Intake
from .knowledge import PlannerConfig, Wording
from .models import (
    Activity,
    Budget,
    DigitalPlan,
    FollowUp,
    InitiativeActions,
    MaturityAssessment,
    Objective,
    PainPoint,
    PlannedInitiative,
    Severity,
    StrategicPlan,
    validate_plan,
)
from .report import BudgetSummary, GateOutput, InPlace, PlanReport, SetAside, money
from .retrieval import Hit, Retriever
from .smart import fold
from .vocabulary import BusinessFunction, Language, SizeBand

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÀ-Ý])|\n+\s*(?:[-*•]\s*)?")
_WEEK = timedelta(weeks=1)


@dataclass
class _Pain:
    point: PainPoint
    hits: list[Hit]
    answer: list[Hit]


@dataclass
class _Candidate:
    entry: CatalogueEntry
    pains: list[str] = field(default_factory=list)
    matched: str | None = None
    prerequisite_of: str | None = None
    supports: list[str] = field(default_factory=list)
    value: float = 0.0
    best_for: int = 0  # pain points where it is the first answer, not a runner-up


class Planner:
    """Builds a :class:`PlanReport` from an :class:`Intake`. Build once, plan many intakes."""

    def __init__(
        self,
        catalogue: Catalogue,
        retriever: Retriever,
        config: PlannerConfig,
        wording: Wording,
        *,
        gate_max_age_months: int = 24,
    ) -> None:
        self.catalogue = catalogue
        self.retriever = retriever
        self.config = config
        self.wording = wording
        self.gate_max_age_months = gate_max_age_months
        self._products = {e.id: [fold(p).split() for p in e.in_place.products] for e in catalogue}
        self._phrases = {e.id: [fold(p) for p in [*e.in_place.phrases.fr, *e.in_place.phrases.en]] for e in catalogue}
        self._function_patterns = {
            function: _cue_pattern([*cues.fr, *cues.en]) for function, cues in config.function_cues.items()
        }
        severity = config.severity_cues
        self._high = _cue_pattern([*severity.high.fr, *severity.high.en])
        self._low = _cue_pattern([*severity.low.fr, *severity.low.en])
        self._entry_vectors: dict[tuple[str, Language], np.ndarray] = {}
        self._reference_budget = {
            band: statistics.median(
                (e.budget_cad.for_band(band).min + e.budget_cad.for_band(band).max) / 2 for e in catalogue
            )
            for band in SizeBand
        }

    # --- the whole pipeline ---------------------------------------------------------------

    def plan(self, intake: Intake, today: date) -> PlanReport:
        language = intake.language
        strategy = intake.strategic_plan.to_model() if intake.strategic_plan else None
        gate = check_prerequisites(strategy, today=today, max_age_months=self.gate_max_age_months)
        in_place = self._in_place(intake.existing_systems)
        objectives = [o.text for o in strategy.objectives] if strategy else []
        results = self._retrieve(intake.pain_points, objectives, frozenset(in_place))
        pains = self._pain_points(intake.pain_points, results)
        owner = intake.constraints.follow_up_owner
        warnings = gate.warning_messages(language)
        if not owner:
            warnings.append(self._t("warning.follow_up", language))
        base: dict[str, Any] = {
            "language": language,
            "company": intake.company,
            "today": today,
            "catalogue_hash": self.catalogue.content_hash[:16],
            "pain_points": [pain.point for pain in pains],
            "follow_up": FollowUp(owner=owner, cadence=self._t("cadence.monthly", language)),
        }
        if not gate.ready:
            self._validate(intake, strategy, pains, [], [], [])
            return PlanReport(
                **base,
                gate=GateOutput(ready=False, missing=gate.missing_messages(language), warnings=warnings),
                next_steps=self._next_steps(gate, language),
                preliminary_observations=[self._observation(pain, language) for pain in pains],
            )
        assert strategy is not None  # the gate is ready only with a strategic plan
        pointed = [{hit.id for hit in results[text]} for text in objectives]
        return self._draft(intake, today, strategy, in_place, pains, pointed, warnings, base)

    def _draft(
        self,
        intake: Intake,
        today: date,
        strategy: StrategicPlan,
        in_place: dict[str, str],
        pains: list[_Pain],
        pointed: list[set[str]],
        warnings: list[str],
        base: dict[str, Any],
    ) -> PlanReport:
        language = intake.language
        band = SizeBand.for_employees(intake.company.employees)
        candidates = self._select(pains)
        self._add_prerequisites(candidates, in_place)
        self._link(candidates, strategy, pains, pointed, language)
        aligned, unaligned = self._split_aligned(candidates, language, pains)
        ordered = self._prioritise(aligned, intake, pains, band)
        kept, deferred = self._schedule(ordered, intake, today, band, language)
        initiatives = [
            self._initiative(c, rank, start, horizon, pains, strategy, language)
            for rank, (c, start, horizon) in enumerate(kept, 1)
        ]
        action_plan = [self._actions(c.entry, start, band, language) for c, start, _ in kept]
        budget = self._budget(action_plan, intake.constraints.budget_cad, language)
        if budget.status in ("may_exceed", "exceeds"):
            warnings.append(budget.note)
        self._validate(intake, strategy, pains, initiatives, action_plan, list(in_place))
        answered = {pid for c, _, _ in kept for pid in c.pains}
        return PlanReport(
            **base,
            gate=GateOutput(ready=True, missing=[], warnings=warnings),
            initiatives=initiatives,
            action_plan=action_plan,
            unaligned=unaligned,
            deferred=deferred,
            in_place=[InPlace(catalogue_id=i, evidence=e) for i, e in in_place.items()],
            unanswered=[self._t("unanswered", language, pain=p.point.id) for p in pains if not p.answer],
            budget=budget,
            plan_size_rationale=self._t(
                "size.rationale",
                language,
                count=len(kept),
                answered=len(answered),
                total=len(pains),
                employees=intake.company.employees,
                concurrency=self.config.concurrency.for_band(band),
                cap=self.config.plan_size.for_band(band),
            ),
        )

    # --- 2. pain points -------------------------------------------------------------------

    def _retrieve(self, statements: list[str], objectives: list[str], in_place: frozenset[str]) -> dict[str, list[Hit]]:
        """One batched search for every pain statement, each of its sentences, and each objective.

        Capabilities already in place are removed before ranking: they are never candidates.
        """
        sentences = [part for text in statements for part in _sentences(text)]
        queries = list(dict.fromkeys([*statements, *sentences, *objectives]))
        rules = self.config.selection
        top_k = max(rules.candidates, self.config.linking.retrieval_top_k)
        found = self.retriever.search_many(queries, top_k=top_k, dense_weight=rules.dense_weight, exclude=in_place)
        return dict(zip(queries, found, strict=True))

    def _pain_points(self, statements: list[str], results: dict[str, list[Hit]]) -> list[_Pain]:
        texts = [part for text in statements for part in self._split(text, results)]
        pains: list[_Pain] = []
        for number, text in enumerate(texts, 1):
            hits = results[text][: self.config.selection.candidates]
            answer = self._answer(hits)
            point = PainPoint(
                id=f"P{number}",
                text=text,
                function=self.catalogue[answer[0].id].function if answer else self._cue_function(text),
                severity=self._severity(text),
            )
            pains.append(_Pain(point, hits, answer))
        return pains

    def _split(self, text: str, results: dict[str, list[Hit]]) -> list[str]:
        """Split a statement into sentences only when they clearly name different problems.

        "Our reps keep contacts in their phones. The CNC breaks down because nobody
        maintains it." becomes two pain points because each sentence, alone, clearly
        answers to a different initiative; sentences about one problem stay together.
        """
        parts = _sentences(text)
        answers = [self._answer(results[part][: self.config.selection.candidates]) for part in parts]
        tops = {answer[0].id for answer in answers if answer}
        return parts if parts and len(tops) == len(parts) else [text]

    def _answer(self, hits: list[Hit]) -> list[Hit]:
        """The hits that clearly answer a pain point (rules and thresholds in planner.yaml)."""
        rules = self.config.selection
        if not hits or not self._clear(hits[0]):
            return []  # the fused best is weak: do not promote a weaker hit in its place
        if min(hits[0].dense_rank or 99, hits[0].bm25_rank or 99) > rules.max_best_rank:
            return []
        best, *others = [hit for hit in hits if self._clear(hit)]
        kept = [best, *(hit for hit in others[:1] if hit.score >= rules.second_ratio * best.score)]
        if rules.keep_bm25_first:
            kept += [hit for hit in others if hit.bm25_rank == 1 and hit not in kept]
        return kept[: rules.max_per_pain]

    def _clear(self, hit: Hit) -> bool:
        """Enough evidence: a fused score over the floor, and shared words or close meaning."""
        rules = self.config.selection
        evidence = (hit.bm25_score or 0.0) >= rules.min_bm25 or (hit.dense_score or 0.0) >= rules.min_dense
        return hit.score >= rules.min_score and evidence

    def _severity(self, text: str) -> Severity:
        folded = fold(text)
        if self._high.search(folded):
            return Severity.HIGH
        if self._low.search(folded):
            return Severity.LOW
        return Severity.MEDIUM

    def _cue_function(self, text: str) -> BusinessFunction:
        functions = self._functions_named(text)
        return functions[0] if functions else BusinessFunction.MANAGEMENT

    def _functions_named(self, text: str) -> list[BusinessFunction]:
        folded = fold(text)
        return [function for function, pattern in self._function_patterns.items() if pattern.search(folded)]

    # --- 4. selection ---------------------------------------------------------------------

    def _in_place(self, systems: list[str]) -> dict[str, str]:
        """Catalogue ids already running, with the evidence (product or phrase) that says so."""
        found: dict[str, str] = {}
        folded = [(system, fold(system)) for system in systems]
        for entry in self.catalogue:
            for system, text in folded:
                words = text.split()
                if any(_same_product(product, words) for product in self._products[entry.id]) or any(
                    phrase in text for phrase in self._phrases[entry.id]
                ):
                    found.setdefault(entry.id, system)
        # What an in-place capability required is in place too (or moot): Acumatica means no ERP study.
        pending = list(found)
        while pending:
            entry_id = pending.pop()
            for prerequisite in self.catalogue[entry_id].prerequisites:
                if prerequisite not in found:
                    found[prerequisite] = f"→ {entry_id}"
                    pending.append(prerequisite)
        return found

    def _select(self, pains: list[_Pain]) -> dict[str, _Candidate]:
        """Every clear answer, once: an initiative answering several pain points addresses them all."""
        candidates: dict[str, _Candidate] = {}
        for pain in pains:
            for position, hit in enumerate(pain.answer):
                candidate = candidates.setdefault(hit.id, _Candidate(self.catalogue[hit.id], matched=hit.matched))
                candidate.pains.append(pain.point.id)
                candidate.best_for += position == 0
        return candidates

    def _add_prerequisites(self, candidates: dict[str, _Candidate], in_place: dict[str, str]) -> None:
        pending = list(candidates.values())
        while pending:
            dependent = pending.pop()
            for prerequisite in dependent.entry.prerequisites:
                if prerequisite in in_place:
                    continue
                if prerequisite not in candidates:
                    added = _Candidate(self.catalogue[prerequisite], prerequisite_of=dependent.entry.id)
                    candidates[prerequisite] = added
                    pending.append(added)
                for pid in dependent.pains:
                    if pid not in candidates[prerequisite].pains:
                        candidates[prerequisite].pains.append(pid)

    # --- 5. objectives --------------------------------------------------------------------

    def _link(
        self,
        candidates: dict[str, _Candidate],
        strategy: StrategicPlan,
        pains: list[_Pain],
        retrieved: list[set[str]],
        language: Language,
    ) -> None:
        """Supports = objectives close in meaning to the initiative or to the pains it answers."""
        objectives = strategy.objectives
        if not candidates or not objectives:
            return
        pain_text = {pain.point.id: pain.point.text for pain in pains}
        vectors = self.retriever.embed([o.text for o in objectives] + list(pain_text.values()))
        objective_vectors = vectors[: len(objectives)]
        pain_vectors = dict(zip(pain_text, vectors[len(objectives) :], strict=True))
        initiative_vectors = self._initiative_vectors(list(candidates), language)
        objective_functions = [set(self._functions_named(o.text)) for o in objectives]
        for entry_id, candidate in candidates.items():
            if candidate.prerequisite_of:
                continue  # a prerequisite serves what its dependent serves (set below)
            candidate.supports = self._supports(
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

    def _initiative_vectors(self, ids: list[str], language: Language) -> dict[str, np.ndarray]:
        """Name + summary of each entry, embedded once per planner (catalogue texts never change)."""
        missing = [i for i in ids if (i, language) not in self._entry_vectors]
        if missing:
            docs = [
                f"{self.catalogue[i].name.get(language)}. {self.catalogue[i].summary.get(language)}" for i in missing
            ]
            for entry_id, vector in zip(missing, self.retriever.dense.encoder()(docs), strict=True):
                self._entry_vectors[(entry_id, language)] = np.asarray(vector, dtype=np.float32)
        return {i: self._entry_vectors[(i, language)] for i in ids}

    def _supports(
        self,
        candidate: _Candidate,
        objectives: list[Objective],
        objective_vectors: np.ndarray,
        objective_functions: list[set[BusinessFunction]],
        retrieved: list[set[str]],
        initiative_vector: np.ndarray,
        pain_vectors: list[np.ndarray],
        pains: list[_Pain],
    ) -> list[str]:
        rules = self.config.linking
        answered = [p.point for p in pains if p.point.id in candidate.pains]
        functions = {candidate.entry.function} | {p.function for p in answered}
        functions |= {f for p in answered for f in self._functions_named(p.text)}
        similarity = objective_vectors @ initiative_vector
        for vector in pain_vectors:
            similarity = np.maximum(similarity, objective_vectors @ vector)
        dimensions = set(candidate.entry.dimensions)
        mapping = self.config.function_dimensions
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
        ranked = [oid for score, oid in sorted(scored, key=lambda s: -s[0]) if score >= rules.min_similarity]
        return ranked[: rules.max_supports]

    def _split_aligned(
        self, candidates: dict[str, _Candidate], language: Language, pains: list[_Pain]
    ) -> tuple[list[_Candidate], list[SetAside]]:
        aligned = [c for c in candidates.values() if c.supports]
        unaligned = [
            SetAside(
                catalogue_id=c.entry.id,
                title=c.entry.name.get(language),
                addresses=c.pains,
                reason=self._t("unaligned.reason", language, pains=self._pain_list(c.pains, pains, language)),
            )
            for c in candidates.values()
            if not c.supports
        ]
        return aligned, unaligned

    # --- 6. priorities and schedule -------------------------------------------------------

    def _prioritise(
        self, candidates: list[_Candidate], intake: Intake, pains: list[_Pain], band: SizeBand
    ) -> list[_Candidate]:
        severity = {pain.point.id: int(pain.point.severity) for pain in pains}
        maturity = MaturityAssessment(scores=intake.maturity)
        for candidate in candidates:
            entry = candidate.entry
            gaps = [g if (g := maturity.gap(d)) is not None else 2.5 for d in entry.dimensions]  # unrated: mid-scale
            # A runner-up answer counts for less than a first answer to the same pain.
            answered = sum(severity[p] for p in candidate.pains)
            weight = 1.0 if candidate.best_for or candidate.prerequisite_of else self.config.linking.runner_up_weight
            impact = (
                weight * answered
                + 1.5 * sum(o.startswith("SO") for o in candidate.supports)
                + 1.0 * sum(o.startswith("OO") for o in candidate.supports)
                + 2.0 * statistics.mean(gaps) / 5
            )
            budget = entry.budget_cad.for_band(band)
            weeks = sum(a.duration_weeks for a in entry.activities)
            effort = (budget.min + budget.max) / 2 / self._reference_budget[band] + weeks / 26
            candidate.value = round(impact / (1 + effort), 6)
        return _dependencies_first(candidates)

    def _schedule(
        self, ordered: list[_Candidate], intake: Intake, today: date, band: SizeBand, language: Language
    ) -> tuple[list[tuple[_Candidate, date, str]], list[SetAside]]:
        """Start dates from ``today`` with a few initiatives at a time, prerequisites finished first."""
        cap = self.config.plan_size.for_band(band)
        chosen = _choose(ordered, cap)
        horizon = min(intake.constraints.horizon_months or self.config.default_horizon_months, 36)
        slots = [today] * self.config.concurrency.for_band(band)
        ends: dict[str, date] = {}
        kept: list[tuple[_Candidate, date, str]] = []
        deferred: list[SetAside] = []
        for candidate in ordered:
            entry = candidate.entry
            slot = min(range(len(slots)), key=lambda i: slots[i])
            start = max([slots[slot], *(ends[p] for p in entry.prerequisites if p in ends)])
            months = (start - today).days / 30.44
            waiting = any(p not in ends for p in entry.prerequisites if p in chosen)
            if entry.id not in chosen or waiting or months >= horizon:
                key, params = (
                    ("deferred.size", {"cap": cap})
                    if entry.id not in chosen
                    else ("deferred.horizon", {"months": horizon})
                )
                deferred.append(
                    SetAside(
                        catalogue_id=entry.id,
                        title=entry.name.get(language),
                        addresses=candidate.pains,
                        reason=self._t(key, language, **params),
                    )
                )
                continue
            end = start + _WEEK * sum(a.duration_weeks for a in entry.activities)
            slots[slot] = ends[entry.id] = end
            kept.append((candidate, start, "0-6" if months < 6 else "6-18" if months < 18 else "18-36"))
        return kept, deferred

    # --- 7. action plan and budget --------------------------------------------------------

    def _actions(self, entry: CatalogueEntry, start: date, band: SizeBand, language: Language) -> InitiativeActions:
        budget = entry.budget_cad.for_band(band)
        activities = []
        for template in entry.activities:
            end = start + _WEEK * template.duration_weeks
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

    def _budget(
        self, action_plan: list[InitiativeActions], envelope: float | None, language: Language
    ) -> BudgetSummary:
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
            note=self._t(f"budget.{status}", language, **amounts),
        )

    # --- output ---------------------------------------------------------------------------

    def _initiative(
        self,
        candidate: _Candidate,
        priority: int,
        start: date,
        horizon: str,
        pains: list[_Pain],
        strategy: StrategicPlan,
        language: Language,
    ) -> PlannedInitiative:
        objective_text = {o.id: o.text for o in strategy.objectives}
        parts = []
        if candidate.prerequisite_of:
            dependent = self.catalogue[candidate.prerequisite_of].name.get(language)
            parts.append(self._t("rationale.prerequisite", language, dependent=dependent))
        parts.append(self._t("rationale.answers", language, pains=self._pain_list(candidate.pains, pains, language)))
        served = ", ".join(f"{oid} {_quote(objective_text[oid], language)}" for oid in candidate.supports)
        parts.append(self._t("rationale.serves", language, objectives=served))
        if candidate.matched:
            parts.append(self._t("rationale.matched", language, phrase=candidate.matched))
        texts = {pain.point.id: pain.point.text for pain in pains}
        return PlannedInitiative(
            catalogue_id=candidate.entry.id,
            title=candidate.entry.name.get(language),
            addresses=candidate.pains,
            supports=candidate.supports,
            priority=priority,
            horizon=horizon,
            start=start,
            rationale=" ".join(parts),
            evidence=[texts[p] for p in candidate.pains],
        )

    def _validate(
        self,
        intake: Intake,
        strategy: StrategicPlan | None,
        pains: list[_Pain],
        initiatives: list[PlannedInitiative],
        action_plan: list[InitiativeActions],
        in_place: list[str],
    ) -> DigitalPlan:
        plan = {
            "language": intake.language,
            "company": intake.company,
            "strategic_plan": strategy,
            "maturity": {"scores": intake.maturity},
            "pain_points": [pain.point for pain in pains],
            "in_place": in_place,
            "initiatives": initiatives,
            "action_plan": action_plan,
            "follow_up": {"owner": intake.constraints.follow_up_owner},
        }
        try:
            return validate_plan(_plain(plan), self.catalogue)
        except ValidationError as exc:
            raise PlanInvalidError(f"the planner produced an invalid plan ({first_error(exc)})") from exc

    def _next_steps(self, gate: GateResult, language: Language) -> list[str]:
        items = " ".join(gate.missing_messages(language))
        return [
            self._t("next.why", language),
            self._t("next.complete", language, items=items),
            self._t("next.smart", language),
            self._t("next.diagnostic", language),
        ]

    def _observation(self, pain: _Pain, language: Language) -> str:
        point = pain.point
        return self._t(
            "observation",
            language,
            pain=point.id,
            text=point.text,
            function=self._t(f"function.{point.function.value}", language),
            severity=self._t(f"severity.{int(point.severity)}", language),
        )

    def _pain_list(self, ids: list[str], pains: list[_Pain], language: Language) -> str:
        texts = {pain.point.id: pain.point.text for pain in pains}
        return ", ".join(f"{pid} {_quote(_shorten(texts[pid]), language)}" for pid in ids)

    def _t(self, key: str, language: Language, **params: object) -> str:
        return self.wording.text(key, language, **params)


# --- small pure helpers ---------------------------------------------------------------------


def _sentences(text: str) -> list[str]:
    """The sentences of a statement worth searching alone (two or more, six words or more each)."""
    parts = [part.strip() for part in _SENTENCE_END.split(text) if len(part.split()) >= 6]
    return parts if len(parts) >= 2 else []


def _cue_pattern(cues: list[str]) -> re.Pattern[str]:
    """Cues match at the start of a word ("livr" matches "livraisons", not "délivrer")."""
    return re.compile("|".join(rf"(?<![a-z0-9]){re.escape(fold(cue))}" for cue in cues))


def _same_product(product: list[str], system: list[str]) -> bool:
    """Folded word lists. 'HubSpot' runs if the intake says 'HubSpot CRM'; 'Sage 50' matches
    'Sage 50 cloud'; one word alone ('Odoo') does not prove a specific module ('Odoo CRM')."""
    return _contains(system, product) or (len(system) >= 2 and _contains(product, system))


def _contains(haystack: list[str], needle: list[str]) -> bool:
    return any(haystack[i : i + len(needle)] == needle for i in range(len(haystack) - len(needle) + 1))


def _served_by_dependents(entry_id: str, candidates: dict[str, _Candidate]) -> list[str]:
    served: list[str] = []
    for candidate in candidates.values():
        if entry_id in candidate.entry.prerequisites:
            supports = candidate.supports or _served_by_dependents(candidate.entry.id, candidates)
            served.extend(o for o in supports if o not in served)
    return served


def _dependencies_first(candidates: list[_Candidate]) -> list[_Candidate]:
    """Highest value first, but never before a prerequisite that is also in the plan."""
    remaining = sorted(candidates, key=lambda c: (-c.value, c.entry.id))
    ids = {c.entry.id for c in candidates}
    ordered: list[_Candidate] = []
    placed: set[str] = set()
    while remaining:
        ready = next(c for c in remaining if all(p in placed or p not in ids for p in c.entry.prerequisites))
        remaining.remove(ready)
        ordered.append(ready)
        placed.add(ready.entry.id)
    return ordered


def _choose(ordered: list[_Candidate], cap: int) -> set[str]:
    """The most valuable initiatives that fit under the cap, each with its prerequisites.

    A prerequisite added only for another initiative enters the plan with it, never alone.
    """
    by_id = {c.entry.id: c for c in ordered}
    chosen: set[str] = set()
    for candidate in sorted((c for c in ordered if not c.prerequisite_of), key=lambda c: (-c.value, c.entry.id)):
        needed, pending = set(), [candidate.entry.id]
        while pending:
            entry_id = pending.pop()
            if entry_id in by_id and entry_id not in chosen and entry_id not in needed:
                needed.add(entry_id)
                pending.extend(by_id[entry_id].entry.prerequisites)
        if len(chosen) + len(needed) <= cap:
            chosen |= needed
    return chosen


def _round_hundred(value: float) -> float:
    return float(round(value / 100) * 100)


def _shorten(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def _quote(text: str, language: Language) -> str:
    return f"« {text} »" if language is Language.FR else f'"{text}"'


def _plain(value: Any) -> Any:
    """Models to plain data so the plan is validated from scratch, business rules included."""
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="python", exclude_computed_fields=True)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value
