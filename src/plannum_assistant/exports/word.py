"""The Word report (python-docx): what an owner hands to the board and a consultant starts from.

Cover (company, date, the approval stamp), a one-paragraph summary, the strategic plan and the
gate, the maturity profile with its radar, the pain points in the owner's words, the plan
numérique, the action plan, the roadmap Gantt, the budget, risks, follow-up and re-assessment,
and the catalogue sources. Real Word headings and tables (a consultant edits them), page numbers
in the footer, the stamp in every page's header. Every word comes from ``knowledge/wording.yaml``.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from typing import Any

from ..catalogue import Catalogue
from ..consultant_note import ConsultantNote
from ..knowledge import Wording
from ..markdown import action_rows, amount, money
from ..report import PlanReport
from ..text import quote
from . import charts

Table = list[list[str]]
TEXT_WIDTH_CM = 17.0  # Letter or A4 with 2 cm margins


class WordDocument:
    """A python-docx document with ``header`` on every page and page numbers in the footer."""

    def __init__(self, header: str) -> None:
        from docx import Document
        from docx.shared import Cm

        self.banner = header
        self.document: Any = Document()
        section = self.document.sections[0]
        for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
            setattr(section, side, Cm(2))
        section.header.paragraphs[0].text = xml_safe(header)
        _page_numbers(section.footer.paragraphs[0])

    def heading(self, text: str, level: int = 1) -> None:
        self.document.add_heading(xml_safe(text), level=level)

    def paragraph(self, text: str, style: str | None = None, *, bold: bool = False, italic: bool = False) -> None:
        paragraph = self.document.add_paragraph(style=style)
        run = paragraph.add_run(xml_safe(text))
        run.bold, run.italic = bold, italic

    def bullets(self, lines: Sequence[str]) -> None:
        for line in lines:
            self.document.add_paragraph(xml_safe(line), style="List Bullet")

    def table(self, headers: Sequence[str], rows: Table, widths: Sequence[float] | None = None) -> None:
        """A Word table (style "Table Grid"), bold header row repeated on every page, 8.5 pt text;
        ``widths`` are relative column weights over the page's text width."""
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn
        from docx.shared import Cm, Pt

        table = self.document.add_table(rows=1, cols=len(headers))
        table.style = "Table Grid"
        table.autofit = False
        header = table.rows[0]
        repeat = OxmlElement("w:tblHeader")
        repeat.set(qn("w:val"), "true")
        header._tr.get_or_add_trPr().append(repeat)
        for cell, text in zip(header.cells, headers, strict=True):
            cell.text = xml_safe(text)
        for row in rows:
            for cell, text in zip(table.add_row().cells, row, strict=True):
                cell.text = xml_safe(str(text))
        weights = list(widths or [1.0] * len(headers))
        for column, weight in zip(table.columns, weights, strict=True):
            column.width = Cm(TEXT_WIDTH_CM * weight / sum(weights))  # the grid LibreOffice reads
        for index, row in enumerate(table.rows):
            for cell, weight in zip(row.cells, weights, strict=True):
                cell.width = Cm(TEXT_WIDTH_CM * weight / sum(weights))
                for paragraph in cell.paragraphs:
                    for run in paragraph.runs:
                        run.font.size = Pt(8.5)
                        run.bold = index == 0

    def picture(self, png: bytes, caption: str) -> None:
        from docx.shared import Cm

        self.document.add_picture(io.BytesIO(png), width=Cm(16))
        self.paragraph(caption, "Caption")

    def page_break(self) -> None:
        self.document.add_page_break()

    def bytes(self) -> bytes:
        buffer = io.BytesIO()
        self.document.save(buffer)
        return buffer.getvalue()


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


def note_docx(note: ConsultantNote, header: str | None = None) -> bytes:
    """The consultant's note: ``header`` (a stored plan's approval stamp) or its title on every page,
    the sections as headings, bullets and numbers."""
    doc = WordDocument(header or note.title)
    doc.document.add_heading(xml_safe(note.title), level=0)
    doc.paragraph(note.purpose, italic=True)
    for section in note.sections:
        doc.heading(section.heading)
        style = {"bullets": "List Bullet", "numbered": "List Number"}.get(section.kind)
        for line in section.lines:
            doc.paragraph(line.replace("`", ""), style)
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


_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """Text a Word document can hold: control characters (which XML forbids) become spaces."""
    return _ILLEGAL.sub(" ", text)


def _page_numbers(paragraph: Any) -> None:
    """A PAGE field in the footer: Word and LibreOffice number the pages."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            field = OxmlElement("w:fldChar")
            field.set(qn("w:fldCharType"), kind)
            run._r.append(field)
        else:
            instruction = OxmlElement("w:instrText")
            instruction.text = text
            run._r.append(instruction)
