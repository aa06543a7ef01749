"""Each planning stage's decisions on small hand-made inputs, with the fake retriever (no encoder).

The real catalogue and planner.yaml are used; retrieval is canned, so each test states exactly
what was "found" and asserts the decision the stage must take from it.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from plannum_assistant.catalogue import Catalogue, load_catalogue
from plannum_assistant.intake import Intake
from plannum_assistant.knowledge import PlannerConfig, Wording, load_planner_config, load_wording
from plannum_assistant.models import PainPoint, Severity
from plannum_assistant.planning import OfflineEngine, PlanContext, grounding, schedule
from plannum_assistant.planning import actions as stage_actions
from plannum_assistant.planning.types import Candidate, Pain
from plannum_assistant.report import validate_report
from plannum_assistant.testing import FakeRetriever, hit
from plannum_assistant.vocabulary import BusinessFunction, Language, SizeBand

from .conftest import KNOWLEDGE

TODAY = date(2026, 11, 26)


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue(KNOWLEDGE / "catalogue")


@pytest.fixture(scope="module")
def config() -> PlannerConfig:
    return load_planner_config(KNOWLEDGE / "planner.yaml")


@pytest.fixture(scope="module")
def wording() -> Wording:
    return load_wording(KNOWLEDGE / "wording.yaml")


def _ctx(
    catalogue: Catalogue, config: PlannerConfig, wording: Wording, retriever: FakeRetriever | None = None
) -> PlanContext:
    return PlanContext(catalogue, retriever or FakeRetriever(), config, wording)


def _candidate(catalogue: Catalogue, entry_id: str, pains: list[str], **fields: Any) -> Candidate:
    return Candidate(catalogue[entry_id], pains=list(pains), best_for=1, **fields)


def _pain(pid: str, severity: Severity = Severity.MEDIUM) -> Pain:
    point = PainPoint(id=pid, text=f"pain {pid}", function=BusinessFunction.OPERATIONS, severity=severity)
    return Pain(point, [], [])


def _intake(**overrides: Any) -> Intake:
    data: dict[str, Any] = {
        "language": "en",
        "company": {"name": "Acme", "sector": "machine shop", "employees": 30},
        "strategic_plan": {
            "adopted": "2026-01",
            "mission": "Make good parts.",
            "strategic_orientations": ["Grow"],
            "strategic_objectives": ["Grow sales to contractors by 20% by December 2027"],
            "operational_orientations": ["Reliable machines"],
            "operational_objectives": ["Cut machine breakdowns by 40% by June 2027"],
        },
        "pain_points": ["Our sales reps keep customer contacts in their phones"],
        "constraints": {"horizon_months": 24},
    }
    data.update(overrides)
    return Intake.model_validate(data)


# --- grounding: which hits answer a pain point ---------------------------------------------------


def test_a_weak_best_hit_answers_nothing_and_no_weaker_hit_is_promoted(
    catalogue: Catalogue, config: PlannerConfig, wording: Wording
) -> None:
    ctx = _ctx(catalogue, config, wording)
    floor = config.selection.min_score
    weak = [hit("crm", floor * 0.9), hit("helpdesk", floor * 0.8)]
    assert grounding.answer(ctx, weak) == []
    assert [h.id for h in grounding.answer(ctx, [hit("crm", floor * 1.1)])] == ["crm"]


def test_evidence_needs_shared_words_or_close_meaning(
    catalogue: Catalogue, config: PlannerConfig, wording: Wording
) -> None:
    ctx = _ctx(catalogue, config, wording)
    rules = config.selection
    high = rules.min_score * 2
    no_evidence = hit("crm", high, bm25=rules.min_bm25 * 0.5, dense=rules.min_dense * 0.5)
    assert grounding.answer(ctx, [no_evidence]) == []
    words_only = hit("crm", high, bm25=rules.min_bm25, dense=0.0)
    meaning_only = hit("crm", high, bm25=0.0, dense=rules.min_dense)
    assert grounding.answer(ctx, [words_only]) and grounding.answer(ctx, [meaning_only])


def test_the_best_hit_must_rank_high_in_one_ranker(
    catalogue: Catalogue, config: PlannerConfig, wording: Wording
) -> None:
    ctx = _ctx(catalogue, config, wording)
    worst = config.selection.max_best_rank
    assert grounding.answer(ctx, [hit("crm", 1.0, dense_rank=worst, bm25_rank=worst + 3)])
    assert grounding.answer(ctx, [hit("crm", 1.0, dense_rank=worst + 1, bm25_rank=worst + 1)]) == []


def test_second_answer_only_when_near_tied_and_never_more_than_the_cap(
    catalogue: Catalogue, config: PlannerConfig, wording: Wording
) -> None:
    ctx = _ctx(catalogue, config, wording)
    ratio = config.selection.second_ratio
    near = [hit("crm", 1.0), hit("cpq-quoting", ratio + 0.01, bm25_rank=2), hit("helpdesk", 0.9, bm25_rank=3)]
    assert [h.id for h in grounding.answer(ctx, near)] == ["crm", "cpq-quoting"]
    far = [hit("crm", 1.0), hit("cpq-quoting", ratio - 0.05, bm25_rank=2)]
    assert [h.id for h in grounding.answer(ctx, far)] == ["crm"]
    crowded = [hit("crm", 1.0, bm25_rank=2)] + [hit(i, 0.99, bm25_rank=1) for i in ("cpq-quoting", "helpdesk", "edi")]
    assert len(grounding.answer(ctx, crowded)) == config.selection.max_per_pain


def test_statement_is_split_only_when_each_sentence_has_its_own_answer(
    catalogue: Catalogue, config: PlannerConfig, wording: Wording
) -> None:
    crm = "Our reps keep every customer contact in their own phones and spreadsheets."
    cmms = "The big lathe breaks down every month because nobody plans any maintenance."
    both = f"{crm} {cmms}"
    hits = {crm: [hit("crm", 1.0)], cmms: [hit("cmms", 1.0)], both: [hit("crm", 1.0)]}
    ctx = _ctx(catalogue, config, wording, FakeRetriever(hits))
    results = grounding.retrieve(ctx, [both], [], frozenset())
    assert grounding.split(ctx, both, results) == [crm, cmms]
    same = {crm: [hit("crm", 1.0)], cmms: [hit("crm", 1.0)], both: [hit("crm", 1.0)]}
    ctx = _ctx(catalogue, config, wording, FakeRetriever(same))
    assert grounding.split(ctx, both, grounding.retrieve(ctx, [both], [], frozenset())) == [both]


def test_in_place_products_exclude_the_capability_and_its_prerequisites(
    catalogue: Catalogue, config: PlannerConfig, wording: Wording
) -> None:
    ctx = _ctx(catalogue, config, wording)
    found = grounding.in_place(ctx, ["Acumatica ERP", "Excel"])
    assert found["erp"] == "Acumatica ERP" and "erp-needs-study" in found
    assert "crm" not in found
    assert grounding.in_place(ctx, ["Odoo"]).get("crm") is None  # one word does not prove a module


# --- schedule: priorities, plan size, horizons --------------------------------------------------


def test_more_severe_pains_rank_first(catalogue: Catalogue, config: PlannerConfig, wording: Wording) -> None:
    ctx = _ctx(catalogue, config, wording)
    pains = [_pain("P1", Severity.LOW), _pain("P2", Severity.HIGH)]
    low = _candidate(catalogue, "crm", ["P1"], supports=["SO1"])
    high = _candidate(catalogue, "helpdesk", ["P2"], supports=["SO1"])
    ordered = schedule.prioritise(ctx, [low, high], _intake(), pains, SizeBand.SMALL)
    assert [c.entry.id for c in ordered] == ["helpdesk", "crm"]
    assert high.value > low.value


def test_a_strategic_objective_weighs_more_than_an_operational_one(
    catalogue: Catalogue, config: PlannerConfig, wording: Wording
) -> None:
    ctx = _ctx(catalogue, config, wording)
    pains = [_pain("P1")]
    strategic = _candidate(catalogue, "crm", ["P1"], supports=["SO1"])
    operational = _candidate(catalogue, "crm", ["P1"], supports=["OO1"])
    schedule.prioritise(ctx, [strategic], _intake(), pains, SizeBand.SMALL)
    schedule.prioritise(ctx, [operational], _intake(), pains, SizeBand.SMALL)
    assert strategic.value > operational.value > 0


def test_prerequisites_come_before_their_dependents_whatever_their_value(
    catalogue: Catalogue, config: PlannerConfig, wording: Wording
) -> None:
    study = _candidate(catalogue, "erp-needs-study", ["P1"], prerequisite_of="erp", value=0.1)
    erp = _candidate(catalogue, "erp", ["P1"], value=9.0)
    other = _candidate(catalogue, "crm", ["P2"], value=5.0)
    ordered = schedule.dependencies_first([erp, other, study])
    assert [c.entry.id for c in ordered] == ["crm", "erp-needs-study", "erp"]


def test_the_cap_keeps_the_most_valuable_and_a_prerequisite_only_with_its_dependent(catalogue: Catalogue) -> None:
    study = _candidate(catalogue, "erp-needs-study", ["P1"], prerequisite_of="erp", value=0.1)
    erp = _candidate(catalogue, "erp", ["P1"], value=3.0)
    crm = _candidate(catalogue, "crm", ["P2"], value=5.0)
    helpdesk = _candidate(catalogue, "helpdesk", ["P3"], value=1.0)
    ordered = schedule.dependencies_first([study, erp, crm, helpdesk])
    assert schedule.choose(ordered, 3) == {"crm", "erp", "erp-needs-study"}
    assert schedule.choose(ordered, 2) == {"crm", "helpdesk"}  # erp needs two places: it does not fit
    assert schedule.choose(ordered, 1) == {"crm"}


@pytest.mark.parametrize(
    ("months", "bucket"), [(0, "0-6"), (5.99, "0-6"), (6, "6-18"), (17.9, "6-18"), (18, "18-36"), (35, "18-36")]
)
def test_horizon_buckets(
    catalogue: Catalogue, config: PlannerConfig, wording: Wording, months: float, bucket: str
) -> None:
    assert schedule.horizon_of(_ctx(catalogue, config, wording), months) == bucket


@pytest.mark.parametrize(
    ("employees", "band"),
    [(1, SizeBand.MICRO), (9, SizeBand.MICRO), (10, SizeBand.SMALL), (49, SizeBand.SMALL), (50, SizeBand.MEDIUM)],
)
def test_size_band_boundaries(employees: int, band: SizeBand) -> None:
    assert SizeBand.for_employees(employees) is band


def test_schedule_runs_a_few_at_a_time_and_defers_past_the_horizon(
    catalogue: Catalogue, config: PlannerConfig, wording: Wording
) -> None:
    ctx = _ctx(catalogue, config, wording)
    ids = ["crm", "helpdesk", "cmms", "time-tracking", "website-seo"]
    ordered = [_candidate(catalogue, i, [f"P{n}"], value=10.0 - n) for n, i in enumerate(ids, 1)]
    intake = _intake(constraints={"horizon_months": 6})
    kept, deferred = schedule.schedule(ctx, ordered, intake, TODAY, SizeBand.MICRO, Language.EN)
    assert config.concurrency.micro == 1  # one at a time for a micro firm: each starts when the last ends
    starts = [start for _, start, _ in kept]
    assert starts[0] == TODAY and starts == sorted(starts) and len(set(starts)) == len(starts)
    assert all((start - TODAY).days / 30.44 < 6 for start in starts)
    kept_ids = {c.entry.id for c, _, _ in kept}
    assert kept_ids | {d.catalogue_id for d in deferred} == set(ids) and not kept_ids & {
        d.catalogue_id for d in deferred
    }
    assert len(kept) <= config.plan_size.micro
    assert deferred and all(d.reason for d in deferred)


# --- budget ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("envelope", "status"), [(None, "none"), (1_000_000, "within"), (10_000, "may_exceed"), (1_000, "exceeds")]
)
def test_budget_status_against_the_envelope(
    catalogue: Catalogue, config: PlannerConfig, wording: Wording, envelope: float | None, status: str
) -> None:
    ctx = _ctx(catalogue, config, wording)
    plan = [stage_actions.actions(catalogue["crm"], TODAY, SizeBand.SMALL, Language.EN)]
    summary = stage_actions.budget(ctx, plan, envelope, Language.EN)
    assert (summary.total_min, summary.total_max) == (8000, 30000)  # crm, small band, in the catalogue
    assert summary.status == status and summary.note


def test_activities_share_the_band_budget_and_run_back_to_back(catalogue: Catalogue) -> None:
    entry = catalogue["crm"]
    actions = stage_actions.actions(entry, TODAY, SizeBand.MEDIUM, Language.FR)
    assert [a.name for a in actions.activities] == [t.name.fr for t in entry.activities]
    assert actions.activities[0].start == TODAY
    for before, after, template in zip(actions.activities, actions.activities[1:], entry.activities, strict=False):
        assert after.start == before.target_date == before.start + timedelta(weeks=template.duration_weeks)
    band = entry.budget_cad.medium
    assert abs(sum(a.budget_cad.max for a in actions.activities) - band.max) <= 100 * len(actions.activities)


# --- the whole engine on canned retrieval ---------------------------------------------------------


def test_offline_engine_on_canned_hits_gives_a_valid_grounded_plan(
    catalogue: Catalogue, config: PlannerConfig, wording: Wording
) -> None:
    intake = _intake()
    pain = intake.pain_points[0]
    retriever = FakeRetriever({pain: [hit("crm", 1.0)]})
    engine = OfflineEngine(_ctx(catalogue, config, wording, retriever))
    report = validate_report(engine.draft(intake, TODAY), catalogue)
    assert [i.catalogue_id for i in report.initiatives] == ["crm"]
    assert report.initiatives[0].addresses == ["P1"] and report.initiatives[0].supports
    assert report.unanswered == [] and report.engine == "offline"


def test_a_pain_nothing_answers_is_reported_unanswered(
    catalogue: Catalogue, config: PlannerConfig, wording: Wording
) -> None:
    intake = _intake()
    engine = OfflineEngine(_ctx(catalogue, config, wording, FakeRetriever({})))
    report = validate_report(engine.draft(intake, TODAY), catalogue)
    assert report.initiatives == [] and len(report.unanswered) == 1 and "P1" in report.unanswered[0]
