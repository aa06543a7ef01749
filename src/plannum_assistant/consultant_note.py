"""The consultant's pre-engagement note (``plannum note``): one or two pages to prepare a first meeting.

Built from a plan report (drafted from an intake or an interview, or a stored plan): the company
snapshot, the strategic plan's status and gaps, the maturity profile, the pain points quoted, the
initiative hypotheses with their grounding, the questions to validate on site and the documents to
request. The questions and documents are chosen by what the report shows (objectives that fail SMART
checks, unanswered pains, the functions that hurt, the systems in place, a missing envelope or
owner); every sentence comes from ``knowledge/note.yaml`` or ``knowledge/wording.yaml``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .errors import KnowledgeError
from .files import load_model
from .knowledge import Wording
from .markdown import md_line, money
from .models import Objective
from .report import PlanReport
from .text import quote
from .vocabulary import BusinessFunction, Language


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Phrase(_Strict):
    fr: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def get(self, language: Language, **params: object) -> str:
        return getattr(self, language.value).format(**params)  # type: ignore[no-any-return]


class NoteQuestions(_Strict):
    stale_or_missing_plan: Phrase
    objective_not_smart: Phrase
    unanswered: Phrase
    baseline: Phrase
    system: Phrase
    no_systems: Phrase
    no_budget: Phrase
    no_owner: Phrase
    by_function: dict[BusinessFunction, list[Phrase]]


class NoteDocuments(_Strict):
    always: list[Phrase] = Field(min_length=1)
    no_plan: list[Phrase]
    systems: list[Phrase]
    by_function: dict[BusinessFunction, list[Phrase]]


class NoteKnowledge(_Strict):
    """knowledge/note.yaml: the note's headings, lines, questions and documents, in both languages."""

    version: Literal[1]
    office_tools: list[str]
    headings: dict[str, Phrase]
    lines: dict[str, Phrase]
    questions: NoteQuestions
    documents: NoteDocuments

    def heading(self, key: str, language: Language, **params: object) -> str:
        return self._pick(self.headings, "headings", key).get(language, **params)

    def line(self, key: str, language: Language, **params: object) -> str:
        return self._pick(self.lines, "lines", key).get(language, **params)

    @staticmethod
    def _pick(table: Mapping[str, Phrase], part: str, key: str) -> Phrase:
        try:
            return table[key]
        except KeyError:
            raise KnowledgeError(f"knowledge/note.yaml: {part}.{key} is missing (add it in both languages)") from None


def load_note_knowledge(knowledge_dir: Path) -> NoteKnowledge:
    return load_model(knowledge_dir / "note.yaml", NoteKnowledge, KnowledgeError)


class NoteSection(_Strict):
    heading: str
    kind: Literal["paragraphs", "bullets", "numbered"]
    lines: list[str]


class ConsultantNote(_Strict):
    language: Language
    title: str
    purpose: str
    sections: list[NoteSection]


_Line = Callable[..., str]  # key, **params -> a line of knowledge/note.yaml in the note's language
MAX_QUESTIONS = 12  # one page of questions: a first meeting lasts about two hours


def build_note(
    report: PlanReport,
    knowledge: NoteKnowledge,
    wording: Wording,
    *,
    systems: Sequence[str] = (),
    envelope: float | None = None,
    currency: str = "CAD",
    leads: Mapping[str, Sequence[str]] | None = None,
) -> ConsultantNote:
    """The note for ``report``. ``systems`` and ``envelope`` come from the intake when there is one
    (a stored plan gives its in-place evidence and budget envelope); ``leads`` (pain id -> catalogue
    titles) stand in for hypotheses when the gate is not ready."""
    language = report.language

    def line(key: str, **params: object) -> str:
        return knowledge.line(key, language, **params)

    def t(key: str, **params: object) -> str:
        return wording.text(key, language, **params)

    systems = list(systems) or sorted({p.evidence for p in report.in_place})
    if report.budget is not None and report.budget.envelope is not None:  # converted by the planner
        envelope, currency = report.budget.envelope, report.budget.currency
    company = report.company
    snapshot = [
        line(
            "company",
            name=company.name,
            sector=company.sector,
            employees=company.employees,
            region=f", {company.region}" if company.region else "",
        ),
        line("systems", systems=", ".join(systems)) if systems else line("no_systems"),
        line("budget", budget=f"{money(envelope, language)} {currency}") if envelope else line("no_budget"),
        line("owner", owner=report.follow_up.owner) if report.follow_up.owner else line("no_owner"),
    ]
    plan = report.strategic_plan
    not_smart = [o for o in (plan.objectives if plan else []) if o.smart.failing]
    status: list[str] = []
    if report.gate.ready and plan is not None and plan.adopted is not None:
        status.append(line("plan_ready", adopted=plan.adopted.isoformat()))
    else:
        status += [line("plan_blocked"), *report.gate.missing]
    for objective in not_smart:
        criteria = ", ".join(t(f"gate.criterion.{c}") for c in objective.smart.failing)
        status.append(line("objective_not_smart", id=objective.id, text=objective.text, criteria=criteria))
    sections = [
        NoteSection(heading=knowledge.heading("snapshot", language), kind="bullets", lines=snapshot),
        NoteSection(heading=knowledge.heading("strategic_plan", language), kind="bullets", lines=status),
        NoteSection(heading=knowledge.heading("maturity", language), kind="bullets", lines=_maturity(report, line)),
    ]
    pains = [
        line(
            "pain",
            id=p.id,
            function=t(f"function.{p.function.value}"),
            severity=t(f"severity.{int(p.severity)}"),
            quote=quote(p.text, language),
        )
        for p in report.pain_points
    ]
    if pains:
        sections.append(NoteSection(heading=knowledge.heading("pains", language), kind="bullets", lines=pains))
    separator = t("md.evidence_separator", left="", right="")
    hypotheses = _hypotheses(report, line, leads, separator)
    sections.append(NoteSection(heading=knowledge.heading("hypotheses", language), kind="bullets", lines=hypotheses))
    questions = _questions(report, knowledge, not_smart, systems, envelope)
    sections.append(NoteSection(heading=knowledge.heading("questions", language), kind="numbered", lines=questions))
    documents = _documents(report, knowledge, systems)
    sections.append(NoteSection(heading=knowledge.heading("documents", language), kind="bullets", lines=documents))
    return ConsultantNote(
        language=language,
        title=knowledge.heading("title", language, company=company.name),
        purpose=knowledge.heading("purpose", language),
        sections=sections,
    )


