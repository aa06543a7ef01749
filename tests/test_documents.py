"""The report's contents (issue 11): the two charts as images, the DOCX's sections and pictures, the
HTML's inline charts, the consultant's note, and a plan drafted from a finished interview."""

from __future__ import annotations

import base64
import io
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from docx import Document
from matplotlib.image import imread

from plannum_assistant.assistant import Assistant
from plannum_assistant.consultant_note import note_markdown
from plannum_assistant.errors import InterviewError
from plannum_assistant.exports import export
from plannum_assistant.exports.charts import bars, gantt_figure, png, radar_figure
from plannum_assistant.exports.document import note_docx
from plannum_assistant.intake import Intake, load_intake
from plannum_assistant.report import PlanReport, validate_report
from plannum_assistant.review import Reviewer, StoredPlan, new_stored_plan

from .conftest import ROOT, run_cli

TODAY = date(2026, 11, 26)


@pytest.fixture(scope="module")
def report(assistant: Assistant) -> PlanReport:
    return assistant.plan(load_intake(ROOT / "examples" / "intake-fr.yaml"), TODAY)


def _t(assistant: Assistant, report: PlanReport):  # type: ignore[no-untyped-def]
    return lambda key, **params: assistant.wording.text(key, report.language, **params)


def _pixels(data: bytes) -> np.ndarray:
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    return np.asarray(imread(io.BytesIO(data), format="png"))


def test_the_radar_is_a_non_blank_png_with_ten_labelled_axes(assistant: Assistant, report: PlanReport) -> None:
    assert report.maturity is not None
    figure = radar_figure(report.maturity, _t(assistant, report))
    labels = [label.get_text() for label in figure.axes[0].get_xticklabels()]
    assert len(labels) == 10
    for label, dimension in zip(labels, report.maturity.dimensions, strict=True):
        assert dimension.label.split()[0] in label  # the dimension, its DMAT mapping and its score
        assert assistant.wording.text(f"dmat.{dimension.dmat}", report.language) in label
        assert label.endswith("non évalué" if dimension.score is None else f"· {dimension.score}")
    pixels = _pixels(png(figure))
    height, width = pixels.shape[:2]
    assert width >= 900 and height >= 900
    ink = (pixels[..., :3].mean(axis=2) < 0.9).mean()
    assert 0.02 < ink < 0.5  # drawn, not blank and not a solid block


def test_the_gantt_draws_a_bar_per_initiative_and_activity_in_greys_with_prerequisite_arrows(
    assistant: Assistant, report: PlanReport
) -> None:
    prerequisites = {e.id: e.prerequisites for e in assistant.catalogue}
    figure = gantt_figure(report, prerequisites, _t(assistant, report))
    activities = sum(len(a.activities) for a in report.action_plan)
    assert bars(figure) == len(report.initiatives) + activities
    axes = figure.axes[0]
    for container in axes.containers:
        for bar in container:
            red, green, blue, _ = bar.get_facecolor()
            assert red == green == blue  # greys only: readable in black-and-white print
    planned = {i.catalogue_id for i in report.initiatives}
    links = sum(1 for i in planned for required in prerequisites[i] if required in planned)
    arrows = [a for a in axes.texts if getattr(a, "arrow_patch", None) is not None]
    assert links >= 1 and len(arrows) == links  # the example's MRP waits for inventory management
    labels = [label.get_text() for label in axes.get_yticklabels()]
    assert labels[0].startswith("1. ") and len(labels) == bars(figure)
    assert (_pixels(png(figure))[..., :3].mean(axis=2) < 0.5).mean() > 0.01


def _stored(report: PlanReport) -> StoredPlan:
    return new_stored_plan("d1", report)


def _docx(assistant: Assistant, plan: StoredPlan) -> Any:
    report = validate_report(plan.report, assistant.catalogue)
    return Document(io.BytesIO(export(plan, report, assistant.wording, "docx", assistant.catalogue)))


