"""The LLM plan engine's checks: a model's draft becomes :class:`~.types.Choice` records, or problems.

Every rule the offline planner follows is checked here or in the stages the choices then go
through (core systems, prerequisites, plan size, schedule, deadlines): ids must be this request's
candidates, pains and objectives; a start must fall between today and the horizon; a budget must
lie in the catalogue's range for the company's size band; adapted activities must be one per
catalogue activity, in the plan's language; a prerequisite comes before what needs it. A problem
is described for the model (``prompts/plan-problems.yaml``) and the faulty part is left out, so
that what remains is usable even when the model never repairs it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from ..errors import KnowledgeError
from ..files import load_model
from ..text import guess_language
from ..vocabulary import Language
from .llm_request import HORIZONS, PlanRequest
from .schedule import DAYS_PER_MONTH
from .types import Choice

_QUOTED = re.compile(r"«[^»]*»|\"[^\"]*\"|“[^”]*”")  # the owner's words quoted in a rationale (any language)
_RATIONALE_CHARS = 1500
_NAME_CHARS = 200
_ROLE_CHARS = 80
_TOLERANCE = 0.01  # a budget rounded by the model may pass the range's bounds by 1 %


class ProblemTexts(BaseModel):
    """prompts/plan-problems.yaml."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int
    problems: dict[str, str]
    notes: dict[str, str]
    languages: dict[Language, str]  # the plan's language as the problems name it

    def problem(self, key: str, **values: object) -> str:
        return self.problems[key].format(**values)

    def note(self, key: str, **values: object) -> str:
        return self.notes[key].format(**values)


def load_problem_texts(path: Path) -> ProblemTexts:
    texts = load_model(path, ProblemTexts, KnowledgeError)
    needed = {"no_json", "cut", "empty", "not_candidate", "repeated", "unknown_pains", "unknown_objectives",
              "pointless", "language", "start_format", "start_past", "start_late", "budget", "activities_count",
              "activities_language", "prerequisite"}  # fmt: skip
    missing = sorted(needed - set(texts.problems)) + sorted(
        {"folded", "deferred", "unaligned", "owned", "filled", "unfixed"} - set(texts.notes)
    )
    if missing:
        raise KnowledgeError(f"{path}: missing texts {', '.join(missing)}")
    return texts


@dataclass
class Checked:
    """What a draft amounts to: the usable choices in the model's order, and what was wrong."""

    choices: list[Choice] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    rewrites: list[dict[str, str]] = field(default_factory=list)


def check(request: PlanRequest, answer: dict[str, Any], texts: ProblemTexts) -> Checked:
    """The draft's usable choices (faulty parts left out) and the problems to feed back."""
    checked = Checked()
    if "error" in answer:
        checked.problems.append(texts.problem("no_json", error=answer["error"]))
        return checked
    if answer.get("cut"):
        checked.problems.append(texts.problem("cut"))
        return checked
    given = answer.get("initiatives")
    items: list[Any] = given if isinstance(given, list) else []
    seen: set[str] = set()
    for n, item in enumerate(items):
        choice = _choice(request, n, item if isinstance(item, dict) else {}, seen, texts, checked.problems)
        if choice is not None:
            seen.add(choice.entry_id)
            checked.choices.append(choice)
    if not checked.choices and not checked.problems:
        checked.problems.append(texts.problem("empty"))
    checked.choices = _prerequisites_first(request, checked.choices, texts, checked.problems)
    checked.rewrites = _rewrites(request, answer.get("smart_rewrites"))
    return checked


def _choice(
    request: PlanRequest, n: int, item: dict[str, Any], seen: set[str], texts: ProblemTexts, problems: list[str]
) -> Choice | None:
    entry_id = item.get("catalogue_id")
    if not isinstance(entry_id, str) or entry_id not in request.pool:
        problems.append(texts.problem("not_candidate", n=n, id=repr(entry_id)))
        return None
    if entry_id in seen:
        problems.append(texts.problem("repeated", n=n, id=entry_id))
        return None
    pains = _ids(item.get("addresses"), request.pains, n, "unknown_pains", texts, problems)
    supports = _ids(item.get("supports"), request.objectives, n, "unknown_objectives", texts, problems)
    if not pains and not supports:
        problems.append(texts.problem("pointless", n=n, id=entry_id))
        return None
    language = request.language
    rationale = str(item.get("rationale") or "").strip()[:_RATIONALE_CHARS] or None
    if rationale and guess_language(_QUOTED.sub(" ", rationale)) not in (language, None):
        problems.append(texts.problem("language", n=n, language=texts.languages[language]))
        rationale = None
    return Choice(
        entry_id=entry_id,
        pains=tuple(pains),
        supports=tuple(supports),
        rationale=rationale,
        not_before=_start(request, n, item.get("start"), texts, problems) or _horizon_start(request, item),
        budget=_budget(request, n, entry_id, item.get("budget_cad"), texts, problems),
        activities=_activities(request, n, entry_id, item.get("activities"), texts, problems),
    )


