"""One applicant's triage row from its plan: readiness, gaps, candidates, flags and the priority score.

The score is the sum of weighted parts (``knowledge/triage.yaml``); the explanation names each part
that moved it, so staff can see why an applicant ranks where it does.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from ..report import PlanReport
from .applicants import Applicant, TriagePolicy

TOP = 3  # initiatives reported per applicant


@dataclass(frozen=True)
class TriageRow:
    applicant_id: str
    row: int
    company_name: str
    sector: str
    employees: int
    region: str
    language: str
    ready: bool
    missing: list[str]
    maturity_score: float | None
    maturity: dict[str, int]
    main_functions: list[str]
    top_initiatives: list[str]
    budget_min: float
    budget_max: float
    follow_up_owner_named: bool
    flags: list[str]
    priority_score: float
    explanation: str
    pains: list[str] = field(default_factory=list)


def triage_row(
    applicant: Applicant,
    report: PlanReport,
    policy: TriagePolicy,
    cheapest: float | None,
    sector: str = "other",
    envelope: float | None = None,
) -> TriageRow:
    """``cheapest``: the lowest one-time cost (CAD, low end) among the applicant's candidate initiatives;
    ``sector``: the free-text sector classified into the sector vocabulary (``knowledge/sectors.yaml``);
    ``envelope``: the applicant's budget in CAD (None: unknown)."""
    intake = applicant.intake
    weights = policy.weights
    rated = {
        d.dimension: d.score for d in (report.maturity.dimensions if report.maturity else []) if d.score is not None
    }
    mean = round(sum(rated.values()) / len(rated), 2) if rated else None
    top = [i.catalogue_id for i in sorted(report.initiatives, key=lambda i: i.priority)][:TOP]
    low = sum(x.budget_cad.min for a in report.action_plan if a.initiative in top for x in a.activities)
    high = sum(x.budget_cad.max for a in report.action_plan if a.initiative in top for x in a.activities)
    owner = bool(report.follow_up.owner)
    pains = report.pain_points
    answered = {p for i in report.initiatives for p in i.addresses}
    share = len(answered & {p.id for p in pains}) / len(pains) if pains else 0.0
    flags = []
    plan = intake.strategic_plan
    if plan is None:
        flags.append("no_plan")
    elif any("adopt" in m.lower() and ("mois" in m or "months" in m) for m in report.gate.missing):
        flags.append("stale_plan")
    strategy = report.strategic_plan
    if strategy is not None and any(o.smart.failing for o in strategy.objectives):
        flags.append("objectives_not_smart")
    if envelope is not None and cheapest is not None and envelope < cheapest:
        flags.append("budget_below_cheapest")
    if not pains or sector == "other":
        flags.append("data_quality")
    parts = [
        ("readiness", weights["readiness"] * (1.0 if report.gate.ready else 0.0)),
        ("maturity_gap", weights["maturity_gap"] * ((5 - mean) / 5 if mean is not None else 0.5)),
        ("answered", weights["answered"] * share),
        ("budget", weights["budget"] * _budget_part(envelope, cheapest)),
        ("follow_up", weights["follow_up"] * (1.0 if owner else 0.0)),
    ]
    score = round(sum(value for _, value in parts), 1)
    explanation = "; ".join(f"{name} +{value:.1f}" for name, value in parts if value > 0) or "no factor"
    functions = Counter(p.function.value for p in pains)
    return TriageRow(
        applicant_id=applicant.applicant_id,
        row=applicant.row,
        company_name=intake.company.name,
        sector=sector,
        employees=intake.company.employees,
        region=intake.company.region or "",
        language=intake.language.value,
        ready=report.gate.ready,
        missing=list(report.gate.missing),
        maturity_score=mean,
        maturity=rated,
        main_functions=[f for f, _ in sorted(functions.items(), key=lambda kv: (-kv[1], kv[0]))][:3],
        top_initiatives=top,
        budget_min=round(low),
        budget_max=round(high),
        follow_up_owner_named=owner,
        flags=flags,
        priority_score=score,
        explanation=explanation,
        pains=[p.function.value for p in pains],
    )


def _budget_part(envelope: float | None, cheapest: float | None) -> float:
    if envelope is None or cheapest is None:
        return 0.5
    return 1.0 if envelope >= cheapest else 0.0


def ranked(rows: list[TriageRow]) -> list[TriageRow]:
    """Best priority first; ties by applicant id, then row: the same input always gives the same order."""
    return sorted(rows, key=lambda r: (-r.priority_score, r.applicant_id, r.row))
