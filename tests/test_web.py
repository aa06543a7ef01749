"""The web app's handlers (issue 12) as plain functions, and a gradio_client smoke test on a launched page."""

from __future__ import annotations

import io
import socket
from datetime import date
from pathlib import Path

import pytest
import yaml
from docx import Document

from plannum_assistant.assistant import Assistant
from plannum_assistant.errors import ConfigError
from plannum_assistant.vocabulary import Language
from plannum_assistant.web import UiState, View, WebApp
from plannum_assistant.web.app import parse_auth, serve

from .conftest import ROOT

TODAY = date(2026, 11, 26)
FRENCH = [
    "Armoires Lavoie",
    "fabrication d'armoires de cuisine",
    "35",
    "Estrie, Québec",
    "oui",
    "septembre 2025",
    "Concevoir et livrer des armoires sur mesure, à la date promise",
    "Croître auprès des entrepreneurs",
    "Augmenter les ventes aux entrepreneurs de 15 % d'ici décembre 2027",
    "Fiabiliser les livraisons",
    "Livrer 95 % des commandes à la date promise d'ici juin 2027",
    *["2"] * 10,
    "On ne sait jamais ce qu'il reste en panneaux et en quincaillerie, on manque de pièces en pleine production",
    *["rien"] * 7,
    "Sage 50",
    "80000",
    "24",
    "Julie Lavoie, directrice des opérations",
    "oui",
]


@pytest.fixture()
def app(assistant: Assistant) -> WebApp:
    return WebApp(assistant, lambda: TODAY)


def _interview(app: WebApp, answers: list[str], language: Language = Language.FR) -> View:
    view = app.start(language)
    for answer in answers:
        view = app.send(view.ui, answer)
        assert view.error is None, (answer, view.error)
    return view


def test_a_french_interview_ends_in_a_stored_draft_that_is_reviewed_approved_and_downloaded(app: WebApp) -> None:
    view = _interview(app, FRENCH)
    assert view.ui.plan_id is not None and view.banner == "BROUILLON — non approuvé"
    assert dict((label, state) for label, state in view.stages)["Plan"] == "current"
    assert view.initiatives and view.actions and view.pains[0][1].startswith("On ne sait jamais")
    assert any(row[0].startswith("initiative:") and row[1] == "proposed" for row in view.items)
    refused = app.review(view.ui, "edit", view.items[1][0], "budget_min=99999999", "Marie Roy", "")
    assert refused.error is not None and "budget min" in refused.error  # the rule that failed, in the page
    words = app.review(view.ui, "add", "devis soumissions clients", "", "Marie Roy", "")
    assert words.error is not None and "(" in words.error and words.ui.plan_id == view.ui.plan_id
    view = app.accept_all(view.ui, "Marie Roy")
    assert all(row[1] == "accepted" for row in view.items)
    view = app.review(view.ui, "approve", "", "", "Marie Roy", "Bon pour le CA")
    assert view.error is None and view.banner.startswith("Approuvé par Marie Roy")
    document = Document(str(app.document(view.ui, "docx")))
    assert document.sections[0].header.paragraphs[0].text.startswith("Approuvé par Marie Roy")
    note = Document(str(app.document(view.ui, "note")))
    assert any(p.text == "Questions à valider sur place" for p in note.paragraphs)


def test_the_quick_replies_follow_the_question(app: WebApp) -> None:
    view = _interview(app, FRENCH[:4])
    assert [label for label, _ in view.choices] == ["oui", "non"]  # "do you have a strategic plan?"
    view = _interview(app, FRENCH[:11])
    levels = [sent for _, sent in view.choices]
    assert levels == ["0", "1", "2", "3", "4", "5", "passer"]  # the 0-5 scale with each level described
    assert view.choices[2][0].startswith("2 — ")
    view = app.send(view.ui, "3")
    assert view.maturity and next(iter(view.maturity.values())) == 3  # the live radar's scores


def test_without_a_strategic_plan_the_page_says_minute_papillon_and_the_interview_goes_on(app: WebApp) -> None:
    view = _interview(app, ["Harbour Dental", "dental clinic", "14", "Halifax", "no"], Language.EN)
    assert "Minute papillon" in view.company
    assert view.chat[-1]["role"] == "assistant" and view.ui.plan_id is None
    assert view.stages[1][1] == "current" or view.stages[2][1] == "current"  # worksheet or diagnostic next
    view = app.send(view.ui, "yes")  # the worksheet: draft the strategic plan in the app
    view = app.send(view.ui, "Healthy smiles for every family in Halifax")
    assert "Healthy smiles for every family in Halifax" in view.company and "Minute papillon" in view.company


def test_two_browser_sessions_never_see_each_others_answers(app: WebApp) -> None:
    first, second = app.start(Language.FR), app.start(Language.EN)
    first = app.send(first.ui, "Boulangerie Tremblay")
    second = app.send(second.ui, "Lakeside Foods")
    assert first.ui.session_id != second.ui.session_id
    assert not any("Lakeside" in m["content"] for m in first.chat)
    assert not any("Tremblay" in m["content"] for m in second.chat)


