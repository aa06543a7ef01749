"""The plan contract: what ``plannum plan`` prints, what is stored, reviewed and exported.

:class:`PlanReport` is the public output (``--format json``): the validated
plan's parts (strategic plan, pain points, initiatives, action plan,
follow-up, review) plus what a reviewer needs to weigh them (gate, unaligned
and deferred initiatives, capabilities in place, budget, why the plan has
this size).

A report is valid only with the model's business rules (catalogue ids,
references to pains and objectives, prerequisites, budgets, dates, no
approval without a follow-up owner), checked against the catalogue every time
one is built or loaded: build it with :func:`validate_report`, read it with
:func:`load_report`. Validating without the catalogue is refused.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, model_validator

from .catalogue import Catalogue
from .errors import PlanFileError
from .files import first_error
from .knowledge import Wording
from .models import (
    Company,
    FollowUp,
    InitiativeActions,
    PainPoint,
    PlannedInitiative,
    Review,
    StrategicPlan,
    validate_plan,
)
from .text import quote
from .vocabulary import Language

MAX_PLAN_FILE_BYTES = 5_000_000  # a plan is tens of kilobytes; refuse to read a runaway file

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


class ObjectiveGap(_Out):
    """An objective of the strategic plan that no initiative of the plan serves."""

    id: str
    text: str
    candidates: list[str] = Field(
        default_factory=list,
        description="catalogue ids the objective's own words point to (not in the plan, not in place): "
        "for the reviewer to weigh, since no stated pain calls for them",
    )


class UseWhatYouOwn(_Out):
    """A capability not bought: a system the company already runs covers it (activate that module)."""

    catalogue_id: str
    title: str
    system: str = Field(description="catalogue id of the system already running that covers it")
    addresses: list[str]
    note: str


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
    engine: str = Field(
        default="offline",
        description="what drafted the plan: 'offline' (the deterministic planner); later engines add their names",
    )
    catalogue_hash: str
    gate: GateOutput
    strategic_plan: StrategicPlan | None = Field(default=None, description="the plan the objectives come from")
    next_steps: list[str] = Field(default_factory=list, description="when the gate is not ready: what to do first")
    preliminary_observations: list[str] = Field(default_factory=list)
    pain_points: list[PainPoint]
    initiatives: list[PlannedInitiative] = Field(default_factory=list)
    unaligned: list[SetAside] = Field(default_factory=list)
    deferred: list[SetAside] = Field(default_factory=list)
    in_place: list[InPlace] = Field(default_factory=list)
    unanswered: list[str] = Field(default_factory=list)
    objectives_without_initiative: list[ObjectiveGap] = Field(
        default_factory=list, description="objectives no initiative of the plan serves: a gap for the reviewer"
    )
    use_what_you_own: list[UseWhatYouOwn] = Field(default_factory=list)
    action_plan: list[InitiativeActions] = Field(default_factory=list)
    budget: BudgetSummary | None = None
    plan_size_rationale: str | None = None
    follow_up: FollowUp
    review: Review = Field(default_factory=Review)

    @model_validator(mode="after")
    def _business_rules(self, info: ValidationInfo) -> PlanReport:
        catalogue = (info.context or {}).get("catalogue")
        if not isinstance(catalogue, Catalogue):
            raise ValueError("a plan is validated against the catalogue: use validate_report() or load_report()")
        try:
            validate_plan(self._as_plan(), catalogue)
        except ValidationError as exc:
            raise ValueError(first_error(exc)) from None
        self._check_report()
        return self

    def _check_report(self) -> None:
        """The report's own parts agree with the plan: gate, set-aside items, gaps, owned systems."""
        if not self.gate.ready and (self.initiatives or self.action_plan):
            raise ValueError("initiatives: the gate is not ready, so the plan has no initiative yet")
        pains = {p.id for p in self.pain_points}
        for field in ("unaligned", "deferred", "use_what_you_own"):
            for n, item in enumerate(getattr(self, field)):
                unknown = sorted(set(item.addresses) - pains)
                if unknown:
                    raise ValueError(f"{field}.{n}.addresses: unknown pain point(s) {', '.join(unknown)}")
        running = {p.catalogue_id for p in self.in_place}
        for n, owned in enumerate(self.use_what_you_own):
            if owned.system not in running:
                raise ValueError(f"use_what_you_own.{n}.system: {owned.system} is not in place")
        objectives = {o.id for o in self.strategic_plan.objectives} if self.strategic_plan else set()
        served = {oid for i in self.initiatives for oid in i.supports}
        for n, gap in enumerate(self.objectives_without_initiative):
            if gap.id not in objectives or gap.id in served:
                raise ValueError(
                    f"objectives_without_initiative.{n}: {gap.id} is not an unserved objective of the plan"
                )

    def _as_plan(self) -> dict[str, Any]:
        """The domain-model view of this report (what the business rules are written against)."""
        return {
            "language": self.language,
            "company": self.company.model_dump(),
            "strategic_plan": self.strategic_plan.model_dump(exclude_computed_fields=True)
            if self.strategic_plan
            else None,
            "pain_points": [p.model_dump() for p in self.pain_points],
            "in_place": [p.catalogue_id for p in self.in_place],
            "initiatives": [i.model_dump() for i in self.initiatives],
            "action_plan": [a.model_dump() for a in self.action_plan],
            "follow_up": self.follow_up.model_dump(),
            "review": self.review.model_dump(),
        }


def validate_report(data: dict[str, Any] | PlanReport, catalogue: Catalogue) -> PlanReport:
    """A plan report checked from scratch: its structure and every business rule.

    Raises :class:`pydantic.ValidationError`; :func:`plannum_assistant.files.first_error` gives one line.
    """
    payload = data.model_dump(mode="python", exclude_computed_fields=True) if isinstance(data, PlanReport) else data
    return PlanReport.model_validate(payload, context={"catalogue": catalogue})


def load_report(path: Path, catalogue: Catalogue) -> PlanReport:
    """Read a plan JSON file (what ``plannum plan`` printed) and validate it with every rule."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_PLAN_FILE_BYTES + 1)
    except OSError as exc:
        raise PlanFileError(f"{path}: cannot read file ({exc.strerror or exc})") from None
    if len(raw) > MAX_PLAN_FILE_BYTES:
        raise PlanFileError(f"{path}: larger than {MAX_PLAN_FILE_BYTES:,} bytes, not a plan file")
    try:
        data = json.loads(raw)
    except UnicodeDecodeError:
        raise PlanFileError(f"{path}: not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise PlanFileError(f"{path}: line {exc.lineno}: invalid JSON: {exc.msg}") from None
    if not isinstance(data, dict):
        raise PlanFileError(f"{path}: expected a JSON object (a plan), got {type(data).__name__}")
    try:
        return validate_report(data, catalogue)
    except ValidationError as exc:
        raise PlanFileError(f"{path}: {first_error(exc)}") from None


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
        evidence = t("md.evidence_separator").join(quote(e, report.language) for e in i.evidence)
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
    if report.use_what_you_own:
        rows += ["", f"### {t('md.use_what_you_own')}", ""] + [f"- {_cell(u.note)}" for u in report.use_what_you_own]
    if report.objectives_without_initiative:
        gaps = [
            f"- {g.id} {quote(_cell(g.text), report.language)}"
            + (f" — {t('md.gap_candidates')} {', '.join(f'`{c}`' for c in g.candidates)}" if g.candidates else "")
            for g in report.objectives_without_initiative
        ]
        rows += ["", f"### {t('md.objectives_without_initiative')}", "", t("md.objectives_gap_note"), "", *gaps]
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
