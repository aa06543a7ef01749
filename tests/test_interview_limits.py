"""The interview enforces the intake's limits where each answer is given (issue 15): an answer the
intake would refuse is refused at once, in the owner's language, and a session stored before that
(past a limit, finished) is asked that question again when resumed, then exports and plans."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from plannum_assistant.assistant import Assistant
from plannum_assistant.conversation import Conversation, intake_yaml
from plannum_assistant.interview import InterviewState
from plannum_assistant.sessions import SessionStore
from plannum_assistant.vocabulary import Language

from .conftest import run_cli

TODAY = date(2026, 11, 26)
FIRST_PAIN = "pain_points.management"
LONG_PAIN_FR = ("Nos soumissions sont retapées à la main dans trois fichiers différents " * 18).strip()
SIZE_FR = f"{len(LONG_PAIN_FR):,}".replace(",", "\u00a0")  # 1 277, as French writes it


@pytest.fixture()
def store(tmp_path: Path) -> SessionStore:
    return SessionStore(tmp_path / "sessions.db")


def _at_the_pains(assistant: Assistant, store: SessionStore, language: str) -> Conversation:
    """A conversation at its first pain question (no strategic plan, maturity skipped)."""
    conversation, _ = Conversation.start(store, assistant.offline_engine(TODAY), Language(language))
    fr = language == "fr"
    for message in (
        "Acme",
        "atelier d'usinage" if fr else "machine shop",
        "30",
        "Drummondville",
        "non" if fr else "no",
    ):
        conversation.send(message)
    conversation.send("non" if fr else "no")  # no worksheet
    while conversation.state.current != FIRST_PAIN:
        conversation.send("passer" if fr else "skip")
    return conversation


def _finish(conversation: Conversation) -> None:
    """Answer the rest: no more problems, nothing else, then confirm (French)."""
    while not conversation.done:
        state = conversation.state
        current = state.current or ""
        message = (
            "non" if state.follow_ups else "oui" if current == "confirm" else "rien" if "pain" in current else "passer"
        )
        conversation.send(message)


def test_a_pain_past_the_limit_is_refused_when_given(assistant: Assistant, store: SessionStore) -> None:
    conversation = _at_the_pains(assistant, store, "fr")
    reply = conversation.send(LONG_PAIN_FR).reply
    assert reply.startswith(f"Cette réponse fait {SIZE_FR} caractères, au plus 1\u00a0000 : raccourcissez-la.\n")
    assert FIRST_PAIN not in conversation.state.answers and conversation.state.current == FIRST_PAIN
    reply = conversation.send(f"Les relances clients sont oubliées chaque semaine\n{LONG_PAIN_FR}").reply
    assert reply.startswith(f"L'élément 2 fait {SIZE_FR} caractères, au plus 1\u00a0000 : raccourcissez-le")
    assert FIRST_PAIN not in conversation.state.answers
    conversation.send("Les relances clients sont oubliées chaque semaine par les vendeurs")
    assert conversation.state.answers[FIRST_PAIN] == [
        "Les relances clients sont oubliées chaque semaine par les vendeurs"
    ]


def test_the_pains_of_every_function_stay_within_fifty(assistant: Assistant, store: SessionStore) -> None:
    conversation = _at_the_pains(assistant, store, "en")
    conversation.send("\n".join(f"Our supplier invoices number {n} are typed twice by hand" for n in range(30)))
    assert len(conversation.state.answers[FIRST_PAIN]) == 30
    while conversation.state.follow_ups:
        conversation.send("no")
    second = conversation.state.current
    assert second is not None and second.startswith("pain_points.") and second != FIRST_PAIN
    reply = conversation.send(
        "\n".join(f"Customer order number {n} is keyed in by hand again" for n in range(21))
    ).reply
    assert reply.startswith("With these, the diagnostic would hold 51 problems, at most 50: keep the most important")
    assert second not in conversation.state.answers and conversation.state.current == second
    conversation.send("\n".join(f"Customer order number {n} is keyed in by hand again" for n in range(20)))
    assert len(conversation.state.answers[second]) == 20
    conversation.send("back")  # answered again, the 20 replace the 20: still 50 in all
    assert conversation.state.current == second
    conversation.send("\n".join(f"Customer quote number {n} is keyed in by hand again" for n in range(20)))
    assert conversation.state.answers[second][0] == "Customer quote number 0 is keyed in by hand again"
    intake = conversation.engine.to_intake(conversation.state)  # type: ignore[attr-defined]
    assert len(intake.pain_points) == 50


def test_too_many_systems_or_objectives_are_refused_even_as_a_correction(
    assistant: Assistant, store: SessionStore
) -> None:
    conversation = _at_the_pains(assistant, store, "en")
    tools = ", ".join(f"Tool{n}" for n in range(51))
    reply = conversation.send(f"change the systems to {tools}").reply
    assert reply.startswith("That makes 51 items, at most 50: keep the most important ones.\n")
    assert "existing_systems" not in conversation.state.answers
    objectives = "; ".join(f"Grow sales in region {n} by 10% by 2027" for n in range(21))
    reply = conversation.send(f"change the strategic objectives to {objectives}").reply
    assert reply.startswith("That makes 21 items, at most 20: keep the most important ones.\n")
    assert "strategic_plan.strategic_objectives" not in conversation.state.answers
    conversation.send(f"change the systems to {', '.join(f'Tool{n}' for n in range(50))}")
    assert len(conversation.state.answers["existing_systems"]) == 50


def test_a_follow_up_reply_cannot_make_a_pain_too_long(assistant: Assistant, store: SessionStore) -> None:
    conversation = _at_the_pains(assistant, store, "fr")
    conversation.send("trop de paperasse")  # vague: a catalogue symptom is offered
    assert conversation.state.follow_ups
    reply = conversation.send(f"non, {LONG_PAIN_FR}").reply
    assert reply.startswith("Cette réponse fait ") and "au plus 1\u00a0000" in reply
    assert conversation.state.answers[FIRST_PAIN] == ["trop de paperasse"] and conversation.state.follow_ups
    conversation.send("non, les feuilles de temps sont retapées chaque semaine")
    assert conversation.state.answers[FIRST_PAIN][0].startswith("trop de paperasse — les feuilles de temps")


def test_fields_of_one_model_message_never_fill_past_a_limit(assistant: Assistant) -> None:
    """The LLM engine fills several topics from one message through the offline engine's fill."""
    engine = assistant.offline_engine(TODAY)
    state = InterviewState(language=Language.EN, pending=["existing_systems"])
    state.answers[FIRST_PAIN] = [f"Supplier invoice number {n} is typed twice" for n in range(45)]
    notes = engine.fill(
        state, "pain_points.operations", "\n".join(f"Machine {n} breaks down every week" for n in range(6))
    )
    assert notes == ["With these, the diagnostic would hold 51 problems, at most 50: keep the most important ones."]
    assert "pain_points.operations" not in state.answers
    assert engine.fill(state, "pain_points.operations", "Machine 1 breaks down every week") == []
    assert state.answers["pain_points.operations"] == ["Machine 1 breaks down every week"]


