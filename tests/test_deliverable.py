"""The deliverable's content (issue 9): schedule against deadlines, quick wins, urgency, KPIs, risks,
change management, financing, maturity, re-assessment, currency and language — on hand-made
intakes, with a scripted retriever where the rule under test needs exact answers."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
import yaml

from plannum_assistant.assistant import Assistant
from plannum_assistant.catalogue import Catalogue, load_catalogue
from plannum_assistant.company_evals import load_companies
from plannum_assistant.evals import load_scenarios
from plannum_assistant.financing import load_financing
from plannum_assistant.intake import Intake
from plannum_assistant.knowledge import load_planner_config, load_wording
from plannum_assistant.lexicon import load_measures, load_sectors
from plannum_assistant.planning import OfflinePlanner, PlanContext, schedule
from plannum_assistant.planning.types import Candidate, Pain, PlanKnowledge
from plannum_assistant.regions import Place
from plannum_assistant.report import PlanReport, validate_report
from plannum_assistant.settings import repository_path
from plannum_assistant.testing import FakeRetriever, hit
from plannum_assistant.vocabulary import SizeBand

from .conftest import KNOWLEDGE, small_intake

TODAY = date(2026, 11, 26)
QUOTES = "Our quotes take a week to go out because everything is priced by hand in a spreadsheet"
CONTACTS = "Our sales reps keep customer contacts in their phones and forget to follow up"
SIGNATURES = "Customers have to print, sign and scan every contract before we can start the job"
RANSOM = "Last month ransomware encrypted the shared drive and we lost two days of work"


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue(KNOWLEDGE / "catalogue")


@pytest.fixture(scope="module")
def knowledge() -> PlanKnowledge:
    return PlanKnowledge.load(KNOWLEDGE)


def _planner(catalogue: Catalogue, knowledge: PlanKnowledge, answers: dict[str, list[str]]) -> OfflinePlanner:
    retriever = FakeRetriever(
        {text: [hit(i, 1.0 - 0.1 * n) for n, i in enumerate(ids)] for text, ids in answers.items()}
    )
    return OfflinePlanner(
        PlanContext(
            catalogue,
            retriever,
            load_planner_config(KNOWLEDGE / "planner.yaml"),
            load_wording(KNOWLEDGE / "wording.yaml"),
            sectors=load_sectors(KNOWLEDGE / "sectors.yaml"),
            measures=load_measures(KNOWLEDGE / "measures.yaml"),
            knowledge=knowledge,
        )
    )


def _plan(planner: OfflinePlanner, catalogue: Catalogue, intake: Intake) -> PlanReport:
    return validate_report(planner.draft(intake, TODAY), catalogue)


def _intake(pains: list[str], operational: list[str], employees: int = 30, **extra: Any) -> Intake:
    base = small_intake().model_dump(mode="json")
    base["company"]["employees"] = employees
    base["strategic_plan"]["operational_objectives"] = operational
    base["pain_points"] = pains
    base.update(extra)
    return Intake.model_validate(base)


# --- schedule ----------------------------------------------------------------------------------


def test_an_initiative_that_cannot_finish_by_its_objective_deadline_is_flagged(
    catalogue: Catalogue, knowledge: PlanKnowledge
) -> None:
    soon, late = "Send every quote within 24 hours by January 2027", "Send every quote within 24 hours by 2029"
    tight = _planner(catalogue, knowledge, {QUOTES: ["cpq-quoting"], soon: ["cpq-quoting"]})
    plan = _plan(tight, catalogue, _intake([QUOTES], [soon]))
    (cpq,) = plan.initiatives
    assert cpq.supports == ["OO1"] and cpq.due == date(2027, 1, 31)
    (conflict,) = plan.deadline_conflicts
    assert (conflict.catalogue_id, conflict.objective, conflict.due) == ("cpq-quoting", "OO1", date(2027, 1, 31))
    assert conflict.planned_end > conflict.due and conflict.note in plan.gate.warnings
    assert "OO1" in (cpq.priority_reason or "")
    relaxed = _planner(catalogue, knowledge, {QUOTES: ["cpq-quoting"], late: ["cpq-quoting"]})
    assert _plan(relaxed, catalogue, _intake([QUOTES], [late])).deadline_conflicts == []


def test_quick_wins_come_first_and_are_listed(catalogue: Catalogue, knowledge: PlanKnowledge) -> None:
    lost = CONTACTS + ", and we lost two customers to a competitor last year"  # severe, and CRM serves SO1
    sales = small_intake().strategic_plan.strategic_objectives[0]  # type: ignore[union-attr]
    planner = _planner(catalogue, knowledge, {lost: ["crm"], SIGNATURES: ["e-signature"], sales: ["crm"]})
    plan = _plan(planner, catalogue, _intake([lost, SIGNATURES], ["Cut machine breakdowns by 40% by 2028"], 6))
    crm = next(i for i in plan.initiatives if i.catalogue_id == "crm")
    assert crm.supports == ["SO1"] and "severe" in (crm.priority_reason or "")  # the more valuable one...
    assert plan.initiatives[0].catalogue_id == "e-signature"  # ... yet the quick win starts first
    assert plan.initiatives[0].quick_win and plan.initiatives[0].start == TODAY
    assert [q.catalogue_id for q in plan.quick_wins] == ["e-signature"]
    assert "quick win" in (plan.initiatives[0].priority_reason or "")
    # With a quick win, change management celebrates it; without one, it does not pretend to.
    assert any("quick win" in c.name for c in plan.change_management)
    without = _plan(
        _planner(catalogue, knowledge, {CONTACTS: ["crm"]}),
        catalogue,
        _intake([CONTACTS], ["Cut machine breakdowns by 40% by 2028"], 6),
    )
    assert not without.quick_wins and not any("quick win" in c.name for c in without.change_management)


def test_usually_after_is_honoured_when_both_are_planned(catalogue: Catalogue, knowledge: PlanKnowledge) -> None:
    planner = _planner(catalogue, knowledge, {QUOTES: ["cpq-quoting"], CONTACTS: ["crm"]})
    plan = _plan(planner, catalogue, _intake([QUOTES, CONTACTS], ["Cut machine breakdowns by 40% by 2028"], 60))
    ends = {a.initiative: a.activities[-1].target_date for a in plan.action_plan}
    starts = {i.catalogue_id: i.start for i in plan.initiatives}
    assert "crm" in catalogue["cpq-quoting"].usually_after
    assert starts["cpq-quoting"] >= ends["crm"]  # medium firm, three slots free: only the rule makes it wait


def test_a_security_exposure_raises_priority(catalogue: Catalogue, knowledge: PlanKnowledge) -> None:
    planner = _planner(catalogue, knowledge, {})
    ctx = planner.ctx
    intake = small_intake()
    pain_ransom = Pain(_point(ctx, "P1", RANSOM), [], [])
    lost = "We lost the contract with our biggest customer because nobody could find the file on the drive"
    pain_plain = Pain(_point(ctx, "P1", lost), [], [])
    assert pain_plain.point.severity == pain_ransom.point.severity  # equally severe: only the exposure differs
    exposed = Candidate(catalogue["cybersecurity-baseline"], pains=["P1"], best_for=1)
    plain = Candidate(catalogue["cybersecurity-baseline"], pains=["P1"], best_for=1)
    schedule.prioritise(ctx, [exposed], intake, [pain_ransom], SizeBand.SMALL)
    schedule.prioritise(ctx, [plain], intake, [pain_plain], SizeBand.SMALL)
    assert exposed.urgent == ["security"] and plain.urgent == []
    assert exposed.value > plain.value


def _point(ctx: PlanContext, pid: str, text: str) -> Any:
    from plannum_assistant.models import PainPoint
    from plannum_assistant.planning.severity import consequences, severity
    from plannum_assistant.vocabulary import BusinessFunction

    found = consequences(ctx.knowledge.severity, text)
    return PainPoint(
        id=pid,
        text=text,
        function=BusinessFunction.INFORMATION_TECHNOLOGY,
        severity=severity(found),
        consequences=found,
    )


# --- KPIs, risks, maturity, re-assessment ---------------------------------------------------------


def test_kpis_take_the_objectives_baseline_and_target_then_the_catalogue(
    catalogue: Catalogue, knowledge: PlanKnowledge
) -> None:
    objective = "Raise the share of quotes sent within 48 hours from 40% to 90% by 2028"
    planner = _planner(catalogue, knowledge, {QUOTES: ["cpq-quoting"], objective: ["cpq-quoting"]})
    (cpq,) = _plan(planner, catalogue, _intake([QUOTES], [objective])).initiatives
    first, *others = cpq.kpis
    assert (first.objective, first.baseline, first.target) == ("OO1", "40%", "90%")
    assert others and all(k.how_to_measure and k.objective is None for k in others)
    assert [k.name for k in others] == catalogue["cpq-quoting"].kpis.en[: len(others)]


def test_risks_come_from_the_intake_and_from_each_initiative(catalogue: Catalogue, knowledge: PlanKnowledge) -> None:
    failed = "We tried an ERP in 2022, the project failed and we went back to spreadsheets; quotes are done by hand"
    planner = _planner(catalogue, knowledge, {failed: ["cpq-quoting"]})
    plan = _plan(planner, catalogue, _intake([failed], ["Cut machine breakdowns by 40% by 2028"]))
    intake_risks = [r for r in plan.risks if r.source == "intake"]
    assert len(intake_risks) == 1 and "failed" in intake_risks[0].risk
    own = [r for r in plan.risks if r.catalogue_id == "cpq-quoting"]
    assert [r.risk for r in own] == [r.risk.en for r in catalogue["cpq-quoting"].risks[:2]]


@pytest.mark.parametrize(("region", "law"), [("Québec, Canada", "Loi 25"), ("Lyon, France", "RGPD")])
def test_health_data_risk_names_the_law_of_the_place(
    catalogue: Catalogue, knowledge: PlanKnowledge, region: str, law: str
) -> None:
    pain = "Les dossiers des patients sont sur papier et la réception cherche les formulaires de consentement"
    planner = _planner(catalogue, knowledge, {pain: ["practice-management"]})
    intake = _intake([pain], ["Cut machine breakdowns by 40% by 2028"], language="fr")
    intake = intake.model_copy(
        update={"company": intake.company.model_copy(update={"sector": "clinique de physiothérapie", "region": region})}
    )
    plan = _plan(planner, catalogue, intake)
    assert any(law in r.risk for r in plan.risks if r.source == "intake")


def test_maturity_profile_and_reassessment(catalogue: Catalogue, knowledge: PlanKnowledge) -> None:
    planner = _planner(catalogue, knowledge, {CONTACTS: ["crm"]})
    intake = _intake(
        [CONTACTS], ["Cut machine breakdowns by 40% by 2028"], maturity={"customer_sales": 1, "cybersecurity_it": 4}
    )
    plan = _plan(planner, catalogue, intake)
    assert plan.maturity is not None and plan.reassessment_date == date(2027, 11, 26)
    rated = {d.dimension: (d.score, d.gap) for d in plan.maturity.dimensions if d.score is not None}
    assert rated == {"customer_sales": (1, 4), "cybersecurity_it": (4, 1)}
    assert plan.maturity.gaps == ["Customer & sales"]
    dmat = {spec.dmat.value for spec in knowledge.dimensions.dimensions if spec.id.value in rated}
    assert set(plan.maturity.dmat) == dmat


def test_change_management_names_the_people_the_owner_gave(catalogue: Catalogue, knowledge: PlanKnowledge) -> None:
    planner = _planner(catalogue, knowledge, {CONTACTS: ["crm"]})
    team = [{"name": "Nadia Roy", "role": "owner and president"}]
    plan = _plan(planner, catalogue, _intake([CONTACTS], ["Cut machine breakdowns by 40% by 2028"], team=team))
    assert any(c.responsible == "Nadia Roy (owner and president)" for c in plan.change_management)


# --- financing, currency, locale ------------------------------------------------------------------


def test_a_closed_program_is_never_offered() -> None:
    financing = load_financing(KNOWLEDGE / "financing.yaml")
    quebec = Place("CA", "QC")
    boost = next(p for p in financing.programs if p.id == "cdap-boost")
    assert boost.valid_to == date(2024, 2, 19)
    assert boost in financing.offers(quebec, 30, date(2024, 2, 19))
    assert boost not in financing.offers(quebec, 30, date(2024, 2, 20))
    for place in (quebec, Place("CA", "ON"), Place("FR", "BRE"), Place("GB", "ENG")):
        for program in financing.offers(place, 30, TODAY):
            assert program.valid_to is None or program.valid_to >= TODAY


def test_a_french_company_gets_euros_its_locale_and_its_programs(assistant: Assistant) -> None:
    data = small_intake().model_dump(mode="json")
    data["language"] = "fr"
    data["company"].update(name="Atelier Rhône", sector="usinage de précision", region="Vénissieux, Rhône, France")
    data["pain_points"] = ["Nos devis prennent une semaine parce que tout est calculé à la main dans Excel"]
    data["constraints"]["budget"] = 40000
    plan = assistant.plan(Intake.model_validate(data), TODAY)
    assert plan.locale == "fr-FR" and plan.budget is not None and plan.budget.currency == "EUR"
    assert plan.budget.envelope == 40000 and "€" in plan.budget.note and "$" not in plan.budget.note
    assert plan.budget.conversion and "EUR" in plan.budget.conversion
    assert plan.financing and all(f.jurisdiction.startswith(("FR", "EU")) for f in plan.financing)


# --- language: no English in a French plan, no French in an English plan ---------------------------

_QUOTED = re.compile(r"«[^»]*»|\"[^\"]*\"|“[^”]*”")


def _generated_text(plan: PlanReport) -> list[str]:
    """What the planner wrote: the owner's own words it quotes are left out (catalogue phrases it
    quotes are kept), and so are names and sources."""
    owner = [p.text for p in plan.pain_points]
    owner += [o.text for o in plan.strategic_plan.objectives] if plan.strategic_plan else []

    def unquote(text: str) -> str:
        def keep(match: re.Match[str]) -> str:
            inner = match[0][1:-1].strip().rstrip("…").strip()
            return " " if any(inner in said for said in owner) else match[0]

        return _QUOTED.sub(keep, text)

    texts = [*plan.gate.warnings, *plan.unanswered, plan.plan_size_rationale or ""]
    texts += [i.rationale for i in plan.initiatives] + [i.priority_reason or "" for i in plan.initiatives]
    texts += [k.how_to_measure or "" for i in plan.initiatives for k in i.kpis if k.objective is None]
    texts += [k.name for i in plan.initiatives for k in i.kpis if k.objective is None]
    texts += [a.name for actions in plan.action_plan for a in actions.activities]
    texts += [f"{r.risk} {r.mitigation}" for r in plan.risks] + [c.name for c in plan.change_management]
    texts += [q.reason for q in plan.quick_wins] + [s.reason for s in [*plan.deferred, *plan.unaligned]]
    texts += [f"{f.eligible} {f.pays} {f.note}" for f in plan.financing]
    if plan.budget:
        texts += [plan.budget.note, *plan.budget.alternatives]
    return [unquote(t) for t in texts]


def test_every_scenario_plan_speaks_its_own_language(assistant: Assistant) -> None:
    """Over every scenario and blind company (French and English): no English in a French plan's own
    text, no French in an English one."""
    words = yaml.safe_load((KNOWLEDGE / "language_check.yaml").read_text(encoding="utf-8"))["other_language_words"]
    evals = repository_path("evals")
    intakes = [s.intake for s in load_scenarios(evals / "scenarios", assistant.catalogue).values()]
    intakes += [c.intake for c in load_companies(evals / "companies", assistant.catalogue).values()]
    assert {i.language.value for i in intakes} == {"fr", "en"} and len(intakes) >= 60
    leaks: list[str] = []
    for intake in intakes:
        plan = assistant.plan(intake, TODAY)
        foreign = {w.lower() for w in words["en" if plan.language.value == "fr" else "fr"]}
        for text in _generated_text(plan):
            found = {w for w in re.findall(r"[a-zà-ÿ']+", text.lower()) if w in foreign}
            if found:
                leaks.append(f"{plan.company.name}: {sorted(found)} in {text[:120]!r}")
    assert not leaks, "\n".join(leaks[:20])


def test_the_intake_locale_must_speak_the_intake_language() -> None:
    from pydantic import ValidationError

    data = small_intake().model_dump(mode="json")
    assert Intake.model_validate({**data, "locale": "en-GB"}).locale == "en-GB"
    with pytest.raises(ValidationError, match="does not match language"):
        Intake.model_validate({**data, "locale": "fr-FR"})
    with pytest.raises(ValidationError, match="budget"):
        Intake.model_validate({**data, "constraints": {"budget": 1000, "budget_cad": 1500}})


def test_review_fixes_an_unrecognised_region_is_warned_and_gets_no_program(assistant: Assistant) -> None:
    data = small_intake().model_dump(mode="json")
    data["company"]["region"] = "Casablanca, Maroc"
    plan = assistant.plan(Intake.model_validate(data), TODAY)
    assert any("not recognised" in w for w in plan.gate.warnings) and plan.financing == []
    data["company"]["region"] = None
    data["locale"] = "en-GB"
    data["language"] = "en"
    british = assistant.plan(Intake.model_validate(data), TODAY)
    assert british.budget is not None and british.budget.currency == "GBP"  # the locale's country


@pytest.mark.parametrize(
    "statement",
    [
        "We ship our products in wooden crates that we label by hand",
        "We make crafts and the website is hard to update",
        "Saisir les feuilles de temps nous coûte une journée par semaine",
        "La norme chez nous c'est de tout faire sur papier",
        "Les clients abandonnent leur panier sur notre site web",
        "Nobody knows how much stock is left in the back room",
    ],
)
def test_review_fixes_one_word_never_makes_an_exposure_or_a_risk(assistant: Assistant, statement: str) -> None:
    planner = assistant.offline_planner
    from plannum_assistant.planning.severity import consequences, exposures

    found = consequences(planner.ctx.knowledge.severity, statement)
    assert exposures(found) == [], found
    data = small_intake().model_dump(mode="json")
    data["pain_points"] = [statement]
    plan = assistant.plan(Intake.model_validate(data), TODAY)
    assert [r for r in plan.risks if r.source == "intake"] == []
