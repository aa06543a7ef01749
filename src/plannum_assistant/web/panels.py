"""What the web page shows beside the chat, built from the core's data (no business rule here)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..interview import InterviewState
from ..markdown import md
from ..report import PlanReport
from ..vocabulary import Language

if TYPE_CHECKING:
    from .handlers import WebApp


def quick_replies(app: WebApp, state: InterviewState) -> list[tuple[str, str]]:
    """The buttons under the chat: yes/no, the 0-5 levels with their descriptions, skip."""
    topic = state.current
    language = state.language
    if topic is None or state.done:
        return []
    kind = app.assistant.interview_script.topic(topic).kind if topic != "worksheet.offer" else "yes_no"
    skip = (app.t("skip", language), app.t("skip_word", language))
    if kind == "yes_no":
        return [
            (app.t("yes", language), app.t("yes", language)),
            (app.t("no", language), app.t("no", language)),
        ]
    if kind == "scale" and topic.startswith("maturity."):
        spec = next(d for d in app.assistant.dimensions.dimensions if d.id.value == topic.split(".", 1)[1])
        levels = [(f"{a.level} — {a.get(language)}", str(a.level)) for a in spec.anchors]
        return [*levels, skip]
    if topic in ("company.name", "company.sector", "company.employees", "language"):
        return []
    return [skip]


def company_markdown(report: PlanReport, app: WebApp, language: Language) -> str:
    company = report.company
    employees = app.t("employees", language, count=company.employees)
    lines = [f"**{md(company.name)}** — {md(company.sector)}, {employees}"]
    lines += ["", app.t("gate_ready" if report.gate.ready else "gate_missing", language)]
    lines += [f"- {line}" for line in [*report.gate.missing, *report.gate.warnings]]
    return "\n".join(lines)
