"""Documents of a stored plan (issue 11): opened with python-docx and openpyxl and read back."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from docx import Document
from openpyxl import load_workbook

from plannum_assistant.assistant import Assistant
from plannum_assistant.exports import export
from plannum_assistant.intake import load_intake
from plannum_assistant.report import validate_report
from plannum_assistant.review import Reviewer, StoredPlan, new_stored_plan

from .conftest import ROOT

TODAY = date(2026, 11, 26)


@pytest.fixture(scope="module")
def drafted(assistant: Assistant) -> StoredPlan:
    return new_stored_plan("x1", assistant.plan(load_intake(ROOT / "examples" / "intake-fr.yaml"), TODAY))


def _approved(assistant: Assistant, plan: StoredPlan) -> StoredPlan:
    reviewer = Reviewer(assistant.plan_context, datetime(2026, 11, 27, 10, 0))
    for key in plan.undecided():
        plan, _ = reviewer.accept(plan, key, "Marie Roy")
    plan, _ = reviewer.approve(plan, "Marie Roy")
    return plan


def _render(assistant: Assistant, plan: StoredPlan, fmt: str) -> bytes:
    report = validate_report(plan.report, assistant.catalogue)
    return export(plan, report, assistant.wording, fmt, assistant.catalogue)  # type: ignore[arg-type]


def test_the_docx_has_real_headings_tables_and_the_draft_watermark(assistant: Assistant, drafted: StoredPlan) -> None:
    document = Document(io.BytesIO(_render(assistant, drafted, "docx")))
    headings = [p.text for p in document.paragraphs if p.style is not None and p.style.name.startswith("Heading")]
    assert "Plan d'action" in headings and "Initiatives numériques" in headings and "Problématiques" in headings
    assert document.sections[0].header.paragraphs[0].text == "BROUILLON — non approuvé"
    activities = sum(len(a["activities"]) for a in drafted.report["action_plan"])
    action_table = next(t for t in document.tables if t.rows[0].cells[1].text == "Activité")
    assert len(action_table.rows) == activities + 1
    first = drafted.report["action_plan"][0]["activities"][0]
    start, target = (c.text for c in action_table.rows[1].cells[4:6])
    assert (start, target) == (first["start"], first["target_date"])  # dates in their own columns
    assert "PAGE" in document.sections[0].footer._element.xml  # page numbers


def test_an_approved_plan_names_its_reviewer_and_a_tampered_one_is_a_draft_again(
    assistant: Assistant, drafted: StoredPlan
) -> None:
    approved = _approved(assistant, drafted)
    document = Document(io.BytesIO(_render(assistant, approved, "docx")))
    assert document.sections[0].header.paragraphs[0].text == "Approuvé par Marie Roy le 2026-11-27"
    forged = approved.model_copy(deep=True)
    forged.report["follow_up"]["cadence"] = "annuelle"
    stamped = Document(io.BytesIO(_render(assistant, forged, "docx"))).sections[0].header.paragraphs[0].text
    assert stamped == "MODIFIÉ APRÈS APPROBATION — non approuvé"


def test_the_xlsx_follows_the_action_plan_with_totals_filters_and_statuses(
    assistant: Assistant, drafted: StoredPlan
) -> None:
    book = load_workbook(io.BytesIO(_render(assistant, drafted, "xlsx")))
    sheet = book["Plan d'action"]
    header = sheet.oddHeader
    assert header is not None and header.center.text == "BROUILLON — non approuvé"
    assert sheet["A1"].value == "BROUILLON — non approuvé"
    activities = [x for a in drafted.report["action_plan"] for x in a["activities"]]
    first, last = 3, 2 + len(activities)
    assert [sheet.cell(row=r, column=2).value for r in range(first, last + 1)] == [x["name"] for x in activities]
    assert isinstance(sheet.cell(row=first, column=6).value, datetime)  # dates are real dates
    assert sheet.cell(row=last + 1, column=4).value == f"=SUM(D{first}:D{last})"
    assert sheet.freeze_panes == f"A{first}" and sheet.auto_filter.ref == f"A{first - 1}:J{last}"
    (validation,) = sheet.data_validations.dataValidation
    assert "En cours" in (validation.formula1 or "") and f"H{first}:H{last}" in str(validation.sqref)
    kpis = book["Initiatives et indicateurs"]
    assert kpis.cell(row=3, column=2).value == drafted.report["initiatives"][0]["title"]


def test_the_html_is_one_printable_page_with_the_stamp_and_the_plans_tables(
    assistant: Assistant, drafted: StoredPlan
) -> None:
    from html.parser import HTMLParser

    page = _render(assistant, drafted, "html").decode()
    assert page.startswith("<!DOCTYPE html>") and "<html lang='fr'>" in page
    assert "<div class='stamp'>BROUILLON — non approuvé</div>" in page
    assert "http" not in page.split("<body>")[0]  # self-contained: no external stylesheet or script

    class Cells(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.cells: list[str] = []
            self.inside = False

        def handle_starttag(self, tag: str, attrs: object) -> None:
            self.inside = tag == "td"

        def handle_data(self, data: str) -> None:
            if self.inside:
                self.cells.append(data)

    parser = Cells()
    parser.feed(page)
    activities = [x["name"] for a in drafted.report["action_plan"] for x in a["activities"]]
    assert all(name in parser.cells for name in activities)  # every activity is a table cell
    assert "<h2>Plan d&#x27;action</h2>" in page


def test_the_stored_plan_schema_is_published() -> None:
    from .conftest import run_cli

    result = run_cli("schema", "--model", "stored-plan")
    assert result.returncode == 0 and '"decisions"' in result.stdout and '"approval"' in result.stdout
