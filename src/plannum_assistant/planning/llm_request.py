"""What the LLM plan engine sends: the candidates with their catalogue facts, and a schema built per request.

The candidates are the offline plan's initiatives (kept, deferred, set aside), then each pain
point's and each objective's first hits (company filters applied: nothing already running,
nothing that does not suit the company's sector or size, nothing facing the other side of a
document flow). The model may choose only among them: ``catalogue_id`` is an enum of this
request's candidates, ``addresses`` of its pain ids, ``supports`` of its objective ids.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar

from ..catalogue import Catalogue, CatalogueEntry
from ..intake import Intake
from ..prompting import PromptFile
from ..report import PlanReport
from ..retrieval import Hit
from ..vocabulary import Language, SizeBand

HORIZONS = ["0-6", "6-18", "18-36"]


class PlanPrompt(PromptFile):
    """prompts/plan-<language>.yaml; ``repair`` introduces the problems fed back after a draft."""

    placeholders: ClassVar[tuple[str, ...]] = (
        "{schema}",
        "{company}",
        "{today}",
        "{pains}",
        "{objectives}",
        "{candidates}",
    )
    repair: str

    def repair_message(self, problems: list[str]) -> str:
        return self.repair.format(problems="\n".join(f"- {p}" for p in problems))


@dataclass(frozen=True)
class PlanRequest:
    """One drafting request: what the model may choose from, and what its answer is checked against."""

    intake: Intake
    base: PlanReport  # the offline plan: its pains, objectives, gate and its own choices
    today: date
    band: SizeBand
    horizon_end: date  # the last day an initiative may start
    pool: dict[str, CatalogueEntry]  # the candidates, in the order shown

    @property
    def language(self) -> Language:
        return self.base.language

    @property
    def pains(self) -> list[str]:
        return [p.id for p in self.base.pain_points]

    @property
    def objectives(self) -> list[str]:
        return [o.id for o in self.base.strategic_plan.objectives] if self.base.strategic_plan else []

    @property
    def rewritable(self) -> list[str]:
        plan = self.base.strategic_plan
        return [o.id for o in plan.objectives if o.smart.failing] if plan else []


def candidate_pool(
    catalogue: Catalogue,
    base: PlanReport,
    found: dict[str, list[Hit]],
    objective_texts: list[str],
    *,
    per_pain: int,
    per_objective: int,
    limit: int,
) -> dict[str, CatalogueEntry]:
    """The offline plan's entries first, then each pain's and each objective's first hits, at most ``limit``."""
    ids: list[str] = [i.catalogue_id for i in base.initiatives]
    ids += [s.catalogue_id for s in [*base.deferred, *base.unaligned]]
    rounds = [[h.id for h in found.get(p.text, [])[:per_pain]] for p in base.pain_points]
    rounds += [[h.id for h in found.get(text, [])[:per_objective]] for text in objective_texts]
    for depth in range(max(per_pain, per_objective)):  # breadth first: every pain gets its first hit in
        ids += [hits[depth] for hits in rounds if depth < len(hits)]
    in_place = {i.catalogue_id for i in base.in_place}
    unique = [i for i in dict.fromkeys(ids) if i in catalogue and i not in in_place]
    return {i: catalogue[i] for i in unique[:limit]}


def facts(request: PlanRequest, found: dict[str, list[Hit]]) -> list[dict[str, Any]]:
    """Each candidate's catalogue facts, as the prompt shows them (compact: small models have small contexts)."""
    language, band = request.language, request.band
    base = request.base
    where: dict[str, list[str]] = {}
    for pain in base.pain_points:
        for rank, hit in enumerate(found.get(pain.text, [])[:5], 1):
            where.setdefault(hit.id, []).append(f"{pain.id}#{rank}")
    offline = {i.catalogue_id: i for i in base.initiatives}
    shown = []
    for entry in request.pool.values():
        budget = entry.budget_cad.for_band(band)
        item: dict[str, Any] = {
            "id": entry.id,
            "name": entry.name.get(language),
            "summary": _first_sentence(entry.summary.get(language)),
            "budget_cad": [round(budget.min), round(budget.max)],
            "weeks": sum(a.duration_weeks for a in entry.activities),
        }
        if entry.id in offline:  # the activities to adapt, for what the planner would keep (short prompts)
            item["activities"] = [a.name.get(language) for a in entry.activities]
        if entry.prerequisites:
            item["prerequisites"] = entry.prerequisites
        if entry.covers:
            item["covers"] = entry.covers
        if entry.quick_win:
            item["quick_win"] = True
        if entry.id in where:
            item["found_for"] = where[entry.id]
        if entry.id in offline:
            item["offline_plan"] = {"addresses": offline[entry.id].addresses, "supports": offline[entry.id].supports}
        shown.append(item)
    return shown


