"""The offline interview end to end, in French and English, with sessions that survive a crash."""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from pathlib import Path

import pytest
import yaml

from plannum_assistant.assistant import Assistant
from plannum_assistant.conversation import Conversation, intake_yaml
from plannum_assistant.errors import InterviewError
from plannum_assistant.interview import build_intake
from plannum_assistant.sessions import MIGRATIONS, SessionStore

from .conftest import ROOT, run_cli

TODAY = date(2026, 11, 26)


@pytest.fixture()
def store(tmp_path: Path) -> SessionStore:
    return SessionStore(tmp_path / "sessions.db")


def _start(assistant: Assistant, store: SessionStore, language: str | None = None) -> Conversation:
    from plannum_assistant.vocabulary import Language

    conversation, _ = Conversation.start(
        store, assistant.offline_engine(TODAY), Language(language) if language else None
    )
    return conversation


def _say(conversation: Conversation, *messages: str) -> str:
    reply = ""
    for message in messages:
        reply = conversation.send(message).reply
    return reply


COMPANY_FR = ("fr", "Ébénisterie Gagnon", "Fabrication de meubles", "environ 42 employés", "passer")
PLAN_FR = (
    "oui",
    "mars 2025",
    "Fabriquer des meubles durables pour les familles du Québec",
    "Croître hors Québec, fiabiliser les délais",
    "Augmenter les ventes hors Québec de 30 % d'ici décembre 2027",
    "Raccourcir le cycle soumission-commande",
    "Envoyer chaque soumission en moins de 48 heures d'ici mars 2027",
)


def test_french_interview_with_corrections_skips_and_garbage(assistant: Assistant, store: SessionStore) -> None:
    conversation = _start(assistant, store)
    assert "français ou en anglais" in conversation.engine.question(conversation.state)
    _say(conversation, *COMPANY_FR, *PLAN_FR)
    assert conversation.state.stage == "maturity"
    reply = _say(conversation, "bof")  # garbage for a 0-5 scale
    assert reply.startswith("Je n'ai pas compris : Donnez un niveau de 0 à 5.")
    _say(conversation, "2", "1")
    reply = _say(conversation, "corriger la mission : Fabriquer des meubles durables, livrés à temps")
    assert "C'est corrigé : Mission = Fabriquer des meubles durables, livrés à temps." in reply
    reply = _say(conversation, "changer le budget à 80 k$")  # answered ahead of its question
    assert conversation.state.answers["constraints.budget_cad"] == 80_000
    reply = _say(conversation, "retour")  # back to the last answered maturity question
    assert "Clients, ventes et marketing" in reply
    _say(conversation, "1")
    for _ in range(8):
        _say(conversation, "skip")
    assert conversation.state.current == "pain_points.management"
    _say(conversation, "rien", "Nos vendeurs gardent les contacts clients dans leur cellulaire personnel")
    while conversation.state.current != "existing_systems":
        _say(conversation, "non" if conversation.state.follow_ups else "rien")
    _say(conversation, "Sage 50, Excel")
    assert conversation.state.current == "constraints.horizon_months"  # budget was given by correction
    reply = _say(conversation, "24", "Luc Gagnon, directeur général")
    assert "Puis-je préparer le brouillon du plan" in reply and "- Budget : 80\u00a0000 $" in reply
    reply = _say(conversation, "oui")
    assert conversation.done and "brouillon du plan" in reply
    intake = build_intake(conversation.state)
    assert intake.strategic_plan is not None
    assert intake.strategic_plan.mission == "Fabriquer des meubles durables, livrés à temps"
    assert intake.existing_systems == ["Sage 50", "Excel"]
    report = assistant.plan(intake, TODAY)
    assert report.gate.ready and "crm" in [i.catalogue_id for i in report.initiatives]


