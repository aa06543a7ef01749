"""The action plan as a spreadsheet to follow (openpyxl): one row per activity, real dates, a status
drop-down, filters, a frozen header and SUM totals; a second sheet with the initiatives and KPIs (the
pain points each answers, and what a system brings instead of tools bought apart); a third with
the pain points in the owner's words; a fourth with the deferred initiatives and their next-cycle
cost.
The stamp is the first row and every printed page's header."""

from __future__ import annotations

import io
from typing import Any

from ..knowledge import Wording
from ..markdown import brought
from ..report import PlanReport


def report_xlsx(report: PlanReport, wording: Wording, banner: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.worksheet.datavalidation import DataValidation

    language = report.language

    def t(key: str, **params: object) -> str:
        return wording.text(key, language, **params)

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
            append_text(sheet, [*values, t("export.statuses").split(",")[0], 0, ""])
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
    columns = ["priority", "initiative", "horizon", "kpi", "baseline", "target_value", "addresses", "brings"]
    kpis.append([t(f"export.col.{c}") for c in columns])
    for initiative in report.initiatives:
        brings = brought(initiative, t).replace("`", "")  # what a system brings instead of tools bought apart
        for kpi in initiative.kpis or [None]:  # type: ignore[list-item]
            append_text(
                kpis,
                [
                    initiative.priority,
                    initiative.title,
                    initiative.horizon,
                    kpi.name if kpi else "",
                    (kpi.baseline or "") if kpi else "",
                    (kpi.target or "") if kpi else "",
                    ", ".join(initiative.addresses),
                    brings,
                ],
            )
    kpis.freeze_panes = "A3"
    pains = book.create_sheet(t("export.sheet.pains")[:31])  # what the initiatives' "Answers" refer to
    _header(pains, banner)
    pains.append([banner])
    pains.append([t(f"export.col.{c}") for c in ("pain", "statement")])
    for pain in report.pain_points:
        append_text(pains, [pain.id, pain.text])
    pains.freeze_panes = "A3"
    if report.deferred:  # the next cycle: what waits, why, and what it will cost (in the plan's currency)
        later = book.create_sheet(t("export.sheet.deferred")[:31])
        _header(later, banner)
        later.append([banner])
        later.append([t(f"export.col.{c}") for c in ("initiative", "reason", "cost_min", "cost_max", "currency")])
        currency = report.budget.currency if report.budget else "CAD"
        for item in report.deferred:
            append_text(later, [item.title, item.reason, item.budget_min, item.budget_max, currency])
        later.freeze_panes = "A3"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _header(sheet: Any, banner: str) -> None:
    """The watermark (or the approval) in every printed page's header."""
    sheet.oddHeader.center.text = banner


def append_text(sheet: Any, values: list[object]) -> None:
    """A row of data, never of formulas: text from owners or reviewers that starts with ``=`` (or
    holds control characters, which XLSX forbids) is stored as plain text."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    sheet.append([ILLEGAL_CHARACTERS_RE.sub(" ", v) if isinstance(v, str) else v for v in values])
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str) and cell.data_type == "f":
            cell.data_type = "s"