def _ids(
    given: Any, known: list[str], n: int, key: str, texts: ProblemTexts, problems: list[str]
) -> list[str]:  # fmt: skip
    values = [str(v) for v in given] if isinstance(given, list) else []
    unknown = [v for v in values if v not in known]
    if unknown:
        problems.append(texts.problem(key, n=n, ids=", ".join(unknown)))
    return list(dict.fromkeys(v for v in values if v in known))


def _start(request: PlanRequest, n: int, given: Any, texts: ProblemTexts, problems: list[str]) -> date | None:
    if given in (None, ""):
        return None
    try:
        start = date.fromisoformat(str(given))
    except ValueError:
        problems.append(texts.problem("start_format", n=n, start=repr(given)[:40]))
        return None
    if start < request.today:
        problems.append(texts.problem("start_past", n=n, start=start, today=request.today))
        return None
    if start > request.horizon_end:
        problems.append(texts.problem("start_late", n=n, start=start, end=request.horizon_end))
        return None
    return start


def _horizon_start(request: PlanRequest, item: dict[str, Any]) -> date | None:
    """A horizon after the first ("6-18") means: not before its first month, within the plan's horizon."""
    label = item.get("horizon")
    if label not in HORIZONS or label == HORIZONS[0]:
        return None
    months = int(str(label).split("-")[0])
    start = request.today + timedelta(days=math.ceil(months * DAYS_PER_MONTH))  # as the schedule counts months
    return start if start <= request.horizon_end else None


def _budget(
    request: PlanRequest, n: int, entry_id: str, given: Any, texts: ProblemTexts, problems: list[str]
) -> tuple[float, float] | None:
    if not isinstance(given, dict):
        return None
    allowed = request.pool[entry_id].budget_cad.for_band(request.band)
    try:
        low, high = float(given["min"]), float(given["max"])
    except (KeyError, TypeError, ValueError):
        low, high = -1.0, -1.0
    inside = allowed.min * (1 - _TOLERANCE) <= low <= high <= allowed.max * (1 + _TOLERANCE)
    if not inside:  # NaN and infinities fail the comparisons too
        problems.append(
            texts.problem("budget", n=n, low=given.get("min"), high=given.get("max"), min=round(allowed.min),
                          max=round(allowed.max))
        )  # fmt: skip
        return None
    return (max(low, allowed.min), min(high, allowed.max))


def _activities(
    request: PlanRequest, n: int, entry_id: str, given: Any, texts: ProblemTexts, problems: list[str]
) -> tuple[tuple[str, str | None], ...] | None:
    if not isinstance(given, list) or not given:
        return None
    count = len(request.pool[entry_id].activities)
    names = [str(a.get("name") or "").strip() if isinstance(a, dict) else "" for a in given]
    if len(given) != count or not all(names):
        problems.append(texts.problem("activities_count", n=n, count=count))
        return None
    if guess_language(" ".join(names)) not in (request.language, None):
        problems.append(texts.problem("activities_language", n=n, language=texts.languages[request.language]))
        return None
    roles = [str(a.get("responsible") or "").strip()[:_ROLE_CHARS] or None for a in given]
    return tuple((name[:_NAME_CHARS], role) for name, role in zip(names, roles, strict=True))


def _prerequisites_first(
    request: PlanRequest, choices: list[Choice], texts: ProblemTexts, problems: list[str]
) -> list[Choice]:
    """A chosen prerequisite placed (or started) after what needs it is moved before it: a guard the
    model is told about, and the plan keeps whatever the model answers."""
    ordered = list(choices)
    for dependent in choices:
        for prerequisite in request.pool[dependent.entry_id].prerequisites:
            before = next((c for c in ordered if c.entry_id == prerequisite), None)
            if before is None:
                continue
            late = ordered.index(before) > ordered.index(dependent)
            sooner = bool(dependent.not_before and before.not_before and dependent.not_before < before.not_before)
            if late or sooner:
                problems.append(texts.problem("prerequisite", dependent=dependent.entry_id, prerequisite=prerequisite))
            if late:
                ordered.remove(before)
                ordered.insert(ordered.index(dependent), before)
    return ordered


def _rewrites(request: PlanRequest, given: Any) -> list[dict[str, str]]:
    """SMART rewrites of failing objectives only, non-empty: suggestions for the reviewer."""
    rewritable = set(request.rewritable)
    kept: list[dict[str, str]] = []
    for item in given if isinstance(given, list) else []:
        if not isinstance(item, dict) or item.get("objective") not in rewritable:
            continue
        text = str(item.get("rewrite") or "").strip()
        if text and all(k["objective"] != item["objective"] for k in kept):
            kept.append({"objective": str(item["objective"]), "rewrite": text[:1000], "source": "model"})
    return kept