def test_english_interview_without_strategic_plan_offers_the_worksheet(
    assistant: Assistant, store: SessionStore
) -> None:
    conversation = _start(assistant, store, "en")
    reply = _say(conversation, "Lakeside Foods", "Food distribution", "85", "skip", "no")
    assert reply.startswith("Hold on! A plan numérique turns a strategic plan")
    assert "Would you like the worksheet?" in reply
    reply = _say(conversation, "yes")
    assert "mission" in reply.lower()
    reply = _say(conversation, "Feed our region", "Win the grocery chains", "Be the best")
    assert "SMART tip" in reply and "not yet specific nor measurable nor time-bound" in reply
    _say(conversation, "Make the warehouse reliable", "Reach 99% picking accuracy by June 2027")
    assert conversation.state.stage == "maturity"  # the diagnostic goes on
    while not conversation.done:
        _say(conversation, "yes" if conversation.state.current == "confirm" else "skip")
    report = assistant.plan(build_intake(conversation.state), TODAY)
    assert not report.gate.ready and report.initiatives == []  # never a plan numérique without a strategy
    exported = intake_yaml(conversation.state)
    assert "strategic_plan_draft" in exported and "Reach 99% picking accuracy" in exported
    assert "strategic_plan" not in yaml.safe_load(exported)  # a worksheet is not an adopted plan


def test_required_answers_cannot_be_skipped_and_back_at_start_is_harmless(
    assistant: Assistant, store: SessionStore
) -> None:
    conversation = _start(assistant, store, "en")
    assert "Nothing to go back to" in _say(conversation, "back")
    reply = _say(conversation, "skip")
    assert reply.startswith("This one is needed") and conversation.state.current == "company.name"


def test_huge_message_is_refused_politely_and_recorded(assistant: Assistant, store: SessionStore) -> None:
    conversation = _start(assistant, store, "fr")
    reply = conversation.send("x" * 50_000).reply
    assert reply.startswith("Message trop long (50000 caractères")
    assert conversation.state.current == "company.name"
    assert str(store.transcript(conversation.session_id)[-2]["text"]).endswith("[…]")


def test_resume_after_a_crash_mid_turn_loses_nothing(assistant: Assistant, tmp_path: Path) -> None:
    path = tmp_path / "sessions.db"
    store = SessionStore(path)
    conversation = _start(assistant, store, "fr")
    _say(conversation, "Ébénisterie Gagnon", "Fabrication de meubles")
    store.record_user(conversation.session_id, "42")  # committed, then the process dies before replying
    store.close()

    reopened = SessionStore(path)
    resumed, reply = Conversation.resume(reopened, assistant.offline_engine(TODAY), conversation.session_id)
    assert resumed.state.answers["company.employees"] == 42  # the unanswered message was answered
    assert "Dans quelle région" in reply
    roles = [turn["role"] for turn in reopened.transcript(conversation.session_id)]
    assert roles[-2:] == ["user", "assistant"] and roles.count("user") == 3


def test_two_sessions_never_see_each_other(assistant: Assistant, store: SessionStore) -> None:
    first, second = _start(assistant, store, "fr"), _start(assistant, store, "en")
    _say(first, "Alpha inc.")
    _say(second, "Beta Ltd.")
    assert store.load(first.session_id).answers["company.name"] == "Alpha inc."
    assert store.load(second.session_id).answers["company.name"] == "Beta Ltd."
    assert "Beta" not in json.dumps(store.transcript(first.session_id))
    with pytest.raises(InterviewError, match="no session"):
        store.load("nope")


def test_schema_is_versioned_and_newer_databases_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "sessions.db"
    SessionStore(path).close()
    db = sqlite3.connect(path)
    assert db.execute("SELECT version FROM schema_version").fetchone() == (len(MIGRATIONS),)
    assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    db.execute("UPDATE schema_version SET version = 99")
    db.commit()
    db.close()
    with pytest.raises(InterviewError, match="newer plannum"):
        SessionStore(path)


