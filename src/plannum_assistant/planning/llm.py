"""The LLM plan engine (issue 14, first slice): the model orders, links and explains; the offline plan disposes.

The offline planner drafts first: its initiatives (each a catalogue entry, with its activities and
budget) are the request's only candidates. The model gets the intake (pains and objectives with
their ids, the owner's words delimited as data) and those candidates, and answers in a schema
built for this request: ``catalogue_id`` is an enum of the candidates, ``addresses`` of the pain
ids, ``supports`` of the objective ids, ``horizon`` of the horizons; it may propose a SMART rewrite
for an objective that fails the checks (a suggestion, never applied). What the model leaves out or
gets wrong (no JSON, an id outside the candidates, a repeat) is sent back with the problem for at
most ``max_repairs`` repairs; what still fails is dropped with a recorded reason and the offline
initiative fills the gap: the plan stays whole (budget, activities, risks unchanged) and
each initiative says its ``source``. The loop above (:func:`~.engine.draft_plan`) validates the
result with the plan contract, feeds the error back, and falls back to the offline planner.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..errors import EngineUnavailableError, KnowledgeError
from ..files import load_model
from ..intake import Intake
from ..report import PlanReport, validate_report
from ..text import guess_language
from ..vocabulary import Language
from .engine import PlanEngine

Method = Literal["json_schema", "function_calling", "json_mode"]
HORIZONS = ["0-6", "6-18", "18-36"]
_QUOTED = re.compile(r"«[^»]*»|\"[^\"]*\"|“[^”]*”")  # the owner's words quoted in a rationale (any language)
_PLACEHOLDERS = ("{schema}", "{company}", "{pains}", "{objectives}", "{candidates}", "{feedback}")


class PlanPrompt(BaseModel):
    """prompts/plan-<language>.yaml: strict, versioned."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = Field(ge=1)
    language: Language
    system: str = Field(min_length=1)
    user: str = Field(min_length=1)

    def render(self, **values: str) -> tuple[str, str]:
        missing = [p for p in _PLACEHOLDERS if p not in self.system + self.user]
        if missing:
            raise KnowledgeError(f"plan prompt ({self.language.value}): missing placeholders {', '.join(missing)}")
        return self.system.format(**values), self.user.format(**values)


def load_plan_prompts(directory: Path) -> dict[Language, PlanPrompt]:
    return {
        language: load_model(directory / f"plan-{language.value}.yaml", PlanPrompt, KnowledgeError)
        for language in Language
    }


def response_schema(
    candidates: list[str], pains: list[str], objectives: list[str], rewritable: list[str]
) -> dict[str, Any]:
    """The answer's JSON Schema for this request: every id is an enum of what exists here."""

    def ids(values: list[str]) -> dict[str, Any]:
        if not values:
            return {"type": "array", "items": {"type": "string"}, "maxItems": 0}
        return {"type": "array", "items": {"type": "string", "enum": values}}

    choice = {
        "type": "object",
        "properties": {
            "catalogue_id": {"type": "string", "enum": candidates},
            "addresses": ids(pains),
            "supports": ids(objectives),
            "horizon": {"type": "string", "enum": HORIZONS},
            "rationale": {"type": "string"},
        },
        "required": ["catalogue_id", "addresses", "supports", "horizon", "rationale"],
        "additionalProperties": False,
    }
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