def test_failures_are_one_line_in_the_page(app: WebApp, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    missing = app.resume(UiState(), "nope")
    assert missing.error is not None and "no session 'nope'" in missing.error
    bad = tmp_path / "intake.yaml"
    bad.write_text("language: fr\ncompany: [", encoding="utf-8")
    assert "intake.yaml" in (app.upload(UiState(), bad).error or "")
    assert app.review(UiState(), "approve", "", "", "x", "").error == app.t("no_plan", Language.FR)
    view = _interview(app, FRENCH[:-1])

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("planner bug")

    monkeypatch.setattr(app.assistant, "plan", broken)
    failed = app.send(view.ui, "oui")
    assert failed.error == app.t("unexpected", Language.FR) and "planner bug" not in (failed.error or "")
    assert failed.chat and failed.chat[-1]["content"]  # the conversation so far is still shown


def test_an_uploaded_intake_skips_the_interview(app: WebApp) -> None:
    view = app.upload(UiState(language=Language.EN), ROOT / "examples" / "intake-fr.yaml")
    assert view.error is None and view.ui.plan_id is not None and view.ui.language is Language.FR
    assert view.initiatives and "Armoires Boisvert" in view.company


def test_the_page_refuses_the_network_without_a_password(app: WebApp) -> None:
    with pytest.raises(ConfigError, match="without a password"):
        serve(app, "0.0.0.0", 7860, None, block=False)
    with pytest.raises(ConfigError, match="USER:PASS"):
        parse_auth("just-a-user")
    assert parse_auth("ana:s3cret") == ("ana", "s3cret") and parse_auth(None) is None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_launched_page_answers_through_gradio_client(app: WebApp) -> None:
    from gradio_client import Client

    port = _free_port()
    page = serve(app, "127.0.0.1", port, ("ana", "s3cret"), block=False)
    try:
        client = Client(f"http://127.0.0.1:{port}/", auth=("ana", "s3cret"), verbose=False)
        started = client.predict("en", api_name="/language")
        assert "company's name" in str(started[0]).lower()
        replied = client.predict("Lakeside Foods", api_name="/send")
        assert "sector" in str(replied[0][-1]).lower() and replied[-2]  # the next question; the session id
        downloaded, message = client.predict(api_name="/download_docx")
        assert downloaded is None and "No plan yet" in message  # a clear line, not a crash
    finally:
        page.close()


def test_the_docx_from_the_page_is_watermarked_until_approved(app: WebApp) -> None:
    view = app.upload(UiState(), ROOT / "examples" / "intake-en.yaml")
    data = app.document(view.ui, "docx").read_bytes()
    assert Document(io.BytesIO(data)).sections[0].header.paragraphs[0].text == "DRAFT — not approved"


def test_an_unreachable_model_is_a_notice_and_the_turn_goes_on_offline(
    assistant: Assistant, cli_data_dir: Path
) -> None:
    from plannum_assistant.settings import Settings

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        closed = int(probe.getsockname()[1])
    settings = Settings(
        data_dir=cli_data_dir,  # a copy of the built index
        knowledge_dir=assistant.settings.knowledge_dir,
        llm_base_url=f"http://127.0.0.1:{closed}/v1",
        llm_timeout=2,
    )
    llm = WebApp(Assistant(settings), lambda: TODAY)
    view = llm.send(llm.start(Language.FR).ui, "Armoires Lavoie")
    assert view.error is None and view.notice is not None and "hors ligne" in view.notice
    assert "secteur" in view.chat[-1]["content"]  # the offline engine asked the next question


def test_a_resumed_finished_interview_reopens_its_plan_and_an_upload_survives_a_language_switch(app: WebApp) -> None:
    finished = _interview(app, FRENCH)
    count = len(app.assistant.plans.listing())
    resumed = app.resume(UiState(), finished.ui.session_id or "")
    assert resumed.ui.plan_id == finished.ui.plan_id and len(app.assistant.plans.listing()) == count
    uploaded = app.upload(UiState(), ROOT / "examples" / "intake-en.yaml")
    again = app.refresh(uploaded.ui)
    assert again.ui.plan_id == uploaded.ui.plan_id and again.initiatives == uploaded.initiatives


def test_the_company_panel_shows_the_owners_words_as_text(app: WebApp, tmp_path: Path) -> None:
    intake = yaml.safe_load((ROOT / "examples" / "intake-en.yaml").read_text(encoding="utf-8"))
    intake["company"]["name"] = "# Acme <script>alert(1)</script>"
    path = tmp_path / "intake.yaml"
    path.write_text(yaml.safe_dump(intake, allow_unicode=True), encoding="utf-8")
    view = app.upload(UiState(language=Language.EN), path)
    assert view.error is None
    first = view.company.splitlines()[0]
    assert "<script>" not in first and "\\<script\\>" in first  # escaped: Markdown shows it as typed
