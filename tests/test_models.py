"""Business rules of the plan-and-action model: each one shown rejecting bad data."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from pydantic import ValidationError

from plannum_assistant.assistant import Assistant
from plannum_assistant.catalogue import Catalogue
from plannum_assistant.models import DigitalPlan, MaturityAssessment, PainPoint, validate_plan
from plannum_assistant.vocabulary import Dimension


@pytest.fixture(scope="module")
def catalogue(settings: Any) -> Catalogue:
    return Assistant(settings).catalogue


def _activity(name: str, start: str, target: str, low: float = 1000, high: float = 5000) -> dict[str, Any]:
    return {
        "name": name,
        "responsible": "Contrôleur",
        "budget_cad": {"min": low, "max": high},
        "start": start,
        "target_date": target,
    }


def _initiative(entry_id: str, priority: int, start: str, **overrides: Any) -> dict[str, Any]:
    initiative = {
        "catalogue_id": entry_id,
        "title": entry_id,
        "addresses": ["P1"],
        "supports": ["SO1"],
        "priority": priority,
        "horizon": "0-6",
        "start": start,
        "rationale": "Répond à P1",
        "evidence": ["on perd le fil des soumissions"],
    }
    initiative.update(overrides)
    return initiative


@pytest.fixture()
def plan() -> dict[str, Any]:
    """A small but complete, valid plan: needs study, then ERP, plus a CRM."""
    return {
        "language": "fr",
        "company": {"name": "Ébénisterie Gagnon", "sector": "Fabrication", "employees": 42, "region": "Estrie"},
        "strategic_plan": {
            "adopted": "2025-03-01",
            "mission": "Fabriquer des armoires sur mesure",
            "strategic_orientations": ["Croître hors Québec"],
            "strategic_objectives": [{"id": "SO1", "text": "Augmenter les ventes de 20 % d'ici 2028"}],
            "operational_orientations": ["Fiabiliser les délais"],
            "operational_objectives": [{"id": "OO1", "text": "Livrer 95 % à temps d'ici 2027"}],
        },
        "maturity": {"scores": {"customer_sales": 1, "data_integration": 2}},
        "pain_points": [
            {"id": "P1", "text": "On perd le fil des soumissions", "function": "sales_marketing", "severity": 3},
            {"id": "P2", "text": "Trois logiciels qui ne se parlent pas", "function": "finance_admin"},
        ],
        "initiatives": [
            _initiative("erp-needs-study", 1, "2027-01-04", addresses=["P2"]),
            _initiative("erp", 2, "2027-04-05", addresses=["P2"], supports=["SO1", "OO1"]),
            _initiative("crm", 3, "2027-01-04"),
        ],
        "action_plan": [
            {"initiative": "erp-needs-study", "activities": [_activity("Cartographier", "2027-01-04", "2027-02-01")]},
            {"initiative": "erp", "activities": [_activity("Choisir", "2027-04-05", "2027-06-01", 20000, 60000)]},
            {"initiative": "crm", "activities": [_activity("Configurer", "2027-01-04", "2027-03-01")]},
        ],
        "follow_up": {"owner": None, "cadence": "monthly"},
        "review": {"status": "draft"},
    }


def _rejects(plan: dict[str, Any], catalogue: Catalogue, fragment: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_plan(plan, catalogue)
    assert fragment in str(caught.value)


def test_valid_plan_passes_and_round_trips(plan: dict[str, Any], catalogue: Catalogue) -> None:
    validated = validate_plan(plan, catalogue)
    assert [i.catalogue_id for i in validated.initiatives] == ["erp-needs-study", "erp", "crm"]
    assert validated.strategic_plan is not None
    assert validated.strategic_plan.strategic_objectives[0].smart.measurable
    assert validate_plan(validated, catalogue) == validated  # re-validating a plan changes nothing


def test_validation_needs_the_catalogue(plan: dict[str, Any]) -> None:
    with pytest.raises(ValidationError, match="validate_plan"):
        DigitalPlan.model_validate(plan)


def test_unknown_fields_are_rejected(plan: dict[str, Any], catalogue: Catalogue) -> None:
    plan["initiatives"][0]["cost"] = 12
    _rejects(plan, catalogue, "Extra inputs are not permitted")


def test_initiative_must_come_from_the_catalogue(plan: dict[str, Any], catalogue: Catalogue) -> None:
    plan["initiatives"].append(_initiative("blockchain-metaverse", 4, "2027-01-04"))
    _rejects(plan, catalogue, "unknown catalogue id 'blockchain-metaverse'")


def test_initiative_must_address_a_pain_point_of_this_plan(plan: dict[str, Any], catalogue: Catalogue) -> None:
    no_pain = copy.deepcopy(plan)
    no_pain["initiatives"][2]["addresses"] = []
    _rejects(no_pain, catalogue, "initiatives.2 (crm).addresses: must address at least one pain point")
    plan["initiatives"][2]["addresses"] = ["P9"]
    _rejects(plan, catalogue, "initiatives.2 (crm).addresses: unknown pain point(s) P9")


def test_initiative_supports_only_objectives_of_this_plan(plan: dict[str, Any], catalogue: Catalogue) -> None:
    unsupported = copy.deepcopy(plan)
    unsupported["initiatives"][2]["supports"] = []  # allowed: it answers a pain no stated objective covers
    assert validate_plan(unsupported, catalogue).initiatives[2].supports == []
    plan["initiatives"][2]["supports"] = ["SO7"]
    _rejects(plan, catalogue, "initiatives.2 (crm).supports: unknown objective(s) SO7")


def test_no_initiatives_without_a_strategic_plan(plan: dict[str, Any], catalogue: Catalogue) -> None:
    plan["strategic_plan"] = None
    _rejects(copy.deepcopy(plan), catalogue, "(erp-needs-study).supports: unknown objective(s) SO1")
    for initiative in plan["initiatives"]:
        initiative["supports"] = []  # even with no objective to point at
    _rejects(plan, catalogue, "no plan numérique without a strategic plan")


def test_initiative_cannot_start_before_its_prerequisite(plan: dict[str, Any], catalogue: Catalogue) -> None:
    assert "erp-needs-study" in catalogue["erp"].prerequisites  # the rule below relies on this curated fact
    plan["initiatives"][1]["start"] = "2026-12-01"
    _rejects(plan, catalogue, "erp starts 2026-12-01, before erp-needs-study (2027-01-04)")


def test_missing_prerequisite_is_rejected_unless_already_in_place(plan: dict[str, Any], catalogue: Catalogue) -> None:
    del plan["initiatives"][0]
    del plan["action_plan"][0]
    _rejects(copy.deepcopy(plan), catalogue, "depends on erp-needs-study, which is neither planned nor in place")
    plan["in_place"] = ["erp-needs-study"]
    for rank, initiative in enumerate(plan["initiatives"], 1):
        initiative["priority"] = rank
    assert validate_plan(plan, catalogue).initiatives[0].catalogue_id == "erp"


def test_priorities_run_from_one_without_gaps(plan: dict[str, Any], catalogue: Catalogue) -> None:
    plan["initiatives"][1]["priority"] = plan["initiatives"][0]["priority"]
    _rejects(plan, catalogue, "priorities must be 1 to 3, each once")


def test_every_initiative_has_exactly_one_action_plan(plan: dict[str, Any], catalogue: Catalogue) -> None:
    doubled = copy.deepcopy(plan)
    doubled["action_plan"].append(copy.deepcopy(doubled["action_plan"][0]))
    _rejects(doubled, catalogue, "has two action-plan entries")
    missing = copy.deepcopy(plan)
    del missing["action_plan"][2]
    _rejects(missing, catalogue, "action_plan: no activities for")
    early = copy.deepcopy(plan)
    activity = early["action_plan"][0]["activities"][0]
    activity["start"] = "2020-01-01"
    _rejects(early, catalogue, "is before its initiative starts")


def test_activity_needs_a_responsible(plan: dict[str, Any], catalogue: Catalogue) -> None:
    plan["action_plan"][0]["activities"][0]["responsible"] = "   "
    _rejects(plan, catalogue, "responsible")


def test_activity_budget_must_be_ordered_and_non_negative(plan: dict[str, Any], catalogue: Catalogue) -> None:
    inverted = copy.deepcopy(plan)
    inverted["action_plan"][0]["activities"][0]["budget_cad"] = {"min": 9000, "max": 1000}
    _rejects(inverted, catalogue, "budget min (9000) exceeds max (1000)")
    plan["action_plan"][0]["activities"][0]["budget_cad"] = {"min": -5, "max": 1000}
    _rejects(plan, catalogue, "greater than or equal to 0")


def test_activity_target_date_must_follow_its_start(plan: dict[str, Any], catalogue: Catalogue) -> None:
    plan["action_plan"][0]["activities"][0]["target_date"] = "2027-01-04"
    _rejects(plan, catalogue, "target_date 2027-01-04 must be after start 2027-01-04")


def test_action_plan_only_for_planned_initiatives(plan: dict[str, Any], catalogue: Catalogue) -> None:
    plan["action_plan"].append({"initiative": "wms", "activities": [_activity("X", "2027-01-04", "2027-02-01")]})
    _rejects(plan, catalogue, "action_plan.3.initiative: wms is not an initiative of this plan")


def test_plan_cannot_leave_draft_without_a_follow_up_owner(plan: dict[str, Any], catalogue: Catalogue) -> None:
    plan["review"] = {"status": "approved", "reviewer": "Marie Tremblay", "decided_on": "2027-01-10"}
    _rejects(copy.deepcopy(plan), catalogue, "follow_up.owner")
    plan["follow_up"]["owner"] = "Luc Gagnon, directeur général"
    assert validate_plan(plan, catalogue).review.status.value == "approved"


def test_approval_must_be_signed(plan: dict[str, Any], catalogue: Catalogue) -> None:
    plan["follow_up"]["owner"] = "Luc Gagnon"
    plan["review"] = {"status": "approved"}
    _rejects(plan, catalogue, "needs a reviewer and a decision date")


def test_pain_point_and_maturity_constraints() -> None:
    with pytest.raises(ValidationError):
        PainPoint(id="P1", text="x", function="astrology")
    with pytest.raises(ValidationError):
        MaturityAssessment(scores={Dimension.GREEN: 6})
    assert MaturityAssessment(scores={Dimension.GREEN: 1}).gap(Dimension.GREEN) == 4
