"""The LLM plan engine: the model chooses, orders, links, explains and adapts; the offline stages dispose.

One drafting call per plan in the normal path. The model gets the intake (pains and objectives
with their ids, the owner's words delimited as data) and the request's candidates with their
catalogue facts (:mod:`.llm_request`), and answers in a schema built for the request. Its draft is
checked (:mod:`.llm_checks`); problems are fed back in the same conversation (instructor-style: the
error text, not the same prompt again) for at most ``max_repairs`` repairs; whatever is still
wrong is left out and recorded in the plan's ``model_notes``. The usable choices then go through
the offline planner's own stages — core systems fold the tools they cover, prerequisites are
added, the plan-size cap, the schedule and the deadline rules apply, activities and budgets come
from the catalogue (adapted where the model's adaptation passed the checks) — and a pain point no
kept choice answers gets the offline planner's answer (``source: offline``). The loop above
(:func:`~.engine.draft_plan`) validates the result with the plan contract, feeds an error back,
and falls back to the offline planner when the model cannot be reached.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from ..catalogue import Catalogue
from ..deadline import DeadlineExceeded, within
from ..errors import EngineUnavailableError
from ..intake import Intake
from ..prompting import load_prompt_files
from ..providers import cut_text, raw_text
from ..report import PlanReport, validate_report
from ..vocabulary import Language, SizeBand
from .llm_checks import Checked, ProblemTexts, check, load_problem_texts
from .llm_request import PlanPrompt, PlanRequest, candidate_pool, render, response_schema
from .offline import OfflinePlanner
from .schedule import add_months
from .types import Choice

POOL = {"per_pain": 3, "per_objective": 2, "limit": 12}  # candidates shown: small models have small contexts


def load_plan_prompts(directory: Path) -> tuple[dict[Language, PlanPrompt], ProblemTexts]:
    """The drafting prompts (FR, EN) and the problem texts fed back to the model."""
    return load_prompt_files(directory, "plan", PlanPrompt), load_problem_texts(directory / "plan-problems.yaml")


class LLMPlanEngine:
    """A :class:`~.engine.PlanEngine` over a chat model, on top of the offline planner's stages."""

    name = "llm"
    repairable = True

    def __init__(
        self,
        offline: OfflinePlanner,
        model: Any,
        prompts: dict[Language, PlanPrompt],
        catalogue: Catalogue,
        *,
        model_name: str,
        method: str = "json_schema",
        max_repairs: int = 2,
        problems: ProblemTexts,
        timeout: float | None = None,
    ) -> None:
        self.offline, self.model, self.prompts, self.catalogue = offline, model, prompts, catalogue
        self.model_name, self.method, self.max_repairs, self.timeout = model_name, method, max_repairs, timeout
        self.texts = problems
        self.calls = 0
        self.prompt_tokens: int | None = None
        self.completion_tokens: int | None = None

    def draft(self, intake: Intake, today: date, feedback: Sequence[str] = ()) -> dict[str, Any]:
        base = validate_report(self.offline.draft(intake, today), self.catalogue)
        if not base.gate.ready or not base.pain_points:
            return base.model_dump(mode="json")  # nothing to choose: the offline answer as is
        request, found = self._request(intake, today, base)
        schema = response_schema(request)
        prompt = self.prompts[request.language]
        messages = render(prompt, request, found, schema)
        if feedback:  # the plan contract refused an earlier draft (the loop above)
            messages.append(_human(prompt.repair_message(list(feedback))))
        started = time.monotonic()
        deadline = started + self.timeout if self.timeout is not None else None  # the whole draft, repairs included
        checked = Checked()
        for attempt in range(1 + self.max_repairs):
            asked = time.monotonic()
            raw, answer = self._ask(messages, schema, deadline)
            checked = check(request, answer, self.texts)
            now = time.monotonic()
            # A repair as slow as this call would end past the deadline and lose the whole draft:
            # keep what this one gave (the offline plan fills the rest) instead.
            out_of_time = deadline is not None and now + (now - asked) >= deadline
            if not checked.problems or attempt == self.max_repairs or out_of_time:
                break
            messages += [_ai(raw or "(no output)"), _human(prompt.repair_message(checked.problems))]
        choices, filled = _filled(base, checked.choices)
        data = self.offline.draft(intake, today, choices=choices)
        return self._finish(data, checked, choices, filled)

    # --- the request and the call ---------------------------------------------------------------

    def _request(self, intake: Intake, today: date, base: PlanReport) -> tuple[PlanRequest, dict[str, Any]]:
        objectives = [o.text for o in base.strategic_plan.objectives] if base.strategic_plan else []
        found = self.offline.hits(intake, objectives)
        pool = candidate_pool(self.catalogue, base, found, objectives, **POOL)
        config = self.offline.ctx.config
        months = intake.constraints.horizon_months or config.default_horizon_months
        months = min(months, config.horizons[-1].until_months)
        request = PlanRequest(
            intake=intake,
            base=base,
            today=today,
            band=SizeBand.for_employees(intake.company.employees),
            horizon_end=add_months(today, months) - timedelta(days=1),
            pool=pool,
        )
        return request, found

    def _ask(self, messages: list[Any], schema: dict[str, Any], deadline: float | None) -> tuple[str, dict[str, Any]]:
        """One call within what is left of the deadline: the raw text (for the repair turn) and the
        parsed draft, ``{"error": ...}`` (no JSON) or ``{"cut": True}`` (the reply reached the length
        limit: the model is asked for a shorter one). A trickling server cannot hold it past the deadline."""
        import openai

        structured = self.model.with_structured_output(schema, method=self.method, include_raw=True)
        left = deadline - time.monotonic() if deadline is not None else None
        if left is not None and left <= 0:
            raise EngineUnavailableError("timeout")
        self.calls += 1
        try:
            result = (
                within(left, lambda: structured.invoke(messages)) if left is not None else structured.invoke(messages)
            )
        except (DeadlineExceeded, openai.APITimeoutError):
            raise EngineUnavailableError("timeout") from None
        except openai.LengthFinishReasonError as exc:  # cut at max_tokens: a draft to repair (shorter)
            spent = exc.completion.usage  # the refused completion's tokens count too
            if spent is not None:
                self._tokens(int(spent.prompt_tokens or 0), int(spent.completion_tokens or 0))
            return cut_text(exc), {"cut": True}
        except openai.APIStatusError as exc:
            raise EngineUnavailableError(f"HTTP {exc.status_code}") from None
        except openai.APIConnectionError:
            raise EngineUnavailableError("connection failed") from None
        except Exception as exc:  # a reply the client cannot read (HTML with HTTP 200, no choices...)
            raise EngineUnavailableError(f"unreadable reply ({type(exc).__name__})") from None
        if not isinstance(result, dict):
            raise EngineUnavailableError("unreadable reply")
        raw_message = result.get("raw")
        usage = getattr(raw_message, "usage_metadata", None) or {}
        if usage:
            self._tokens(int(usage.get("input_tokens", 0)), int(usage.get("output_tokens", 0)))
        raw = raw_text(raw_message)
        parsed = result.get("parsed")
        if not isinstance(parsed, dict):
            error = str(result.get("parsing_error") or "no JSON").splitlines()[0][:200]
            return raw, {"error": error}
        return raw, parsed

    def _tokens(self, prompt: int, completion: int) -> None:
        self.prompt_tokens = (self.prompt_tokens or 0) + prompt
        self.completion_tokens = (self.completion_tokens or 0) + completion

    # --- the plan ---------------------------------------------------------------------------------

    def _finish(
        self, data: dict[str, Any], checked: Checked, choices: list[Choice], filled: dict[str, list[str]]
    ) -> dict[str, Any]:
        texts = self.texts
        report = validate_report(data, self.catalogue)
        planned = {i.catalogue_id for i in report.initiatives}
        notes = [texts.note("unfixed", problem=p) for p in checked.problems]
        activated = {u.catalogue_id for u in report.use_what_you_own}  # a filled module: its own note says it
        notes += [
            self._guard_note(report, c.entry_id)
            for c in choices
            if c.entry_id not in planned and not (c.entry_id in filled and c.entry_id in activated)
        ]
        notes += [texts.note("filled", id=entry_id, pains=", ".join(pains)) for entry_id, pains in filled.items()]
        from_model = sum(1 for i in report.initiatives if i.source == "model")
        total = len(report.initiatives)
        engine = "llm" if total and from_model == total else ("llm+offline" if from_model else "offline")
        out = report.model_dump(mode="json")
        out.update(
            engine=engine,
            model=self.model_name,
            llm_calls=self.calls,
            prompt_tokens=self.prompt_tokens,
            completion_tokens=self.completion_tokens,
            smart_suggestions=checked.rewrites,
            model_notes=notes[:50],
        )
        return out

    def _guard_note(self, report: PlanReport, entry_id: str) -> str:
        """Why a model choice is not among the plan's initiatives: a guard of the offline stages."""
        texts = self.texts
        for initiative in report.initiatives:
            if entry_id in self.catalogue[initiative.catalogue_id].covers:
                return texts.note("folded", id=entry_id, system=initiative.catalogue_id)
        for item in report.deferred:
            if item.catalogue_id == entry_id:
                return texts.note("deferred", id=entry_id, reason=item.reason)
        for item in report.unaligned:
            if item.catalogue_id == entry_id:
                return texts.note("unaligned", id=entry_id, reason=item.reason)
        return texts.note("owned", id=entry_id)


def _filled(base: PlanReport, choices: list[Choice]) -> tuple[list[Choice], dict[str, list[str]]]:
    """The model's choices, then the offline plan's answers to the pains none of them answers: its
    initiatives, and the modules of a running system it tells the owner to activate."""
    answered = {p for c in choices for p in c.pains}
    chosen = {c.entry_id for c in choices}
    filled: list[Choice] = []
    opened: dict[str, list[str]] = {}  # each filled entry: the pains it was brought back for
    offline = [(i.catalogue_id, i.addresses, i.supports) for i in base.initiatives]
    offline += [(u.catalogue_id, u.addresses, u.supports) for u in base.use_what_you_own]
    for entry_id, addresses, supports in offline:
        left_open = [p for p in addresses if p not in answered]
        if entry_id in chosen or not left_open:
            continue
        filled.append(Choice(entry_id, tuple(addresses), tuple(supports), by_model=False))
        opened[entry_id] = left_open
        answered |= set(addresses)
    return [*choices, *filled], opened


def _human(text: str) -> Any:
    from langchain_core.messages import HumanMessage

    return HumanMessage(text)


def _ai(text: str) -> Any:
    from langchain_core.messages import AIMessage

    return AIMessage(text)
