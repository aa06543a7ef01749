"""The loop above every plan engine: validate, feed the error back, repair a bounded number of times, fall back."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from datetime import date
from typing import Any

import pytest

from plannum_assistant.catalogue import Catalogue, load_catalogue
from plannum_assistant.errors import EngineUnavailableError, PlanInvalidError
from plannum_assistant.intake import Intake
from plannum_assistant.knowledge import load_planner_config, load_wording
from plannum_assistant.lexicon import load_measures, load_sectors
from plannum_assistant.planning import OfflinePlanner, PlanContext, draft_plan
from plannum_assistant.planning.types import PlanKnowledge
from plannum_assistant.testing import FakeRetriever, hit

from .conftest import KNOWLEDGE, small_intake

TODAY = date(2026, 11, 26)
PAIN = small_intake().pain_points[0]
SALES = "Grow sales to contractors by 20% by December 2027"


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue(KNOWLEDGE / "catalogue")


@pytest.fixture(scope="module")
def offline(catalogue: Catalogue) -> OfflinePlanner:
    context = PlanContext(
        catalogue,
        FakeRetriever({PAIN: [hit("crm", 1.0)], SALES: [hit("crm", 1.0)]}),
        load_planner_config(KNOWLEDGE / "planner.yaml"),
        load_wording(KNOWLEDGE / "wording.yaml"),
        sectors=load_sectors(KNOWLEDGE / "sectors.yaml"),
        measures=load_measures(KNOWLEDGE / "measures.yaml"),
        knowledge=PlanKnowledge.load(KNOWLEDGE),
    )
    return OfflinePlanner(context)


@pytest.fixture(scope="module")
def intake() -> Intake:
    return small_intake()


class ScriptedEngine:
    """A stand-in for a model-backed engine: returns its drafts in order and records the feedback."""

    repairable = True

    def __init__(self, name: str, drafts: list[dict[str, Any] | Exception]) -> None:
        self.name = name
        self.drafts = drafts
        self.feedback: list[tuple[str, ...]] = []

    def draft(self, intake: Intake, today: date, feedback: Sequence[str] = ()) -> dict[str, Any]:
        self.feedback.append(tuple(feedback))
        answer = self.drafts[min(len(self.feedback), len(self.drafts)) - 1]
        if isinstance(answer, Exception):
            raise answer
        return copy.deepcopy(answer)


def _valid(offline: OfflinePlanner, intake: Intake, engine: str) -> dict[str, Any]:
    data = offline.draft(intake, TODAY)
    data["engine"] = engine
    return data


def _invented(data: dict[str, Any]) -> dict[str, Any]:
    broken = copy.deepcopy(data)
    first = broken["initiatives"][0].model_copy(update={"catalogue_id": "magic-wand"})
    broken["initiatives"] = [first, *broken["initiatives"][1:]]
    return broken


def test_a_valid_draft_is_kept_as_is(catalogue: Catalogue, offline: OfflinePlanner, intake: Intake) -> None:
    model = ScriptedEngine("llm", [_valid(offline, intake, "llm")])
    outcome = draft_plan([model, offline], intake, TODAY, catalogue, max_repairs=2)
    assert outcome.report.engine == "llm" and not outcome.fell_back
    assert [a.engine for a in outcome.attempts] == ["llm"] and model.feedback == [()]


@pytest.mark.parametrize("label", ["llm+offline", "offline"])
def test_a_model_draft_the_offline_planner_completed_is_not_a_fallback(
    catalogue: Catalogue, offline: OfflinePlanner, intake: Intake, label: str
) -> None:
    """The LLM engine labels a plan 'llm+offline' (or 'offline' when no model choice survived its
    checks): the model still drafted it, nothing fell back."""
    model = ScriptedEngine("llm", [_valid(offline, intake, label)])
    outcome = draft_plan([model, offline], intake, TODAY, catalogue, max_repairs=2)
    assert outcome.report.engine == label and not outcome.fell_back


def test_the_validation_error_is_fed_back_and_the_repair_is_kept(
    catalogue: Catalogue, offline: OfflinePlanner, intake: Intake
) -> None:
    good = _valid(offline, intake, "llm")
    model = ScriptedEngine("llm", [_invented(good), good])
    outcome = draft_plan([model, offline], intake, TODAY, catalogue, max_repairs=2)
    assert outcome.report.engine == "llm"
    assert model.feedback[0] == () and "unknown catalogue id 'magic-wand'" in model.feedback[1][0]
    assert [a.error is None for a in outcome.attempts] == [False, True]


def test_repairs_are_bounded_then_the_next_engine_drafts_and_says_so(
    catalogue: Catalogue, offline: OfflinePlanner, intake: Intake
) -> None:
    model = ScriptedEngine("llm", [_invented(_valid(offline, intake, "llm"))])
    told: list[str] = []
    outcome = draft_plan([model, offline], intake, TODAY, catalogue, max_repairs=2, notify=told.append)
    assert len(model.feedback) == 3  # the first draft and two repairs, no more
    assert outcome.report.engine == "offline" and outcome.fell_back
    assert len(told) == 1 and "llm engine gave no valid plan" in told[0] and "offline" in told[0]


def test_an_unreachable_engine_falls_back_at_once(
    catalogue: Catalogue, offline: OfflinePlanner, intake: Intake
) -> None:
    model = ScriptedEngine("llm", [EngineUnavailableError("connection refused")])
    outcome = draft_plan([model, offline], intake, TODAY, catalogue, max_repairs=2)
    assert len(model.feedback) == 1 and outcome.report.engine == "offline"
    assert outcome.attempts[0].error == "connection refused"


def test_an_invalid_plan_from_the_last_engine_is_an_error(
    catalogue: Catalogue, offline: OfflinePlanner, intake: Intake
) -> None:
    broken = ScriptedEngine("offline", [_invented(_valid(offline, intake, "offline"))])
    broken.repairable = False
    with pytest.raises(PlanInvalidError, match="magic-wand"):
        draft_plan([broken], intake, TODAY, catalogue, max_repairs=2)
    assert len(broken.feedback) == 1  # an engine that cannot repair is not asked again