def test_cli_scripted_interviews_and_sessions(tmp_path: Path, cli_data_dir: Path) -> None:
    env = {"PLANNUM_DATA_DIR": str(cli_data_dir)}
    out = tmp_path / "out"
    script = ROOT / "examples" / "interview-fr.yaml"
    result = run_cli("interview", "--script", str(script), "--out", str(out), "--today", "2026-11-26", env=env)
    assert result.returncode == 0, result.stderr
    plan = json.loads((out / "plan.json").read_text())
    assert plan["gate"]["ready"] and plan["initiatives"]
    intake = yaml.safe_load((out / "intake.yaml").read_text())
    assert intake["company"]["employees"] == 48 and intake["constraints"]["budget"] == 150000  # in its own currency
    session = json.loads((out / "transcript.json").read_text())["session"]

    listing = run_cli("sessions", "list", env=env)
    assert session in listing.stdout
    shown = json.loads(run_cli("sessions", "show", session, env=env).stdout)
    assert shown["state"]["done"] is True and shown["turns"][0]["role"] == "assistant"
    exported = tmp_path / "intake.yaml"
    assert run_cli("sessions", "export", session, "--out", str(exported), env=env).returncode == 0
    replanned = run_cli("plan", "--intake", str(exported), "--today", "2026-11-26", env=env)
    assert json.loads(replanned.stdout)["initiatives"] == plan["initiatives"]  # an interview re-plans identically

    missing = run_cli("sessions", "show", "nope", env=env)
    assert missing.returncode == 2 and "no session 'nope'" in missing.stderr


def test_cli_messages_script_and_bad_script(tmp_path: Path, cli_data_dir: Path) -> None:
    env = {"PLANNUM_DATA_DIR": str(cli_data_dir)}
    script = ROOT / "examples" / "interview-en.yaml"
    result = run_cli("interview", "--script", str(script), "--out", str(tmp_path / "o"), env=env)
    assert result.returncode == 0, result.stderr
    assert json.loads((tmp_path / "o" / "plan.json").read_text())["gate"]["ready"] is False
    bad = tmp_path / "bad.yaml"
    bad.write_text("language: fr\nanswers: {company.name: X}\nmessages: [a]\n")
    result = run_cli("interview", "--script", str(bad), env=env)
    assert result.returncode == 2 and "either 'answers'" in result.stderr


def test_chat_in_the_terminal(tmp_path: Path, cli_data_dir: Path) -> None:
    env = {"PLANNUM_DATA_DIR": str(cli_data_dir)}
    result = run_cli("chat", "--lang", "en", env=env, stdin=b"Acme\nquit\n")
    assert result.returncode == 0, result.stderr
    assert "What is your company's name?" in result.stdout and "Which sector" in result.stdout
    assert "engine: offline" in result.stderr and "session saved:" in result.stderr


def test_correcting_the_question_being_asked_moves_the_interview_on(assistant: Assistant, store: SessionStore) -> None:
    """A correction that answers the current question (here the last one of the strategic plan) must
    advance exactly like an answer: the diagnostic follows, nothing crashes, the session resumes."""
    conversation = _start(assistant, store)
    _say(conversation, *COMPANY_FR, *PLAN_FR[:-1])
    assert conversation.state.current == "strategic_plan.operational_objectives"
    reply = _say(
        conversation, "corriger les objectifs opérationnels : Envoyer chaque soumission en 48 heures d'ici 2027"
    )
    assert conversation.state.stage == "maturity" and conversation.state.current.startswith("maturity.")
    assert "C'est corrigé" in reply
    reply = _say(conversation, "2")  # the next answer goes on normally
    assert "Je n'ai pas compris" not in reply
    resumed, _ = Conversation.resume(store, assistant.offline_engine(TODAY), conversation.session_id)
    assert resumed.state.current == conversation.state.current


def test_a_pain_that_starts_with_a_change_verb_is_an_answer_not_a_correction(
    assistant: Assistant, store: SessionStore
) -> None:
    conversation = _start(assistant, store)
    _say(conversation, *COMPANY_FR, *PLAN_FR)
    while not str(conversation.state.current).startswith("pain_points."):
        _say(conversation, "passer")
    topic = conversation.state.current
    pain = "Changer un prix en magasin prend une heure parce qu'il faut le refaire dans trois fichiers"
    _say(conversation, pain)
    assert conversation.state.answers[str(topic)] == [pain]
    reply = _say(conversation, "corriger le budget : 90 k$")  # a correction naming a field still is one
    assert conversation.state.answers["constraints.budget_cad"] == 90_000 and "C'est corrigé" in reply
