"""What the web app does, as plain functions over the core API (issue 12): no Gradio here.

Each handler takes the browser session's small state (:class:`UiState`: language, interview
session id, stored plan id) and returns a :class:`View`, everything the page shows. Interview turns
go through :class:`~plannum_assistant.conversation.Conversation` (stored after every turn, so a
browser that closes loses nothing), plans through the planner and the plan store, review through
:class:`~plannum_assistant.review.Reviewer`, documents through :mod:`plannum_assistant.exports`.
Nothing is shared between browser sessions but the assistant itself (read-only knowledge, a store
with a connection per thread). Every failure becomes a line in ``View.error``, never a traceback.
"""

from __future__ import annotations

import logging
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from ..assistant import Assistant
from ..conversation import Conversation
from ..errors import PlannumError
from ..interview import InterviewState, build_intake
from ..markdown import action_rows, md
from ..report import validate_report
from ..review import StoredPlan
from ..vocabulary import Dimension, Language
from .panels import company_markdown, quick_replies

log = logging.getLogger(__name__)

STAGES = (
    "company",
    "strategic_plan",
    "maturity",
    "pain_points",
    "systems",
    "constraints",
    "follow_up",
    "plan",
    "review",
)
_STAGE_OF = {"language": "company", "summary": "follow_up", "draft_plan": "plan"}
FORMATS = ("docx", "xlsx", "md", "json", "html")
WORKSHEET_PARTS = (
    "strategic_orientations",
    "strategic_objectives",
    "operational_orientations",
    "operational_objectives",
)


class UiState(BaseModel):
    """One browser session's state (kept by the page): which interview and which plan."""

    model_config = ConfigDict(extra="forbid")

    language: Language = Language.FR
    session_id: str | None = None
    plan_id: str | None = None


@dataclass
class View:
    """Everything the page shows after a handler ran."""

    ui: UiState
    chat: list[dict[str, str]] = field(default_factory=list)
    stages: list[tuple[str, str]] = field(default_factory=list)  # (label, "done" | "current" | "todo")
    choices: list[tuple[str, str]] = field(default_factory=list)  # quick replies: (label, message sent)
    company: str = ""  # Markdown: the company, the gate, SMART advice or the minute-papillon note
    maturity: dict[Dimension, int] = field(default_factory=dict)
    pains: list[list[str]] = field(default_factory=list)
    initiatives: list[list[str]] = field(default_factory=list)
    actions: list[list[str]] = field(default_factory=list)
    items: list[list[str]] = field(default_factory=list)  # review items: key, state, reviewer
    banner: str = ""
    error: str | None = None
    notice: str | None = None