def response_schema(request: PlanRequest) -> dict[str, Any]:
    """The answer's JSON Schema for this request: every id is an enum of what exists here."""

    def ids(values: list[str]) -> dict[str, Any]:
        if not values:
            return {"type": "array", "items": {"type": "string"}, "maxItems": 0}
        return {"type": "array", "items": {"type": "string", "enum": values}}

    activity = {
        "type": "object",
        "properties": {"name": {"type": "string"}, "responsible": {"type": "string"}},
        "required": ["name"],
        "additionalProperties": False,
    }
    choice = {
        "type": "object",
        "properties": {
            "catalogue_id": {"type": "string", "enum": list(request.pool)},
            "addresses": ids(request.pains),
            "supports": ids(request.objectives),
            "horizon": {"type": "string", "enum": HORIZONS},
            "rationale": {"type": "string"},
            "start": {"type": "string", "description": "YYYY-MM-DD, optional"},
            "budget_cad": {
                "type": "object",
                "properties": {"min": {"type": "number"}, "max": {"type": "number"}},
                "required": ["min", "max"],
                "additionalProperties": False,
            },
            "activities": {"type": "array", "items": activity},
        },
        "required": ["catalogue_id", "addresses", "supports", "horizon", "rationale"],
        "additionalProperties": False,
    }
    rewritable = request.rewritable
    rewrite = {
        "type": "object",
        "properties": {"objective": {"type": "string", "enum": rewritable or ["-"]}, "rewrite": {"type": "string"}},
        "required": ["objective", "rewrite"],
        "additionalProperties": False,
    }
    return {
        "title": "plan_draft",
        "type": "object",
        "properties": {
            "initiatives": {"type": "array", "items": choice},
            "smart_rewrites": {"type": "array", "items": rewrite, **({} if rewritable else {"maxItems": 0})},
        },
        "required": ["initiatives", "smart_rewrites"],
        "additionalProperties": False,
    }


def render(prompt: PlanPrompt, request: PlanRequest, found: dict[str, list[Hit]], schema: dict[str, Any]) -> list[Any]:
    """The system and user messages. The owner's words are delimited (<<< >>>) and treated as data."""
    from langchain_core.messages import HumanMessage, SystemMessage

    intake, base = request.intake, request.base
    objectives = base.strategic_plan.objectives if base.strategic_plan else []
    system, user = prompt.render(
        schema=json.dumps(schema, ensure_ascii=False, separators=(",", ":")),
        company=f"{data(intake.company.name)} — {data(intake.company.sector)}, {intake.company.employees}",
        today=request.today.isoformat(),
        pains="\n".join(f"{p.id}: {data(p.text)}" for p in base.pain_points),
        objectives="\n".join(f"{o.id}: {data(o.text)}" for o in objectives) or "-",
        candidates="\n".join(json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in facts(request, found)),
    )
    return [SystemMessage(system), HumanMessage(user)]


def _first_sentence(text: str, limit: int = 160) -> str:
    sentence = text.split(". ")[0].rstrip(".") + "."
    return sentence if len(sentence) <= limit else sentence[: limit - 1].rstrip() + "…"


def data(text: str) -> str:
    """The owner's words between <<< and >>>; delimiters inside them are defused (no way out of the data)."""
    return "<<<" + text.replace("<<<", "‹‹‹").replace(">>>", "›››") + ">>>"
