"""Plan engines and the loop above them: draft → validate → feed the error back → repair → fall back.

A :class:`PlanEngine` only *proposes* plan data. :func:`draft_plan` disposes:
every draft is validated with the plan contract (:func:`~plannum_assistant.report.validate_report`,
business rules included); an engine that can repair gets the validation error back, at most
``max_repairs`` times; an engine that still fails (or cannot be reached) yields to the next one,
loudly (the fallback is reported through ``notify``). The last engine is the offline planner,
which needs no repair: if *its* plan is invalid, that is a bug (:class:`PlanInvalidError`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from pydantic import ValidationError

from ..catalogue import Catalogue
from ..errors import EngineUnavailableError, PlanInvalidError
from ..files import first_error
from ..intake import Intake
from ..report import PlanReport, validate_report


class PlanEngine(Protocol):
    """Anything that drafts plan data for an intake (the offline planner; an LLM engine)."""

    name: str
    repairable: bool  # whether feeding a validation error back can change its next draft

    def draft(self, intake: Intake, today: date, feedback: Sequence[str] = ()) -> dict[str, Any]:
        """Plan data in the shape of :class:`PlanReport`. ``feedback``: errors of earlier drafts, oldest first.

        Raises :class:`EngineUnavailableError` when it cannot draft at all (server down, timeout).
        """
        ...


@dataclass
class Attempt:
    engine: str
    error: str | None = None  # None: this attempt's draft was valid


@dataclass
class PlanOutcome:
    report: PlanReport
    attempts: list[Attempt] = field(default_factory=list)

    @property
    def fell_back(self) -> bool:
        """Whether an engine other than the first drafted the plan (the first failed)."""
        return bool(self.attempts) and self.attempts[-1].engine != self.attempts[0].engine


def draft_plan(
    engines: Sequence[PlanEngine],
    intake: Intake,
    today: date,
    catalogue: Catalogue,
    *,
    max_repairs: int = 2,
    notify: Callable[[str], None] = lambda _: None,
) -> PlanOutcome:
    """The first valid draft, engine by engine (the last one should be the offline planner)."""
    if not engines:
        raise ValueError("draft_plan needs at least one engine")
    attempts: list[Attempt] = []
    for position, engine in enumerate(engines):
        feedback: list[str] = []
        for _ in range(1 + (max_repairs if engine.repairable else 0)):
            try:
                data = engine.draft(intake, today, tuple(feedback))
            except EngineUnavailableError as exc:
                attempts.append(Attempt(engine.name, str(exc)))
                break
            try:
                report = validate_report(data, catalogue)
            except ValidationError as exc:
                feedback.append(first_error(exc))
                attempts.append(Attempt(engine.name, feedback[-1]))
                continue
            attempts.append(Attempt(engine.name))
            return PlanOutcome(report, attempts)
        last = attempts[-1].error if attempts else "no draft"
        if position + 1 < len(engines):
            notify(f"{engine.name} engine gave no valid plan ({last}); continuing with {engines[position + 1].name}")
    raise PlanInvalidError(f"the {engines[-1].name} engine produced an invalid plan ({attempts[-1].error})")