def test_the_docx_report_has_every_section_of_a_consultants_deliverable_with_both_charts(
    assistant: Assistant, report: PlanReport
) -> None:
    document = _docx(assistant, _stored(report))
    headings = [
        p.text for p in document.paragraphs if p.style is not None and p.style.name.startswith(("Heading", "Title"))
    ]
    expected = [
        "Plan numérique — Armoires Boisvert inc.",
        "Sommaire",
        "Plan stratégique",
        "Profil de maturité numérique",
        "Problématiques",
        "Initiatives numériques",
        "Plan d'action",
        "Feuille de route",
        "Budget",
        "Suivi",
        "Sources du catalogue",
    ]
    positions = [headings.index(h) for h in expected]
    assert positions == sorted(positions)  # all there, in the deliverable's order
    assert len(document.inline_shapes) == 2  # the radar and the Gantt
    summary = document.paragraphs[[p.text for p in document.paragraphs].index("Sommaire") + 1].text
    assert f"{len(report.initiatives)} initiative" in summary and "Armoires Boisvert inc." in summary
    pains = next(t for t in document.tables if t.rows[0].cells[1].text == "Dans vos mots")
    assert [r.cells[1].text for r in pains.rows[1:]] == [f"« {p.text} »" for p in report.pain_points]
    sources = next(t for t in document.tables if t.rows[0].cells[0].text == "Fiche")
    assert [r.cells[0].text for r in sources.rows[1:]] == [i.catalogue_id for i in report.initiatives]
    cover = [p.text for p in document.paragraphs[:8]]
    assert "BROUILLON — non approuvé" in cover


def test_the_docx_says_which_running_module_to_activate_and_the_objective_it_serves(assistant: Assistant) -> None:
    english = assistant.plan(load_intake(ROOT / "examples" / "intake-en.yaml"), TODAY)
    texts = [p.text for p in _docx(assistant, _stored(english)).paragraphs]
    assert "Use what you already own" in texts
    activate = [t for t in texts if t.startswith("Lot and serial number traceability: already covered by Acumatica")]
    assert len(activate) == 1 and "Activating it would serve OO2" in activate[0]
    assert not any(t.startswith("OO2 — ") for t in texts)  # no longer listed as a gap


def test_an_approved_docx_names_reviewer_and_date_on_its_cover(assistant: Assistant, report: PlanReport) -> None:
    plan = _stored(report)
    reviewer = Reviewer(assistant.plan_context, datetime(2026, 11, 27, 10, 0))
    for key in plan.undecided():
        plan, _ = reviewer.accept(plan, key, "Marie Roy")
    plan, _ = reviewer.approve(plan, "Marie Roy")
    cover = [p.text for p in _docx(assistant, plan).paragraphs[:8]]
    assert "Approuvé par Marie Roy le 2026-11-27" in cover
    assert not any("proposition" in line for line in cover)  # the draft note is gone


def test_the_html_carries_both_charts_inline(assistant: Assistant, report: PlanReport) -> None:
    plan = _stored(report)
    page = export(plan, report, assistant.wording, "html", assistant.catalogue).decode()
    images = re.findall(r"<img src='data:image/png;base64,([^']+)'", page)
    assert len(images) == 2
    for data in images:
        assert _pixels(base64.b64decode(data)).shape[0] > 300
    maturity, roadmap = page.index("Profil de maturité numérique</h2>"), page.index("Plan d&#x27;action</h2>")
    first, second = (page.index(f"base64,{d[:40]}") for d in images)
    assert maturity < first < roadmap < second  # each chart closes its own section


def _intake(**changes: object) -> Intake:
    data = yaml.safe_load((ROOT / "examples" / "intake-fr.yaml").read_text(encoding="utf-8"))
    data.update(changes)
    return Intake.model_validate(data)


def test_the_note_asks_what_the_intake_leaves_open_and_names_the_documents(assistant: Assistant) -> None:
    intake = _intake()
    plan = intake.model_dump(mode="json")["strategic_plan"]
    plan["operational_objectives"][0] = "Améliorer le service à la clientèle"  # neither measurable nor dated
    intake = _intake(strategic_plan=plan, existing_systems=["Sage 50", "Excel"], constraints={})
    note = assistant.consultant_note(TODAY, intake=intake)
    text = note_markdown(note)
    for heading in (
        "L'entreprise en bref",
        "Plan stratégique : état et manques",
        "Profil de maturité",
        "Problématiques, dans les mots de l'entreprise",
        "Hypothèses d'initiatives (à valider)",
        "Questions à valider sur place",
        "Documents à demander",
    ):
        assert f"## {heading}" in text
    questions = next(s for s in note.sections if s.kind == "numbered").lines
    assert any(q.startswith("OO1 : quel est le point de départ") for q in questions)  # not SMART
    assert any(q.startswith("Sage 50 :") for q in questions)
    assert not any(q.startswith("Excel :") for q in questions)  # an office tool has no modules to ask about
    assert any("Quelle enveloppe" in q for q in questions) and any("Qui suivra" in q for q in questions)
    assert len(questions) <= 12
    for pain in intake.pain_points:
        assert f"« {pain} »" in text  # quoted in the owner's words
    assert "Trois soumissions récentes et la liste de prix" in text  # sales pains: ask for quotes