def test_a_finished_session_past_a_limit_is_asked_again_then_exports(assistant: Assistant, cli_data_dir: Path) -> None:
    """A session finished before the limits were enforced (a pain of 1,277 characters) could be neither
    exported nor resumed: it is asked that question again, and the summary confirmed again."""
    store = SessionStore(cli_data_dir / "sessions.db")
    conversation = _at_the_pains(assistant, store, "fr")
    conversation.send("Les relances clients sont oubliées chaque semaine par les vendeurs")
    _finish(conversation)
    old = conversation.state.model_copy(deep=True)
    old.answers[FIRST_PAIN] = [LONG_PAIN_FR]  # as an older plannum stored it
    store.record_reply(conversation.session_id, old, "Merci !", "offline")
    session = conversation.session_id
    env = {"PLANNUM_DATA_DIR": str(cli_data_dir)}
    exported = run_cli("sessions", "export", session, env=env)
    assert exported.returncode == 2 and len(exported.stderr.strip().splitlines()) == 1
    assert "pain_points.0" in exported.stderr and "resume the interview" in exported.stderr

    resumed, reply = Conversation.resume(store, assistant.offline_engine(TODAY), session)
    assert reply.startswith(
        f"Avant de conclure, une réponse est à reprendre. Cette réponse fait {SIZE_FR} caractères, au plus 1\u00a0000"
    )
    assert not resumed.done and resumed.state.current == FIRST_PAIN
    assert resumed.state.answers[FIRST_PAIN] == [LONG_PAIN_FR]  # kept until another answer is given
    assert "confirm" not in resumed.state.answers  # the summary is to be confirmed again
    resumed.send("Les soumissions sont retapées à la main dans trois fichiers")
    assert resumed.state.current == "confirm"  # straight back to the summary: the rest was answered
    _finish(resumed)
    data = yaml.safe_load(intake_yaml(resumed.state))
    assert data["pain_points"][0] == "Les soumissions sont retapées à la main dans trois fichiers"
    exported = run_cli("sessions", "export", session, env=env)
    assert exported.returncode == 0, exported.stderr
    assert "Les soumissions sont retapées" in exported.stdout


def test_the_confirmation_is_refused_while_a_stored_answer_breaks_a_limit(
    assistant: Assistant, store: SessionStore
) -> None:
    conversation = _at_the_pains(assistant, store, "fr")
    conversation.send("Les relances clients sont oubliées chaque semaine par les vendeurs")
    while conversation.state.current != "confirm":
        current = conversation.state.current or ""
        conversation.send("non" if conversation.state.follow_ups else "rien" if "pain" in current else "passer")
    conversation.state.answers[FIRST_PAIN] = [LONG_PAIN_FR]  # stored by an older plannum, never resumed since
    reply = conversation.send("oui").reply
    assert reply.startswith("Avant de conclure, une réponse est à reprendre. Cette réponse fait")
    assert not conversation.done and conversation.state.current == FIRST_PAIN
    assert conversation.state.pending[-1] == "confirm"
