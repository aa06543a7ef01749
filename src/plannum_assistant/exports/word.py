"""The Word report (python-docx): what an owner hands to the board and a consultant starts from.

Cover (company, date, the approval stamp), a one-paragraph summary, the strategic plan and the
gate, the maturity profile with its radar, the pain points in the owner's words, the plan
numérique, the action plan, the roadmap Gantt, the budget, risks, follow-up and re-assessment,
and the catalogue sources. Real Word headings and tables (a consultant edits them), page numbers
in the footer, the stamp in every page's header. Every word comes from ``knowledge/wording.yaml``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..catalogue import Catalogue
from ..knowledge import Wording
from ..markdown import action_rows, amount, brought, money, next_cycle_cost
from ..report import PlanReport
from ..text import quote
from . import charts
from .document import WordDocument, xml_safe


class ReportDocument(WordDocument):
    """The plan's report: the stamp on every page, words in the plan's language."""

    def __init__(self, wording: Wording, report: PlanReport, banner: str) -> None:
        super().__init__(banner)
        self.wording, self.report = wording, report

    def t(self, key: str, **params: object) -> str:
        return self.wording.text(key, self.report.language, **params)


def report_docx(report: PlanReport, wording: Wording, banner: str, approved: bool, catalogue: Catalogue) -> bytes:
    doc = ReportDocument(wording, report, banner)
    t = doc.t
    _cover(doc, approved)
    doc.heading(t("doc.summary"))
    doc.paragraph(summary(report, wording))
    _strategic_plan(doc)
    _maturity(doc)
    _pain_points(doc)
    if report.initiatives:
        _plan_numerique(doc)
        _action_plan(doc, {e.id: e.prerequisites for e in catalogue})
        _budget(doc)
    if report.risks:
        doc.heading(t("md.risks"))
        titles = {i.catalogue_id: i.title for i in report.initiatives}
        rows = [[titles.get(r.catalogue_id or "", t("md.plan_wide")), r.risk, r.mitigation] for r in report.risks]
        doc.table(["", t("md.risk"), t("md.mitigation")], rows, widths=[3, 5, 6])
    _follow_up(doc)
    _sources(doc, catalogue)
    return doc.bytes()


def summary(report: PlanReport, wording: Wording) -> str:
    """One paragraph: who, the gate, how many initiatives answer how many pains, the budget, what comes first."""
    language = report.language

    def t(key: str, **params: object) -> str:
        return wording.text(key, language, **params)

    company = report.company
    who = t("doc.summary.company", name=company.name, sector=company.sector, employees=company.employees)
    if not report.gate.ready:
        return f"{who} {t('doc.summary.blocked', missing=len(report.gate.missing))}"
    answered = {p for i in report.initiatives for p in i.addresses}
    text = t(
        "doc.summary.plan",
        count=len(report.initiatives),
        answered=len(answered & {p.id for p in report.pain_points}),
        pains=len(report.pain_points),
        months=_months(report),
    )
    if report.budget:
        low, high = amount(report.budget.total_min, report), amount(report.budget.total_max, report)
        text += " " + t("doc.summary.budget", low=low, high=high, currency=report.budget.currency)
    if report.initiatives:
        text += " " + t("doc.summary.first", title=report.initiatives[0].title)
    if report.objectives_without_initiative:
        ids = ", ".join(o.id for o in report.objectives_without_initiative)
        text += " " + t("doc.summary.gaps", ids=ids)
    return f"{who} {text}"


def _months(report: PlanReport) -> int:
    ends = [a.target_date for actions in report.action_plan for a in actions.activities]
    if not ends:
        return 0
    last = max(ends)
    return max(1, (last.year - report.today.year) * 12 + last.month - report.today.month)


def _cover(doc: ReportDocument, approved: bool) -> None:
    report, t = doc.report, doc.t
    company = report.company
    doc.document.add_heading(xml_safe(t("md.title", company=company.name)), level=0)
    doc.paragraph(t("doc.subtitle"), bold=True)
    where = f" — {company.region}" if company.region else ""
    doc.paragraph(t("doc.company_line", sector=company.sector, employees=company.employees) + where)
    doc.paragraph(t("doc.prepared", today=report.today.isoformat(), engine=report.engine))
    doc.paragraph(doc.banner, bold=True)
    if not approved:
        doc.paragraph(t("doc.draft_note"), italic=True)
    doc.page_break()


def _strategic_plan(doc: ReportDocument) -> None:
    report, t = doc.report, doc.t
    doc.heading(t("doc.strategic_plan"))
    plan = report.strategic_plan
    if plan is not None:
        if plan.adopted:
            doc.paragraph(t("doc.adopted", date=plan.adopted.isoformat()))
        if plan.mission:
            doc.paragraph(t("doc.mission", mission=plan.mission))
        rows = []
        for objective in plan.objectives:
            failing = objective.smart.failing
            status = (
                t("doc.smart_ok")
                if not failing
                else t("doc.smart_missing", criteria=", ".join(t(f"gate.criterion.{c}") for c in failing))
            )
            rows.append([objective.id, objective.text, status])
        if rows:
            doc.table(["#", t("doc.objective"), "SMART"], rows, widths=[1.2, 9, 2.8])
    if report.smart_suggestions:
        doc.paragraph(t("md.smart_suggestions"), bold=True)
        doc.bullets([t("md.smart_suggestion", id=x.objective, rewrite=x.rewrite) for x in report.smart_suggestions])
    doc.heading(t("md.gate"), level=2)
    doc.paragraph(t("md.gate_ready") if report.gate.ready else t("md.gate_blocked"))
    doc.bullets([*report.gate.missing, *report.gate.warnings])
    if report.next_steps:
        doc.heading(t("md.next_steps"), level=2)
        doc.bullets(report.next_steps)


def _maturity(doc: ReportDocument) -> None:
    profile, t = doc.report.maturity, doc.t
    if profile is None or all(d.score is None for d in profile.dimensions):
        return
    doc.heading(t("md.maturity"))
    rows = [
        [
            d.label,
            t("md.unrated") if d.score is None else str(d.score),
            "" if d.gap is None else str(d.gap),
            t(f"dmat.{d.dmat}"),
        ]
        for d in profile.dimensions
    ]
    doc.table([t("md.dimension"), t("md.score"), t("md.gap"), "DMAT"], rows, widths=[5, 1.6, 1.2, 4])
    doc.picture(charts.png(charts.radar_figure(profile, t)), t("doc.radar_caption"))
    if profile.gaps:
        doc.paragraph(t("md.maturity_gaps", gaps=", ".join(profile.gaps)))


def _pain_points(doc: ReportDocument) -> None:
    report, t = doc.report, doc.t
    if not report.pain_points:
        return
    doc.heading(t("md.pain_points"))
    rows = [
        [p.id, quote(p.text, report.language), t(f"function.{p.function.value}"), t(f"severity.{int(p.severity)}")]
        for p in report.pain_points
    ]
    doc.table(["#", t("md.evidence"), t("md.function"), t("md.severity")], rows, widths=[1.1, 9, 2.6, 1.8])
    if report.unanswered:
        doc.paragraph(t("md.unanswered"), bold=True)
        doc.bullets(report.unanswered)


def _plan_numerique(doc: ReportDocument) -> None:
    report, t = doc.report, doc.t
    doc.heading(t("md.initiatives"))
    rows = [
        [
            str(i.priority),
            i.title,
            t(f"horizon.{i.horizon}"),
            ", ".join(i.addresses) or "—",
            ", ".join(i.supports) or "—",
        ]
        for i in report.initiatives
    ]
    headers = [t("md.priority"), t("md.initiative"), t("md.horizon"), t("doc.answers"), t("doc.serves")]
    doc.table(headers, rows, widths=[1.2, 7, 2.2, 2, 2])
    for initiative in report.initiatives:
        doc.heading(f"{initiative.priority}. {initiative.title}", level=2)
        doc.paragraph(initiative.rationale)
        if initiative.priority_reason:
            doc.paragraph(t("doc.rank", reason=initiative.priority_reason), italic=True)
        if initiative.includes:
            doc.paragraph(f"{t('md.includes')} — {brought(initiative, t)}".replace("`", ""))
        if initiative.kpis:
            kpis = [
                [k.name, k.baseline or t("md.to_measure"), k.target or "—", k.how_to_measure or ""]
                for k in initiative.kpis
            ]
            doc.table([t("md.kpi"), t("md.baseline"), t("md.kpi_target"), t("md.how_to_measure")], kpis, [4, 2, 2, 6])
    if report.quick_wins:
        doc.heading(t("md.quick_wins"), level=2)
        doc.bullets([f"{w.title} — {w.reason}" for w in report.quick_wins])
    if report.deadline_conflicts:
        doc.heading(t("md.deadline_conflicts"), level=2)
        doc.bullets([c.note for c in report.deadline_conflicts])
    if report.deferred:  # beyond the plan's size or horizon: the next cycle, with what it will cost
        doc.heading(t("md.deferred"), level=2)
        doc.bullets([f"{i.title} — {i.reason}{next_cycle_cost(i, report, t)}" for i in report.deferred])
    if report.use_what_you_own:  # modules to activate: what they answer and the objectives they serve
        doc.heading(t("md.use_what_you_own"), level=2)
        doc.bullets([u.note for u in report.use_what_you_own])
    if report.objectives_without_initiative:
        doc.heading(t("md.objectives_without_initiative"), level=2)
        doc.bullets([f"{o.id} — {o.text}" for o in report.objectives_without_initiative])


def _action_plan(doc: ReportDocument, prerequisites: Mapping[str, Sequence[str]]) -> None:
    report, t = doc.report, doc.t
    doc.heading(t("md.action_plan"))
    currency = report.budget.currency if report.budget else "CAD"
    doc.paragraph(t("md.currency_note", currency=currency))
    rows = action_rows(report)
    headers = [t("export.col.initiative"), t("md.activity"), t("md.responsible"), t("md.budget")]
    doc.table([*headers, t("md.start"), t("md.target")], rows, widths=[3.2, 5.4, 3, 2.4, 1.8, 1.8])
    doc.heading(t("chart.gantt.title"), level=2)
    doc.picture(charts.png(charts.gantt_figure(report, prerequisites, t)), t("doc.gantt_caption"))


def _budget(doc: ReportDocument) -> None:
    report, t = doc.report, doc.t
    budget = report.budget
    if budget is None:
        return
    doc.heading(t("md.budget_total"))
    language = report.language
    rows = [
        [
            t("doc.budget.one_time"),
            f"{money(budget.total_min, language)}–{money(budget.total_max, language)} {budget.currency}",
        ],
        [
            t("doc.budget.yearly"),
            f"{money(budget.yearly_min, language)}–{money(budget.yearly_max, language)} {budget.currency}",
        ],
        [t("doc.budget.internal_days"), f"{budget.internal_days_min:g}–{budget.internal_days_max:g}"],
    ]
    if budget.envelope is not None:
        rows.append([t("doc.budget.envelope"), f"{money(budget.envelope, language)} {budget.currency}"])
    if budget.deferred_max:
        later = f"{money(budget.deferred_min, language)}–{money(budget.deferred_max, language)} {budget.currency}"
        rows.append([t("doc.budget.deferred"), later])
    doc.table([t("md.budget"), t("doc.amount")], rows, widths=[3, 2])
    doc.paragraph(budget.note)
    if budget.conversion:
        doc.paragraph(budget.conversion, italic=True)
    if budget.alternatives:
        doc.paragraph(t("md.lower_cost"), bold=True)
        doc.bullets(budget.alternatives)
    if report.financing:
        doc.heading(t("md.financing"), level=2)
        doc.bullets([f"{f.name} ({f.jurisdiction}) — {f.pays} — {f.source}" for f in report.financing])


def _follow_up(doc: ReportDocument) -> None:
    report, t = doc.report, doc.t
    doc.heading(t("md.follow_up"))
    owner, cadence = report.follow_up.owner, report.follow_up.cadence
    doc.paragraph(
        (t("md.owner", owner=owner, cadence=cadence) if owner else t("md.no_owner", cadence=cadence)).replace("**", "")
    )
    if report.reassessment_date:
        who = owner or t("md.reassessment_owner_missing")
        doc.paragraph(t("md.reassessment", date=report.reassessment_date.isoformat(), owner=who))


def _sources(doc: ReportDocument, catalogue: Catalogue) -> None:
    report, t = doc.report, doc.t
    doc.heading(t("doc.sources"))
    doc.paragraph(t("doc.sources_note", hash=report.catalogue_hash[:12]))
    rows = []
    for initiative in report.initiatives:
        if initiative.catalogue_id not in catalogue:
            continue
        entry = catalogue[initiative.catalogue_id]
        cited = "; ".join(" — ".join(part for part in (s.title, s.url or s.note or "") if part) for s in entry.sources)
        rows.append([initiative.catalogue_id, initiative.title, cited])
    if rows:
        doc.table([t("doc.catalogue_id"), t("md.initiative"), t("doc.source")], rows, widths=[2.6, 4, 7])