def test_without_a_strategic_plan_the_note_gives_catalogue_leads_instead_of_hypotheses(
    assistant: Assistant,
) -> None:
    intake = _intake(strategic_plan=None, language="fr")
    note = assistant.consultant_note(TODAY, intake=intake)
    hypotheses = next(s for s in note.sections if s.heading.startswith("Hypothèses")).lines
    assert hypotheses[0].startswith("Aucune hypothèse")
    assert len(hypotheses) == 1 + len(intake.pain_points)
    assert "Tout document de planification existant" in note_markdown(note)
    document = Document(io.BytesIO(note_docx(note)))
    numbered = [p for p in document.paragraphs if p.style is not None and p.style.name == "List Number"]
    assert numbered and numbered[0].text.startswith("Le plan stratégique : qui l'a adopté")


def test_a_plan_is_drafted_from_a_finished_interview_and_refused_from_an_unfinished_one(
    assistant: Assistant,
) -> None:
    from plannum_assistant.conversation import Conversation
    from plannum_assistant.scripted import run_script
    from plannum_assistant.vocabulary import Language

    result = run_script(assistant, ROOT / "examples" / "interview-fr.yaml", TODAY)
    intake = assistant.intake_from_session(result.session_id)
    assert intake.company == result.report.company
    unfinished, _ = Conversation.start(assistant.sessions, assistant.engine(TODAY), Language.FR)
    with pytest.raises(InterviewError, match="is not finished"):
        assistant.intake_from_session(unfinished.session_id)


def test_the_cli_drafts_and_stores_a_plan_from_a_session_and_writes_the_note(
    cli_data_dir: Path, tmp_path: Path
) -> None:
    env = {"PLANNUM_DATA_DIR": str(cli_data_dir)}
    ran = run_cli(
        "interview",
        "--script",
        str(ROOT / "examples" / "interview-fr.yaml"),
        "--out",
        str(tmp_path / "i"),
        "--today",
        "2026-11-26",
        env=env,
    )
    assert ran.returncode == 0, ran.stderr
    session = ran.stdout.split()[1].rstrip(":")
    saved = run_cli(
        "plan", "--session", session, "--save", "--out", str(tmp_path / "p.json"), "--today", "2026-11-26", env=env
    )
    assert saved.returncode == 0, saved.stderr
    plan_id = saved.stdout.strip().splitlines()[-1]
    listed = run_cli("plans", "list", env=env)
    assert plan_id in listed.stdout
    note = run_cli("note", "--plan", plan_id, "--format", "docx", "--out", str(tmp_path / "note.docx"), env=env)
    assert note.returncode == 0, note.stderr
    headings = [
        p.text
        for p in Document(str(tmp_path / "note.docx")).paragraphs
        if p.style is not None and p.style.name.startswith("Heading")
    ]
    assert "Questions à valider sur place" in headings and "Documents à demander" in headings
    missing = run_cli("plan", "--session", "nope", env=env)
    assert missing.returncode != 0 and "Traceback" not in missing.stderr and "no session 'nope'" in missing.stderr


def test_a_stored_plan_without_a_strategic_plan_gets_leads_and_its_note_is_watermarked(assistant: Assistant) -> None:
    from plannum_assistant.exports import stamp

    report = assistant.plan(_intake(strategic_plan=None), TODAY)
    note = assistant.consultant_note(TODAY, report=report)
    hypotheses = next(s for s in note.sections if s.heading.startswith("Hypothèses")).lines
    assert hypotheses[0].startswith("Aucune hypothèse") and len(hypotheses) == 1 + len(report.pain_points)
    plan = new_stored_plan("n1", report)
    document = Document(io.BytesIO(note_docx(note, stamp(plan, assistant.wording, report))))
    assert document.sections[0].header.paragraphs[0].text == "BROUILLON — non approuvé"
