"""A vague pain point gets a follow-up: "is it <a catalogue symptom>?"; yes sharpens the pain point with it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from plannum_assistant.assistant import Assistant
from plannum_assistant.conversation import Conversation
from plannum_assistant.interview import build_intake
from plannum_assistant.sessions import SessionStore
from plannum_assistant.vocabulary import BusinessFunction, Language

TODAY = date(2026, 11, 26)
# language given up front; name, sector, employees, region skipped, no strategic plan, no worksheet
OPENING = {
    Language.FR: ("Ébénisterie Gagnon", "Fabrication de meubles", "42", "passer", "non", "non"),
    Language.EN: ("Lakeside Foods", "Food distribution", "85", "skip", "no", "no"),
}
SKIP = {Language.FR: "passer", Language.EN: "skip"}


@pytest.fixture()
def store(tmp_path: Path) -> SessionStore:
    return SessionStore(tmp_path / "sessions.db")


def _at_first_pain_point(assistant: Assistant, store: SessionStore, language: Language) -> Conversation:
    conversation, _ = Conversation.start(store, assistant.offline_engine(TODAY), language)
    for message in OPENING[language]:
        conversation.send(message)
    for _ in range(20):  # the maturity questions, skipped
        if (conversation.state.current or "").startswith("pain_points."):
            break
        conversation.send(SKIP[language])
    assert conversation.state.current == "pain_points.management"
    return conversation


def _expected_symptom(assistant: Assistant, text: str, language: Language) -> list[str]:
    """The symptoms of the entry retrieval ranks first for the vague statement, among the entries of
    the question's function (the first pain question is about management)."""
    top = assistant.search(text, top_k=1, function=BusinessFunction.MANAGEMENT)[0]
    return assistant.catalogue[top.id].symptoms.get(language)


def test_yes_to_a_follow_up_appends_the_catalogue_symptom_to_the_pain_point(
    assistant: Assistant, store: SessionStore
) -> None:
    conversation = _at_first_pain_point(assistant, store, Language.FR)
    reply = conversation.send("trop de paperasse").reply

    assert len(conversation.state.follow_ups) == 1  # one vague item, one follow-up
    follow_up = conversation.state.follow_ups[0]
    assert follow_up.function == "management" and follow_up.item == 0
    assert follow_up.symptom in _expected_symptom(assistant, "trop de paperasse", Language.FR)
    assert reply == f"Pour préciser « trop de paperasse » : est-ce que « {follow_up.symptom} » ? (oui / non)"
    assert conversation.state.asked[-1] == "pain_points.management"  # answered; the follow-up is asked before the next

    reply = conversation.send("oui").reply
    assert conversation.state.follow_ups == []
    assert conversation.state.current == "pain_points.sales_marketing"
    assert reply.startswith("Côté ventes et marketing")
    assert conversation.state.answers["pain_points.management"] == [f"trop de paperasse — {follow_up.symptom}"]
    assert build_intake(conversation.state).pain_points == [f"trop de paperasse — {follow_up.symptom}"]
    stored = store.load(conversation.session_id)  # and that is what the session keeps
    assert stored.answers["pain_points.management"] == [f"trop de paperasse — {follow_up.symptom}"]


def test_no_to_a_follow_up_keeps_the_pain_point_as_said(assistant: Assistant, store: SessionStore) -> None:
    conversation = _at_first_pain_point(assistant, store, Language.EN)
    reply = conversation.send("too much paperwork").reply
    follow_up = conversation.state.follow_ups[0]
    assert follow_up.symptom in _expected_symptom(assistant, "too much paperwork", Language.EN)
    assert reply == f'To sharpen "too much paperwork": would you say "{follow_up.symptom}"? (yes / no)'

    conversation.send("no")
    assert conversation.state.follow_ups == []
    assert conversation.state.current == "pain_points.sales_marketing"
    assert build_intake(conversation.state).pain_points == ["too much paperwork"]