class LLMPlanEngine:
    """A :class:`PlanEngine` over a chat model, on top of the offline planner's candidates."""

    name = "llm"
    repairable = True

    def __init__(self, offline: PlanEngine, model: Any, prompts: dict[Language, PlanPrompt], catalogue: Any,
                 *, model_name: str, method: Method = "json_schema", max_repairs: int = 2) -> None:  # fmt: skip
        self.offline, self.model, self.prompts, self.catalogue = offline, model, prompts, catalogue
        self.model_name, self.method, self.max_repairs = model_name, method, max_repairs
        self.calls = 0
        self.prompt_tokens: int | None = None
        self.completion_tokens: int | None = None
        self.dropped: list[str] = []  # why model choices were not kept (the last draft's)

    def draft(self, intake: Intake, today: date, feedback: Sequence[str] = ()) -> dict[str, Any]:
        base = validate_report(self.offline.draft(intake, today, ()), self.catalogue)
        if not base.gate.ready or not base.initiatives:
            return base.model_dump(mode="json")  # nothing to choose: the offline answer as is
        notes = list(feedback)
        for attempt in range(1 + self.max_repairs):
            answer = self._ask(intake, base, notes)
            data = self._merge(base, answer)
            if not self.dropped or attempt == self.max_repairs:
                return data
            notes = [*feedback, *self.dropped]  # instructor-style: the problems, not the same prompt again
        return data

    # --- the call -------------------------------------------------------------------------------

    def _ask(self, intake: Intake, base: PlanReport, feedback: Sequence[str]) -> dict[str, Any]:
        import openai
        from langchain_core.messages import HumanMessage, SystemMessage

        plan = base.strategic_plan
        objectives = plan.objectives if plan else []
        rewritable = [o.id for o in objectives if o.smart.failing]
        candidates = [i.catalogue_id for i in base.initiatives]
        schema = response_schema(candidates, [p.id for p in base.pain_points], [o.id for o in objectives], rewritable)
        language = base.language
        entries = []
        for initiative in base.initiatives:
            entry = self.catalogue[initiative.catalogue_id]
            entries.append(
                {"catalogue_id": entry.id, "name": entry.name.get(language), "summary": entry.summary.get(language),
                 "prerequisites": entry.prerequisites, "offline_addresses": initiative.addresses,
                 "offline_supports": initiative.supports, "offline_horizon": initiative.horizon}
            )  # fmt: skip
        system, user = self.prompts[language].render(
            schema=json.dumps(schema, ensure_ascii=False),
            company=f"{intake.company.name} — {intake.company.sector}, {intake.company.employees}",
            pains="\n".join(f"{p.id}: <<<{p.text}>>>" for p in base.pain_points),
            objectives="\n".join(f"{o.id}: <<<{o.text}>>>" for o in objectives) or "-",
            candidates=json.dumps(entries, ensure_ascii=False, indent=1),
            feedback="\n".join(f"- {f}" for f in feedback) or "-",
        )
        structured = self.model.with_structured_output(schema, method=self.method, include_raw=True)
        self.calls += 1
        try:
            result: dict[str, Any] = structured.invoke([SystemMessage(system), HumanMessage(user)])
        except openai.APITimeoutError:
            raise EngineUnavailableError("timeout") from None
        except openai.APIStatusError as exc:
            raise EngineUnavailableError(f"HTTP {exc.status_code}") from None
        except openai.APIConnectionError:
            raise EngineUnavailableError("connection failed") from None
        except Exception as exc:
            raise EngineUnavailableError(f"unreadable reply ({type(exc).__name__})") from None
        usage = getattr(result.get("raw"), "usage_metadata", None) or {}
        if usage:
            self.prompt_tokens = (self.prompt_tokens or 0) + int(usage.get("input_tokens", 0))
            self.completion_tokens = (self.completion_tokens or 0) + int(usage.get("output_tokens", 0))
        parsed = result.get("parsed")
        if not isinstance(parsed, dict):
            return {"initiatives": [], "smart_rewrites": [], "error": str(result.get("parsing_error") or "no JSON")}
        return parsed

    # --- what is kept ---------------------------------------------------------------------------

    def _merge(self, base: PlanReport, answer: dict[str, Any]) -> dict[str, Any]:
        offline = {i.catalogue_id: i for i in base.initiatives}
        pains = {p.id for p in base.pain_points}
        plan = base.strategic_plan
        objectives = {o.id: o for o in (plan.objectives if plan else [])}
        self.dropped = [f"reply: {answer['error']}"] if answer.get("error") else []
        kept: list[Any] = []
        for n, choice in enumerate(answer.get("initiatives") or []):
            entry_id = choice.get("catalogue_id") if isinstance(choice, dict) else None
            if entry_id not in offline:
                self.dropped.append(f"initiatives.{n}: {entry_id!r} is not a candidate")
                continue
            if any(k.catalogue_id == entry_id for k in kept):
                self.dropped.append(f"initiatives.{n}: {entry_id} repeated")
                continue
            original = offline[entry_id]
            addresses = [p for p in choice.get("addresses", []) if p in pains] or original.addresses
            supports = [o for o in choice.get("supports", []) if o in objectives]
            horizon = choice.get("horizon") if choice.get("horizon") in HORIZONS else original.horizon
            rationale = str(choice.get("rationale") or "").strip() or original.rationale
            said = guess_language(_QUOTED.sub(" ", rationale))
            if said is not None and said is not base.language:
                self.dropped.append(f"initiatives.{n}.rationale: not written in {base.language.value}")
                rationale = original.rationale
            kept.append(original.model_copy(update={"addresses": addresses, "supports": supports,
                                                    "horizon": horizon, "rationale": rationale[:2000],
                                                    "source": "model"}))  # fmt: skip
        chosen = {k.catalogue_id for k in kept}
        kept += [i.model_copy(update={"source": "offline"}) for i in base.initiatives if i.catalogue_id not in chosen]
        kept = [k.model_copy(update={"priority": n}) for n, k in enumerate(kept, 1)]
        served = {o for k in kept for o in k.supports}
        gaps = [g for g in base.objectives_without_initiative if g.id not in served]
        listed = {g.id for g in gaps}
        gaps += [
            {"id": o.id, "text": o.text, "candidates": []}  # type: ignore[misc]
            for o in objectives.values()
            if o.id not in served and o.id not in listed
        ]
        rewrites = [
            {"objective": r["objective"], "rewrite": str(r["rewrite"])[:1000], "source": "model"}
            for r in answer.get("smart_rewrites") or []
            if isinstance(r, dict)
            and r.get("objective") in objectives
            and objectives[r["objective"]].smart.failing
            and str(r.get("rewrite") or "").strip()
        ]
        order = {k.catalogue_id: k.priority for k in kept}
        data = base.model_dump(mode="json")
        data["initiatives"] = [k.model_dump(mode="json") for k in kept]
        data["action_plan"] = sorted(data["action_plan"], key=lambda a: order[a["initiative"]])
        data["objectives_without_initiative"] = [g if isinstance(g, dict) else g.model_dump(mode="json") for g in gaps]
        data["smart_suggestions"] = rewrites
        from_model = sum(1 for k in kept if k.source == "model")
        data["engine"] = "llm" if from_model == len(kept) else ("llm+offline" if from_model else "offline")
        data["model"] = self.model_name
        data["llm_calls"] = self.calls
        data["prompt_tokens"] = self.prompt_tokens
        data["completion_tokens"] = self.completion_tokens
        return data
