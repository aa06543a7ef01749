"""What ``plannum plan`` prints: the JSON contract and its Markdown rendering.

:class:`PlanReport` is the public output (``--format json``): the validated
plan's parts (pain points, initiatives, action plan, follow-up, review) plus
what a reviewer needs to weigh them (gate, unaligned and deferred
initiatives, capabilities in place, budget, why the plan has this size).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .knowledge import Wording
from .models import Company, FollowUp, InitiativeActions, PainPoint, PlannedInitiative, Review
from .vocabulary import Language

_T = Callable[..., str]  # the translate function of to_markdown: key, **params -> text


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class GateOutput(_Out):
    ready: bool
    missing: list[str]
    warnings: list[str]


class SetAside(_Out):
    """An initiative the planner did not put in the plan, and why."""

    catalogue_id: str
    title: str
    addresses: list[str]
    reason: str


class InPlace(_Out):
    catalogue_id: str
    evidence: str = Field(description="the existing system (or the in-place capability) that shows it")


class BudgetSummary(_Out):
    total_min: float
    total_max: float
    envelope: float | None
    status: Literal["within", "may_exceed", "exceeds", "none"]
    note: str


class PlanReport(_Out):
    language: Language
    company: Company
    today: date
    engine: Literal["offline"] = "offline"
    catalogue_hash: str
    gate: GateOutput
    next_steps: list[str] = Field(default_factory=list, description="when the gate is not ready: what to do first")
    preliminary_observations: list[str] = Field(default_factory=list)
    pain_points: list[PainPoint]
    initiatives: list[PlannedInitiative] = Field(default_factory=list)
    unaligned: list[SetAside] = Field(default_factory=list)
    deferred: list[SetAside] = Field(default_factory=list)
    in_place: list[InPlace] = Field(default_factory=list)
    unanswered: list[str] = Field(default_factory=list)
    action_plan: list[InitiativeActions] = Field(default_factory=list)
    budget: BudgetSummary | None = None
    plan_size_rationale: str | None = None
    follow_up: FollowUp
    review: Review = Field(default_factory=Review)


def to_markdown(report: PlanReport, wording: Wording) -> str:
    """A readable plan in the intake's language, with the DRAFT banner on top."""
    lang = report.language

    def t(key: str, **params: object) -> str:
        return wording.text(key, lang, **params)

    out = [
        f"# {t('md.title', company=report.company.name)}",
        "",
        f"> {t('md.banner')}",
        "",
        t("md.generated", today=report.today.isoformat()),
        "",
        f"## {t('md.gate')}",
        "",
    ]
    out.append(t("md.gate_ready") if report.gate.ready else t("md.gate_blocked"))
    out += [f"- {line}" for line in report.gate.missing]
    if report.gate.warnings:
        out += ["", f"**{t('md.warnings')}**", ""] + [f"- {line}" for line in report.gate.warnings]
    if report.next_steps:
        out += ["", f"## {t('md.next_steps')}", ""] + [f"{i}. {s}" for i, s in enumerate(report.next_steps, 1)]
    if report.preliminary_observations:
        out += ["", f"## {t('md.observations')}", ""] + [f"- {o}" for o in report.preliminary_observations]
    if report.gate.ready:
        out += _pain_table(report, t) + _initiatives(report, t) + _action_plan(report, t)
    owner = report.follow_up.owner
    out += ["", f"## {t('md.follow_up')}", ""]
    out.append(
        t("md.owner", owner=owner, cadence=report.follow_up.cadence)
        if owner
        else t("md.no_owner", cadence=report.follow_up.cadence)
    )
    out += ["", t("md.review", status=t(f"md.status.{report.review.status.value}")), ""]
    return "\n".join(out)


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _pain_table(report: PlanReport, t: _T) -> list[str]:
    rows = [
        "",
        f"## {t('md.pain_points')}",
        "",
        f"| # | {t('md.pain_points')} | {t('md.function')} | {t('md.severity')} |",
        "|---|---|---|---|",
    ]
    for p in report.pain_points:
        rows.append(
            f"| {p.id} | {_cell(p.text)} | {t(f'function.{p.function.value}')} | {t(f'severity.{int(p.severity)}')} |"
        )
    if report.unanswered:
        rows += ["", f"**{t('md.unanswered')}**", ""] + [f"- {u}" for u in report.unanswered]
    return rows


def _initiatives(report: PlanReport, t: _T) -> list[str]:
    rows = [
        "",
        f"## {t('md.initiatives')}",
        "",
        f"| {t('md.priority')} | {t('md.initiative')} | {t('md.horizon')} | {t('md.why')} | {t('md.evidence')} |",
        "|---|---|---|---|---|",
    ]
    for i in report.initiatives:
        evidence = " ; ".join(f"« {e} »" if report.language is Language.FR else f'"{e}"' for e in i.evidence)
        rows.append(
            f"| {i.priority} | **{_cell(i.title)}** (`{i.catalogue_id}`) | {t(f'horizon.{i.horizon}')} | "
            f"{_cell(i.rationale)} | {_cell(evidence)} |"
        )
    if report.plan_size_rationale:
        rows += ["", f"**{t('md.size')}** — {report.plan_size_rationale}"]
    for key, items in (("md.unaligned", report.unaligned), ("md.deferred", report.deferred)):
        if items:
            rows += ["", f"### {t(key)}", ""] + [f"- **{s.title}** (`{s.catalogue_id}`): {s.reason}" for s in items]
    if report.in_place:
        rows += ["", f"### {t('md.in_place')}", ""] + [f"- `{p.catalogue_id}`: {p.evidence}" for p in report.in_place]
    return rows


def _action_plan(report: PlanReport, t: _T) -> list[str]:
    titles = {i.catalogue_id: i.title for i in report.initiatives}
    rows = ["", f"## {t('md.action_plan')}", ""]
    for actions in report.action_plan:
        rows += [
            f"### {titles[actions.initiative]}",
            "",
            f"| {t('md.activity')} | {t('md.responsible')} | {t('md.budget')} | {t('md.start')} | {t('md.target')} |",
            "|---|---|---|---|---|",
        ]
        for a in actions.activities:
            budget = f"{money(a.budget_cad.min, report.language)}–{money(a.budget_cad.max, report.language)}"
            rows.append(
                f"| {_cell(a.name)} | {_cell(a.responsible)} | {budget} | "
                f"{a.start.isoformat()} | {a.target_date.isoformat()} |"
            )
        rows.append("")
    if report.budget:
        rows += [f"**{t('md.budget_total')}** — {report.budget.note}"]
    return rows


def money(value: float, language: Language) -> str:
    """12 500 in French (non-breaking space), 12,500 in English."""
    text = f"{value:,.0f}"
    return text.replace(",", "\u00a0") if language is Language.FR else text
