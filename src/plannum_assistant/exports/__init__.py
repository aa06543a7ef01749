"""The documents people take away from a stored plan (issue 11): DOCX, XLSX, Markdown, JSON.

In the plan's language. A plan that is not approved, or whose content no longer matches its
approval (tampered), carries "BROUILLON — non approuvé / DRAFT — not approved" on every page (the
DOCX header) and every sheet (the first row and the sheet header); an approved plan names its
reviewer and approval date. Every word comes from ``knowledge/wording.yaml``.
"""

from __future__ import annotations

import html
import io
import json
import re
from typing import Any, Literal

from .knowledge import Wording
from .markdown import to_markdown
from .report import PlanReport
from .review import StoredPlan

Format = Literal["docx", "xlsx", "md", "json", "html"]


def stamp(plan: StoredPlan, wording: Wording, report: PlanReport) -> str:
    """What every page says about the plan's approval."""
    language = report.language
    if plan.tampered():
        return wording.text("export.tampered", language)
    if plan.approval is None or plan.status.value != "approved":
        return wording.text("export.watermark", language)
    return wording.text("export.approved", language, reviewer=plan.approval.reviewer, date=plan.approval.at[:10])


def export(plan: StoredPlan, report: PlanReport, wording: Wording, fmt: Format) -> bytes:
    if fmt == "json":
        data = plan.model_dump(mode="json") | {"tampered": plan.tampered(), "stamp": stamp(plan, wording, report)}
        return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode()
    if fmt == "md":
        return (f"> **{stamp(plan, wording, report)}**\n\n" + to_markdown(report, wording)).encode()
    if fmt == "xlsx":
        return _xlsx(plan, report, wording)
    if fmt == "html":
        return _html(plan, report, wording)
    return _docx(plan, report, wording)


def _xlsx(plan: StoredPlan, report: PlanReport, wording: Wording) -> bytes:
    from openpyxl import Workbook
    from openpyxl.worksheet.datavalidation import DataValidation

    language = report.language

    def t(key: str) -> str:
        return wording.text(key, language)

    banner = stamp(plan, wording, report)
    titles = {i.catalogue_id: i.title for i in report.initiatives}
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = t("export.sheet.actions")[:31]
    _header(sheet, banner)
    sheet.append([banner])
    columns = ["initiative", "activity", "responsible", "budget_min", "budget_max", "start", "target", "status"]
    columns += ["done", "comment"]
    sheet.append([t(f"export.col.{c}") for c in columns])
    first = sheet.max_row + 1
    for actions in report.action_plan:
        for activity in actions.activities:
            values: list[object] = [titles[actions.initiative], activity.name, activity.responsible]
            values += [activity.budget_cad.min, activity.budget_cad.max, activity.start, activity.target_date]
            sheet.append([*values, t("export.statuses").split(",")[0], 0, ""])
    last = sheet.max_row
    sheet.append([t("export.total"), "", "", f"=SUM(D{first}:D{last})", f"=SUM(E{first}:E{last})"])
    sheet.freeze_panes = f"A{first}"
    sheet.auto_filter.ref = f"A{first - 1}:J{last}"
    statuses = DataValidation(type="list", formula1=f'"{t("export.statuses")}"', allow_blank=False)
    statuses.add(f"H{first}:H{last}")
    sheet.add_data_validation(statuses)
    for row in sheet.iter_rows(min_row=first, max_row=last, min_col=6, max_col=7):
        for cell in row:
            cell.number_format = "yyyy-mm-dd"
    kpis = book.create_sheet(t("export.sheet.initiatives")[:31])
    _header(kpis, banner)
    kpis.append([banner])
    kpis.append(
        [t(f"export.col.{c}") for c in ("priority", "initiative", "horizon", "kpi", "baseline", "target_value")]
    )
    for initiative in report.initiatives:
        for kpi in initiative.kpis or [None]:  # type: ignore[list-item]
            kpis.append(
                [
                    initiative.priority,
                    initiative.title,
                    initiative.horizon,
                    kpi.name if kpi else "",
                    (kpi.baseline or "") if kpi else "",
                    (kpi.target or "") if kpi else "",
                ]
            )
    kpis.freeze_panes = "A3"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _html(plan: StoredPlan, report: PlanReport, wording: Wording) -> bytes:
    """One self-contained, printable page: the Markdown's content as HTML, the stamp on top and on
    every printed page (a fixed header)."""
    language = report.language
    banner = html.escape(stamp(plan, wording, report))
    body: list[str] = []
    table: list[list[str]] = []

    def flush() -> None:
        if table:
            head, *rows = [r for r in table if not re.fullmatch(r"\|[-|\s]+\|", "|" + "|".join(r) + "|")]
            body.append("<table><thead><tr>" + "".join(f"<th>{_inline(c)}</th>" for c in head) + "</tr></thead><tbody>")
            body.extend("<tr>" + "".join(f"<td>{_inline(c)}</td>" for c in r) + "</tr>" for r in rows)
            body.append("</tbody></table>")
            table.clear()

    for line in to_markdown(report, wording).splitlines():
        if line.startswith("|"):
            table.append([cell.strip() for cell in re.split(r"(?<!\\)\|", line.strip())[1:-1]])
            continue
        flush()
        if match := re.match(r"(#{1,3}) (.*)", line):
            level = len(match[1])
            body.append(f"<h{level}>{_inline(match[2])}</h{level}>")
        elif line.startswith(("- ", "  - ")):
            body.append(f"<li>{_inline(line.lstrip(' -'))}</li>")
        elif line.startswith("> "):
            body.append(f"<p class='banner'>{_inline(line[2:])}</p>")
        elif line.strip():
            body.append(f"<p>{_inline(line)}</p>")
    flush()
    title = html.escape(wording.text("md.title", language, company=report.company.name))
    style = (
        "body{font-family:sans-serif;max-width:60em;margin:auto;padding-top:2.5em}"
        "table{border-collapse:collapse;width:100%}td,th{border:1px solid #888;padding:.3em;vertical-align:top}"
        ".stamp{position:fixed;top:0;left:0;right:0;background:#fff;border-bottom:2px solid #000;"
        "text-align:center;font-weight:bold;padding:.4em}"
    )
    page = (
        f"<!DOCTYPE html><html lang='{language.value}'><head><meta charset='utf-8'><title>{title}</title>"
        f"<style>{style}</style></head><body><div class='stamp'>{banner}</div>{''.join(body)}</body></html>\n"
    )
    return page.encode()