def _maturity(report: PlanReport, line: _Line) -> list[str]:
    profile = report.maturity
    rated = [d for d in profile.dimensions if d.score is not None] if profile else []
    if not rated or profile is None:
        return [line("no_maturity")]
    top = max(d.score or 0 for d in rated)
    low = min(d.score or 0 for d in rated)
    lines = [
        line("strongest", items=", ".join(f"{d.label} ({d.score})" for d in rated if d.score == top)),
        line("weakest", items=", ".join(f"{d.label} ({d.score})" for d in rated if d.score == low)),
    ]
    unrated = [d.label for d in profile.dimensions if d.score is None]
    if unrated:
        lines.append(line("unrated", items=", ".join(unrated)))
    return lines


def _hypotheses(
    report: PlanReport, line: _Line, leads: Mapping[str, Sequence[str]] | None, separator: str
) -> list[str]:
    language = report.language
    lines = []
    for initiative in report.initiatives:
        quotes = [quote(e, language) for e in initiative.evidence[:2]]
        grounding = separator.join(quotes) if quotes else initiative.rationale
        serves = line("serves", objectives=", ".join(initiative.supports)) if initiative.supports else ""
        lines.append(
            line(
                "hypothesis",
                title=initiative.title,
                id=initiative.catalogue_id,
                pains=", ".join(initiative.addresses) or "—",
                serves=serves,
                grounding=grounding,
            )
        )
    if not report.initiatives and leads:
        lines.append(line("no_hypothesis"))
        lines += [line("lead", id=pain, titles=", ".join(titles)) for pain, titles in leads.items() if titles]
    answered = {p for i in report.initiatives for p in i.addresses}
    if report.initiatives:
        lines += [line("unanswered", id=p.id) for p in report.pain_points if p.id not in answered]
    return lines


def _questions(
    report: PlanReport,
    knowledge: NoteKnowledge,
    not_smart: Sequence[Objective],
    systems: Sequence[str],
    envelope: float | None,
) -> list[str]:
    """Most telling first: the strategic plan, the objectives to make SMART, the pains nothing answers,
    the baselines to measure, the systems, the functions that hurt, then envelope and owner."""
    language = report.language
    asked = knowledge.questions
    questions: list[str] = []
    if not report.gate.ready:
        questions.append(asked.stale_or_missing_plan.get(language))
    questions += [asked.objective_not_smart.get(language, id=o.id, text=o.text) for o in not_smart]
    answered = {p for i in report.initiatives for p in i.addresses}
    if report.initiatives:
        pending = [p for p in report.pain_points if p.id not in answered]
        questions += [asked.unanswered.get(language, id=p.id, text=p.text) for p in pending]
    for initiative in report.initiatives[:3]:
        how = next((k.how_to_measure for k in initiative.kpis if k.how_to_measure and not k.baseline), None)
        if how:
            questions.append(asked.baseline.get(language, title=initiative.title, how=how))
    office = {tool.casefold() for tool in knowledge.office_tools}
    core = [s for s in systems if s.casefold() not in office]
    questions += [asked.system.get(language, system=s) for s in core[:2]]
    if not systems:
        questions.append(asked.no_systems.get(language))
    for function in _functions(report):
        questions += [q.get(language) for q in asked.by_function.get(function, [])]
    if not envelope:
        questions.append(asked.no_budget.get(language))
    if not report.follow_up.owner:
        questions.append(asked.no_owner.get(language))
    return _unique(questions)[:MAX_QUESTIONS]


def _documents(report: PlanReport, knowledge: NoteKnowledge, systems: Sequence[str]) -> list[str]:
    language = report.language
    wanted = knowledge.documents
    documents = [d.get(language) for d in wanted.always]
    if not report.gate.ready:
        documents += [d.get(language) for d in wanted.no_plan]
    if systems:
        documents += [d.get(language) for d in wanted.systems]
    for function in _functions(report):
        documents += [d.get(language) for d in wanted.by_function.get(function, [])]
    return _unique(documents)


def _functions(report: PlanReport) -> list[BusinessFunction]:
    """The functions of the pains, most severe first (each once)."""
    ranked = sorted(report.pain_points, key=lambda p: -int(p.severity))
    return list(dict.fromkeys(p.function for p in ranked))


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def note_markdown(note: ConsultantNote) -> str:
    """The note as Markdown; the company's words in it never become a heading, a link or HTML."""
    out = [f"# {md_line(note.title)}", "", f"_{md_line(note.purpose)}_"]
    for section in note.sections:
        out += ["", f"## {md_line(section.heading)}", ""]
        if section.kind == "numbered":
            out += [f"{n}. {md_line(text)}" for n, text in enumerate(section.lines, 1)]
        elif section.kind == "bullets":
            out += [f"- {md_line(text)}" for text in section.lines]
        else:
            out += [md_line(text) for text in section.lines]
    return "\n".join(out) + "\n"
