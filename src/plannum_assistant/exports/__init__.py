"""The documents people take away from a stored plan (issue 11): DOCX, XLSX, HTML, Markdown, JSON.

In the plan's language. A plan that is not approved, or whose content no longer matches its
approval (tampered), carries "BROUILLON — non approuvé / DRAFT — not approved" on every page (the
DOCX header, the HTML's fixed banner) and every sheet (the first row and the sheet header); an
approved plan names its reviewer and approval date. Every word comes from ``knowledge/wording.yaml``.
One module per format: ``word`` (DOCX), ``sheet`` (XLSX), ``page`` (HTML), and ``charts``.
"""

from __future__ import annotations

import json
from typing import Literal

from ..catalogue import Catalogue
from ..knowledge import Wording
from ..markdown import to_markdown
from ..report import PlanReport
from ..review import StoredPlan

Format = Literal["docx", "xlsx", "md", "json", "html"]


def stamp(plan: StoredPlan, wording: Wording, report: PlanReport) -> str:
    """What every page says about the plan's approval."""
    language = report.language
    if plan.tampered():
        return wording.text("export.tampered", language)
    if not approved(plan):
        return wording.text("export.watermark", language)
    assert plan.approval is not None
    return wording.text("export.approved", language, reviewer=plan.approval.reviewer, date=plan.approval.at[:10])


def approved(plan: StoredPlan) -> bool:
    """Approved and untouched since: the only plans exported as final."""
    return plan.approval is not None and plan.status.value == "approved" and not plan.tampered()


def export(plan: StoredPlan, report: PlanReport, wording: Wording, fmt: Format, catalogue: Catalogue) -> bytes:
    """The plan as ``fmt``'s bytes; ``catalogue`` gives the prerequisites the Gantt draws and the sources."""
    banner = stamp(plan, wording, report)
    if fmt == "json":
        data = plan.model_dump(mode="json") | {"tampered": plan.tampered(), "stamp": banner}
        return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode()
    if fmt == "md":
        return (f"> **{banner}**\n\n" + to_markdown(report, wording)).encode()
    if fmt == "xlsx":
        from .sheet import report_xlsx

        return report_xlsx(report, wording, banner)
    if fmt == "html":
        from .page import report_html

        return report_html(report, wording, banner, catalogue)
    from .word import report_docx

    return report_docx(report, wording, banner, approved(plan), catalogue)
