"""A plan as a readable Markdown document, in the plan's language, with the DRAFT banner on top.

Sections follow a consultant's deliverable: the gate, the pain points, the maturity profile, the
initiatives (why each, at what rank, its KPIs), quick wins, deadline conflicts, the action plan
and its budget (one-time, yearly, internal days, in the company's currency), risks, change
management, financing, follow-up and re-assessment. Every word comes from ``knowledge/wording.yaml``.

Every text of the plan (the owner's words above all: a company name, a pain point) is written
inert (:func:`md`): on one line, with a backslash before what Markdown would read as a heading,
a list, a table cell, emphasis, a link or raw HTML.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import reduce

from .knowledge import Wording
from .models import PlannedInitiative
from .report import PlanReport, SetAside
from .text import quote
from .vocabulary import Language

_T = Callable[..., str]  # key, **params -> text
_BREAKS = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]+")  # line breaks and other control characters
_SPECIAL = re.compile(r"([\\`*_\[\]<>|~#])")  # each would mean something to Markdown (or HTML) in a line
# What starts a block (a list, a heading, an underline, a rule, a code fence) when a line starts with it.
_LEADING = re.compile(r"^(\s*(?:\d+(?=[.)]))?)([-+=.)#*_`~])")
_RAW = re.compile(r"([\\<>\[\]])")  # raw HTML, autolinks and links


def md(text: object) -> str:
    """A text of the plan, inert in Markdown: one line, its special characters escaped with a backslash."""
    line = _SPECIAL.sub(r"\\\1", _BREAKS.sub(" ", str(text)))
    return _LEADING.sub(r"\1\\\2", line)


def md_line(text: str) -> str:
    """A line whose template may use emphasis or `code` (the consultant's note): one line, and no raw
    HTML, link or block (a heading, a list) can come from the words put in it."""
    line = _RAW.sub(r"\\\1", _BREAKS.sub(" ", text))
    return _LEADING.sub(r"\1\\\2", line)


def to_markdown(report: PlanReport, wording: Wording) -> str:
    lang = report.language

    def t(key: str, **params: object) -> str:
        return wording.text(key, lang, **params)

    out = [
        f"# {t('md.title', company=md(report.company.name))}",
        "",
        f"> {t('md.banner')}",
        "",
        t("md.generated", today=report.today.isoformat()),
        "",
        f"## {t('md.gate')}",
        "",
    ]
    out.append(t("md.gate_ready") if report.gate.ready else t("md.gate_blocked"))
    out += [f"- {md(line)}" for line in report.gate.missing]
    if report.gate.warnings:
        out += ["", f"**{t('md.warnings')}**", ""] + [f"- {md(line)}" for line in report.gate.warnings]
    if report.smart_suggestions:
        out += ["", f"**{t('md.smart_suggestions')}**", ""]
        out += [t("md.smart_suggestion", id=md(x.objective), rewrite=md(x.rewrite)) for x in report.smart_suggestions]
    if report.next_steps:
        out += ["", f"## {t('md.next_steps')}", ""] + [f"{i}. {md(s)}" for i, s in enumerate(report.next_steps, 1)]
    if report.preliminary_observations:
        out += ["", f"## {t('md.observations')}", ""] + [f"- {md(o)}" for o in report.preliminary_observations]
    out += _worksheet(report, t)
    if report.gate.ready:
        out += _pain_table(report, t)
    out += _maturity(report, t)
    if report.gate.ready:
        out += _initiatives(report, t) + _quick_wins(report, t) + _action_plan(report, t)
        out += _risks(report, t) + _change(report, t) + _financing(report, t)
    owner = md(report.follow_up.owner) if report.follow_up.owner else None
    cadence = md(report.follow_up.cadence)
    out += ["", f"## {t('md.follow_up')}", ""]
    out.append(t("md.owner", owner=owner, cadence=cadence) if owner else t("md.no_owner", cadence=cadence))
    if report.reassessment_date:
        who = owner or t("md.reassessment_owner_missing")
        out += ["", t("md.reassessment", date=report.reassessment_date.isoformat(), owner=who)]
    out += ["", t("md.review", status=t(f"md.status.{report.review.status.value}")), ""]
    return "\n".join(out)


def _worksheet(report: PlanReport, t: _T) -> list[str]:
    sheet = report.worksheet
    if sheet is None:
        return []
    rows = ["", f"## {t('md.worksheet')}", "", t("md.worksheet_note"), ""]
    if sheet.mission:
        rows.append(f"- **{t('md.worksheet.mission')}** — {md(sheet.mission)}")
    for part in (
        "strategic_orientations",
        "strategic_objectives",
        "operational_orientations",
        "operational_objectives",
    ):
        items = getattr(sheet, part)
        if items:
            rows += [f"- **{t(f'md.worksheet.{part}')}**", *(f"  - {md(item)}" for item in items)]
    return rows


def _cell(text: object) -> str:
    return md(text)


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
        rows += ["", f"**{t('md.unanswered')}**", ""] + [f"- {md(u)}" for u in report.unanswered]
    return rows


def _maturity(report: PlanReport, t: _T) -> list[str]:
    profile = report.maturity
    if profile is None or all(d.score is None for d in profile.dimensions):
        return []
    rows = [
        "",
        f"## {t('md.maturity')}",
        "",
        f"| {t('md.dimension')} | {t('md.score')} | {t('md.gap')} |",
        "|---|---|---|",
    ]
    for d in profile.dimensions:
        score = t("md.unrated") if d.score is None else str(d.score)
        rows.append(f"| {_cell(d.label)} | {score} | {'' if d.gap is None else d.gap} |")
    if profile.dmat:
        parts = [t("md.dmat_value", name=t(f"dmat.{name}"), value=f"{value:g}") for name, value in profile.dmat.items()]
        rows += ["", t("md.dmat", values=reduce(lambda left, right: t("md.dmat_join", left=left, right=right), parts))]
    if profile.gaps:
        rows += ["", t("md.maturity_gaps", gaps=md(", ".join(profile.gaps)))]
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
        evidence = reduce(
            lambda left, right: t("md.evidence_separator", left=left, right=right),
            [quote(e, report.language) for e in i.evidence],
        )
        rows.append(
            f"| {i.priority} | **{_cell(i.title)}** (`{i.catalogue_id}`) | {t(f'horizon.{i.horizon}')} | "
            f"{_cell(i.rationale)} | {_cell(evidence)} |"
        )
    if report.plan_size_rationale:
        rows += ["", f"**{t('md.size')}** — {md(report.plan_size_rationale)}"]
    for i in report.initiatives:
        rows += ["", f"### {i.priority}. {md(i.title)}", ""]
        if i.priority_reason:
            rows += [f"**{t('md.priority_reason')}** — {md(i.priority_reason)}", ""]
        if i.includes:
            rows += [f"**{t('md.includes')}** — {brought(i, t)}", ""]
        if i.kpis:
            rows += [
                f"| {t('md.kpi')} | {t('md.baseline')} | {t('md.kpi_target')} | {t('md.how_to_measure')} |",
                "|---|---|---|---|",
            ]
            for k in i.kpis:
                cells = [k.name, k.baseline or t("md.to_measure"), k.target or "", k.how_to_measure or ""]
                rows.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    for key, items in (("md.unaligned", report.unaligned), ("md.deferred", report.deferred)):
        if items:
            rows += ["", f"### {t(key)}", ""]
            rows += [
                f"- **{md(s.title)}** (`{md(s.catalogue_id)}`): {md(s.reason)}{next_cycle_cost(s, report, t)}"
                for s in items
            ]
    if report.in_place:
        rows += ["", f"### {t('md.in_place')}", ""]
        for p in report.in_place:
            title, evidence = md(p.title or p.catalogue_id), md(p.evidence)
            rows.append("- " + t("md.in_place_item", title=title, id=p.catalogue_id, evidence=evidence))
    if report.use_what_you_own:
        rows += ["", f"### {t('md.use_what_you_own')}", ""] + [f"- {_cell(u.note)}" for u in report.use_what_you_own]
    if report.objectives_without_initiative:
        gaps = [
            f"- {md(g.id)} {quote(_cell(g.text), report.language)}"
            + (f" — {t('md.gap_candidates')} {', '.join(f'`{md(c)}`' for c in g.candidates)}" if g.candidates else "")
            for g in report.objectives_without_initiative
        ]
        rows += ["", f"### {t('md.objectives_without_initiative')}", "", t("md.objectives_gap_note"), "", *gaps]
    return rows


def brought(initiative: PlannedInitiative, t: _T) -> str:
    """What a system brings instead of tools bought apart: "`loyalty-program` for P1; …"."""
    items = [t("md.includes_item", id=c.catalogue_id, pains=", ".join(c.addresses)) for c in initiative.includes]
    return "; ".join(items)


def next_cycle_cost(item: SetAside, report: PlanReport, t: _T) -> str:
    """The sentence after a set-aside item's reason: its next-cycle cost (in the plan's currency), or ""."""
    if item.budget_min is None or item.budget_max is None:
        return ""
    low, high = money(item.budget_min, report.language), money(item.budget_max, report.language)
    currency = report.budget.currency if report.budget else "CAD"
    return " " + t("md.deferred_cost", low=low, high=high, currency=currency)


def _quick_wins(report: PlanReport, t: _T) -> list[str]:
    rows: list[str] = []
    if report.quick_wins:
        rows += ["", f"## {t('md.quick_wins')}", ""]
        rows += [f"- **{md(q.title)}** — {md(q.reason)}" for q in report.quick_wins]
    if report.deadline_conflicts:
        rows += ["", f"## {t('md.deadline_conflicts')}", ""] + [f"- {md(c.note)}" for c in report.deadline_conflicts]
    return rows


def _action_plan(report: PlanReport, t: _T) -> list[str]:
    titles = {i.catalogue_id: i.title for i in report.initiatives}
    budget = report.budget
    currency, rate = (budget.currency, budget.rate) if budget else ("CAD", 1.0)
    rows = ["", f"## {t('md.action_plan')}", "", t("md.currency_note", currency=md(currency)), ""]
    for actions in report.action_plan:
        rows += [
            f"### {md(titles[actions.initiative])}",
            "",
            f"| {t('md.activity')} | {t('md.responsible')} | {t('md.budget')} | {t('md.start')} | {t('md.target')} |",
            "|---|---|---|---|---|",
        ]
        for a in actions.activities:
            low = money(_round(a.budget_cad.min / rate), report.language)
            high = money(_round(a.budget_cad.max / rate), report.language)
            rows.append(
                f"| {_cell(a.name)} | {_cell(a.responsible)} | {low}–{high} | "
                f"{a.start.isoformat()} | {a.target_date.isoformat()} |"
            )
        rows.append("")
    if budget:
        rows += [f"**{t('md.budget_total')}** — {md(budget.note)}"]
        if budget.deferred_max:
            low, high = money(budget.deferred_min, report.language), money(budget.deferred_max, report.language)
            rows += ["", t("md.deferred_total", low=low, high=high, currency=budget.currency)]
        if budget.conversion:
            rows += ["", md(budget.conversion)]
        if budget.alternatives:
            rows += ["", f"**{t('md.lower_cost')}**", ""] + [f"- {_cell(a)}" for a in budget.alternatives]
    return rows


def _risks(report: PlanReport, t: _T) -> list[str]:
    if not report.risks:
        return []
    titles = {i.catalogue_id: i.title for i in report.initiatives}
    rows = ["", f"## {t('md.risks')}", "", f"| | {t('md.risk')} | {t('md.mitigation')} |", "|---|---|---|"]
    for r in report.risks:
        where = titles.get(r.catalogue_id or "", t("md.plan_wide"))
        rows.append(f"| {_cell(where)} | {_cell(r.risk)} | {_cell(r.mitigation)} |")
    return rows


def _change(report: PlanReport, t: _T) -> list[str]:
    if not report.change_management:
        return []
    rows = [
        "",
        f"## {t('md.change_management')}",
        "",
        f"| {t('md.activity')} | {t('md.responsible')} | {t('md.start')} |",
        "|---|---|---|",
    ]
    rows += [f"| {_cell(c.name)} | {_cell(c.responsible)} | {c.start.isoformat()} |" for c in report.change_management]
    return rows


def _financing(report: PlanReport, t: _T) -> list[str]:
    rows = ["", f"## {t('md.financing')}", ""]
    if not report.financing:
        return [*rows, t("md.financing_none")]
    for f in report.financing:
        rows.append(f"- **{md(f.name)}** ({md(f.jurisdiction)}) — {md(f.pays)} {md(f.eligible)} <{f.source}>")
    return [*rows, "", md(report.financing[0].note)]


def _round(value: float) -> float:
    """A converted estimate shown to the hundred (to the ten under 1,000): no false precision."""
    step = 100 if value >= 1000 else 10
    return round(value / step) * step


def action_rows(report: PlanReport) -> list[list[str]]:
    """One row per activity: initiative, activity, responsible, budget range (company currency), start, target."""
    titles = {i.catalogue_id: i.title for i in report.initiatives}
    return [
        [
            titles[a.initiative],
            x.name,
            x.responsible,
            f"{amount(x.budget_cad.min, report)}–{amount(x.budget_cad.max, report)}",
            x.start.isoformat(),
            x.target_date.isoformat(),
        ]
        for a in report.action_plan
        for x in a.activities
    ]


def amount(value_cad: float, report: PlanReport) -> str:
    """A CAD amount of the plan in the company's currency, rounded and formatted for its language."""
    rate = report.budget.rate if report.budget else 1.0
    return money(_round(value_cad / rate), report.language)


def money(value: float, language: Language) -> str:
    """12 500 in French (non-breaking space), 12,500 in English."""
    text = f"{value:,.0f}"
    return text.replace(",", "\u00a0") if language is Language.FR else text