class WebApp:
    """The handlers of the web app over one :class:`Assistant` (shared, thread-safe for these uses)."""

    def __init__(self, assistant: Assistant, today: Callable[[], date] = date.today) -> None:
        self.assistant = assistant
        self.today = today
        self.files = Path(tempfile.mkdtemp(prefix="plannum-ui-"))

    def t(self, key: str, language: Language, **params: object) -> str:
        return self.assistant.wording.text(f"ui.{key}", language, **params)

    # --- the interview ------------------------------------------------------------------------

    def start(self, language: Language) -> View:
        """A new interview in ``language`` (the language question is answered by the choice)."""
        return self._guard(UiState(language=language), lambda: self._start(language))

    def _start(self, language: Language) -> View:
        conversation, _ = Conversation.start(self.assistant.sessions, self._engine(), language)
        return self._view(UiState(language=language, session_id=conversation.session_id))

    def resume(self, ui: UiState, session_id: str) -> View:
        """Reopen a stored interview by its id (from the URL or the field)."""

        def run() -> View:
            conversation, _ = Conversation.resume(self.assistant.sessions, self._engine(), session_id.strip())
            state = conversation.state
            resumed = UiState(language=state.language, session_id=conversation.session_id)
            return self._after_turn(resumed, conversation, None)

        return self._guard(ui, run)

    def send(self, ui: UiState, message: str) -> View:
        """One message of the owner; the plan is drafted and stored when the interview ends."""

        def run() -> View:
            if ui.session_id is None:
                return self._start(ui.language) if not message.strip() else self._first(ui, message)
            conversation = self._conversation(ui.session_id)
            if not message.strip():
                return self._view(ui)
            turn = conversation.send(message)
            return self._after_turn(ui, conversation, turn.notice)

        return self._guard(ui, run)

    def _first(self, ui: UiState, message: str) -> View:
        view = self._start(ui.language)
        return self.send(view.ui, message)

    def _after_turn(self, ui: UiState, conversation: Conversation, notice: str | None) -> View:
        if conversation.done and ui.plan_id is None:
            source = f"web session {conversation.session_id}"
            plan_id = self.assistant.plans.latest_from(source)  # resumed: the plan under review, not a new one
            if plan_id is None:
                report = self.assistant.plan(build_intake(conversation.state), self.today(), engine="auto")
                plan_id = self.assistant.save_plan(report, source=source).id
            ui = ui.model_copy(update={"plan_id": plan_id})
        view = self._view(ui)
        view.notice = notice
        return view

    def refresh(self, ui: UiState) -> View:
        """The page as it stands (nothing changed)."""
        return self._guard(ui, lambda: self._view(ui))

    def upload(self, ui: UiState, path: Path) -> View:
        """An intake file instead of the interview: the plan is drafted and stored at once."""

        def run() -> View:
            from ..intake import load_intake

            intake = load_intake(path)
            report = self.assistant.plan(intake, self.today(), engine="auto")
            stored = self.assistant.save_plan(report, source=f"web upload {path.name}")
            return self._view(UiState(language=intake.language, plan_id=stored.id))

        return self._guard(ui, run)

    # --- review and documents -----------------------------------------------------------------

    def review(self, ui: UiState, action: str, item: str, change: str, reviewer: str, comment: str) -> View:
        """accept | reject | edit (``change`` is FIELD=VALUE) | add (``item`` is a catalogue id) |
        approve | request-changes, signed by ``reviewer``; a refused change shows the rule that failed."""

        def run() -> View:
            if ui.plan_id is None:
                raise PlannumError(self.t("no_plan", ui.language))
            store = self.assistant.plans
            plan = store.load(ui.plan_id)
            who = self.assistant.reviewer()
            note = comment.strip() or None
            if action == "accept":
                new, audit = who.accept(plan, item, reviewer, note)
            elif action == "reject":
                new, audit = who.reject(plan, item, reviewer, note)
            elif action == "edit":
                name, _, value = change.partition("=")
                if not value and "=" not in change:
                    raise PlannumError(self.t("edit_format", ui.language))
                new, audit = who.edit(plan, item, name.strip(), value.strip(), reviewer, note)
            elif action == "add":
                entry_id = item.strip()
                if entry_id not in self.assistant.catalogue:  # words: say which entries they point to
                    hits = self.assistant.search(entry_id or "?", top_k=3) if entry_id else []
                    found = ", ".join(f"{h.id} ({h.name})" for h in hits)
                    raise PlannumError(self.t("add_which", ui.language, found=found or "—"))
                initiative, actions = self.assistant.initiative_for_review(plan, entry_id, [], [])
                new, audit = who.add(plan, initiative, actions, reviewer, note)
            elif action == "approve":
                new, audit = who.approve(plan, reviewer, note)
            else:
                new, audit = who.request_changes(plan, reviewer, note)
            store.update(new, audit)
            return self._view(ui)

        return self._guard(ui, run)

    def accept_all(self, ui: UiState, reviewer: str) -> View:
        """Accept every item still proposed (the reviewer has read them)."""

        def run() -> View:
            if ui.plan_id is None:
                raise PlannumError(self.t("no_plan", ui.language))
            store, who = self.assistant.plans, self.assistant.reviewer()
            plan = store.load(ui.plan_id)
            for key in plan.undecided():
                plan, audit = who.accept(plan, key, reviewer)
                store.update(plan, audit)
            return self._view(ui)

        return self._guard(ui, run)

    def document(self, ui: UiState, fmt: str) -> Path:
        """The stored plan as a file (watermarked until approved), or the consultant's note ("note")."""
        from ..exports import export
        from ..exports.document import note_docx

        if ui.plan_id is None:
            raise PlannumError(self.t("no_plan", ui.language))
        plan = self.assistant.plans.load(ui.plan_id)
        report = validate_report(plan.report, self.assistant.catalogue)
        slug = re.sub(r"[^a-z0-9]+", "-", report.company.name.lower()).strip("-") or "plan"
        folder = Path(tempfile.mkdtemp(dir=self.files))
        if fmt == "note":
            from ..exports import stamp

            target = folder / f"note-{slug}.docx"
            note = self.assistant.consultant_note(self.today(), report=report)
            target.write_bytes(note_docx(note, stamp(plan, self.assistant.wording, report)))
        else:
            target = folder / f"plan-{slug}.{fmt}"
            data = export(plan, report, self.assistant.wording, fmt, self.assistant.catalogue)  # type: ignore[arg-type]
            target.write_bytes(data)
        return target

    # --- building the view --------------------------------------------------------------------

    def _view(self, ui: UiState) -> View:
        view = View(ui=ui)
        language = ui.language
        state: InterviewState | None = None
        if ui.session_id is not None:
            state = self.assistant.sessions.load(ui.session_id)
            language = state.language
            view.ui = ui = ui.model_copy(update={"language": language})
            view.chat = [{"role": m["role"] or "assistant", "content": m["text"] or ""} for m in self._transcript(ui)]
            view.choices = quick_replies(self, state)
            self._interview_panels(view, state)
        plan = self.assistant.plans.load(ui.plan_id) if ui.plan_id else None
        current = self._stage(state, plan)
        reached = STAGES.index(current)
        view.stages = [
            (self.t(f"stage.{s}", language), "done" if n < reached else "current" if n == reached else "todo")
            for n, s in enumerate(STAGES)
        ]
        if plan is not None:
            self._plan_panels(view, plan)
        return view

    def _transcript(self, ui: UiState) -> list[dict[str, str | None]]:
        assert ui.session_id is not None
        return self.assistant.sessions.transcript(ui.session_id)

    def _stage(self, state: InterviewState | None, plan: StoredPlan | None) -> str:
        if plan is not None:
            return "review" if plan.status.value != "draft" or (plan.decisions and not plan.undecided()) else "plan"
        if state is None:
            return "company"
        return _STAGE_OF.get(state.stage, state.stage if state.stage in STAGES else "company")

    def _interview_panels(self, view: View, state: InterviewState) -> None:
        language = state.language
        try:
            intake = build_intake(state)
        except PlannumError:
            view.company = self.t("company_pending", language)
            return
        company = intake.company
        employees = self.t("employees", language, count=company.employees)
        lines = [f"**{md(company.name)}** — {md(company.sector)}, {employees}"]  # the owner's words stay text
        if company.region:
            lines[0] += f" — {md(company.region)}"
        if state.answers.get("strategic_plan.exists") is False or state.worksheet:
            lines += ["", self.t("minute_papillon", language)]
            sheet = intake.worksheet
            if sheet is not None:  # what the owner drafted in the worksheet, to take away
                wording = self.assistant.wording
                lines += ["", f"**{wording.text('md.worksheet', language)}**"]
                if sheet.mission:
                    label = wording.text("md.worksheet.mission", language)
                    lines.append("- " + self.t("labelled", language, label=label, text=md(sheet.mission)))
                for part in WORKSHEET_PARTS:
                    for text in getattr(sheet, part):
                        label = wording.text(f"md.worksheet.{part}", language)
                        lines.append("- " + self.t("labelled", language, label=label, text=md(text)))
        elif intake.strategic_plan is not None:
            gate = self.assistant.check_gate(intake.strategic_plan.to_model(), self.today())
            lines += ["", self.t("gate_ready" if gate.ready else "gate_missing", language)]
            wording = self.assistant.wording
            messages = [*gate.missing_messages(language, wording), *gate.warning_messages(language, wording)]
            lines += [f"- {line}" for line in messages]
        view.company = "\n".join(lines)
        view.maturity = dict(intake.maturity)
        functions = self.assistant.interview_script.functions
        view.pains = [
            [f"P{n}", text, functions[f].get(language) if f else ""]
            for n, (text, f) in enumerate(
                zip(intake.pain_points, intake.pain_functions or [None] * len(intake.pain_points), strict=True), 1
            )
        ]

    def _plan_panels(self, view: View, plan: StoredPlan) -> None:
        from ..exports import stamp

        report = validate_report(plan.report, self.assistant.catalogue)
        view.ui = view.ui.model_copy(update={"language": report.language})
        view.banner = stamp(plan, self.assistant.wording, report)
        if not view.company:
            view.company = company_markdown(report, self, view.ui.language)
            view.maturity = {
                Dimension(d.dimension): d.score
                for d in (report.maturity.dimensions if report.maturity else [])
                if d.score is not None
            }
            view.pains = [[p.id, p.text, p.function.value] for p in report.pain_points]
        wording = self.assistant.wording
        view.initiatives = [
            [
                str(i.priority),
                i.title,
                wording.text(f"horizon.{i.horizon}", report.language),
                ", ".join(i.addresses),
                ", ".join(i.supports) or "—",
            ]
            for i in report.initiatives
        ]
        view.actions = action_rows(report)
        view.items = [[key, d.state.value, d.reviewer or ""] for key, d in plan.decisions.items()]

    # --- helpers ------------------------------------------------------------------------------

    def _engine(self) -> Any:
        return self.assistant.engine(self.today())

    def _conversation(self, session_id: str) -> Conversation:
        return Conversation(
            self.assistant.sessions, self._engine(), session_id, self.assistant.sessions.load(session_id)
        )

    def _guard(self, ui: UiState, run: Callable[[], View]) -> View:
        """Run a handler; a known problem is its one-line message, anything else a generic line (logged)."""
        try:
            return run()
        except PlannumError as exc:
            view = self._safe_view(ui)
            view.error = str(exc)
            return view
        except Exception:
            log.exception("web handler failed at %s", datetime.now().isoformat(timespec="seconds"))
            view = self._safe_view(ui)
            view.error = self.t("unexpected", ui.language)
            return view

    def _safe_view(self, ui: UiState) -> View:
        try:
            return self._view(ui)
        except Exception:
            return View(ui=ui)