def _inline(text: str) -> str:
    """Markdown's **bold** and `code` in a line, the rest escaped."""
    escaped = html.escape(text.replace("\\|", "|"))
    escaped = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", escaped)
    return re.sub(r"`(.+?)`", r"<code>\1</code>", escaped)


def _header(sheet: Any, banner: str) -> None:
    """The watermark (or the approval) in every printed page's header."""
    sheet.oddHeader.center.text = banner


def _docx(plan: StoredPlan, report: PlanReport, wording: Wording) -> bytes:
    from docx import Document
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    language = report.language

    def t(key: str, **params: object) -> str:
        return wording.text(key, language, **params)

    document = Document()
    banner = stamp(plan, wording, report)
    section = document.sections[0]
    section.header.paragraphs[0].text = banner
    footer = section.footer.paragraphs[0]
    run = footer.add_run()
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):  # a PAGE field: page numbers
        if kind:
            field = OxmlElement("w:fldChar")
            field.set(qn("w:fldCharType"), kind)
            run._r.append(field)
        else:
            instruction = OxmlElement("w:instrText")
            instruction.text = text
            run._r.append(instruction)
    document.add_heading(t("md.title", company=report.company.name), level=0)
    document.add_paragraph(banner)
    document.add_paragraph(t("md.generated", today=report.today.isoformat()))
    if report.plan_size_rationale:
        document.add_paragraph(report.plan_size_rationale)
    document.add_heading(t("md.gate"), level=1)
    document.add_paragraph(t("md.gate_ready") if report.gate.ready else t("md.gate_blocked"))
    for line in [*report.gate.missing, *report.gate.warnings]:
        document.add_paragraph(line, style="List Bullet")
    document.add_heading(t("md.pain_points"), level=1)
    pains = [[p.id, p.text, t(f"severity.{int(p.severity)}")] for p in report.pain_points]
    _table(document, ["#", t("md.pain_points"), t("md.severity")], pains)
    if report.initiatives:
        document.add_heading(t("md.initiatives"), level=1)
        _table(
            document,
            [t("md.priority"), t("md.initiative"), t("md.horizon"), t("md.why")],
            [[str(i.priority), i.title, t(f"horizon.{i.horizon}"), i.rationale] for i in report.initiatives],
        )
        document.add_heading(t("md.action_plan"), level=1)
        titles = {i.catalogue_id: i.title for i in report.initiatives}
        rows = [
            [
                titles[a.initiative],
                x.name,
                x.responsible,
                f"{x.budget_cad.min:,.0f}–{x.budget_cad.max:,.0f}",
                x.start.isoformat(),
                x.target_date.isoformat(),
            ]
            for a in report.action_plan
            for x in a.activities
        ]
        headers = [t("export.col.initiative"), t("md.activity"), t("md.responsible"), t("export.col.budget")]
        _table(document, [*headers, t("md.start"), t("md.target")], rows)
    if report.budget:
        document.add_heading(t("md.budget_total"), level=1)
        document.add_paragraph(report.budget.note)
    if report.risks:
        document.add_heading(t("md.risks"), level=1)
        _table(document, [t("md.risk"), t("md.mitigation")], [[r.risk, r.mitigation] for r in report.risks])
    document.add_heading(t("md.follow_up"), level=1)
    owner = report.follow_up.owner
    cadence = report.follow_up.cadence
    document.add_paragraph(t("md.owner", owner=owner, cadence=cadence) if owner else t("md.no_owner", cadence=cadence))
    if report.reassessment_date:
        who = owner or t("md.reassessment_owner_missing")
        document.add_paragraph(t("md.reassessment", date=report.reassessment_date.isoformat(), owner=who))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _table(document: object, headers: list[str], rows: list[list[str]]) -> None:
    table = document.add_table(rows=1, cols=len(headers))  # type: ignore[attr-defined]
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        cell.text = text
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = str(text)
