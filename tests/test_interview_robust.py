"""The interview stays whole whatever arrives (issue 15): a strategic plan given before it is asked,
undecodable input, a script longer than any interview, long sessions, credentials in a base URL.

The LLM engine's cases use the scripted OpenAI-compatible server of ``test_llm_engine``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from pytest_httpserver import HTTPServer

from plannum_assistant.assistant import Assistant
from plannum_assistant.cli.interviews import engine_label
from plannum_assistant.conversation import Conversation
from plannum_assistant.errors import InterviewError
from plannum_assistant.files import load_model
from plannum_assistant.interview.llm import LLMEngine
from plannum_assistant.scripted import MAX_TURNS, InterviewScriptFile
from plannum_assistant.settings import Settings
from plannum_assistant.vocabulary import Language

from .conftest import KNOWLEDGE
from .test_llm_engine import ACME, ACME_FIELDS, ENDPOINT, TODAY, _assistant, _conversation, completion, update


def _script(httpserver: HTTPServer, content: str) -> None:
    httpserver.expect_ordered_request(ENDPOINT, method="POST").respond_with_json(completion(content))


# --- a strategic plan given early does not skip the rest of the interview (item 10) -----------

RICH = (
    "We are Acme Cabinets, we build kitchen cabinets, about 45 people, in Ontario. Our strategic plan was "
    "adopted in March 2026. Mission: make kitchens people love. Orientation: grow outside Ontario. "
    "Objective: grow sales in Quebec by 20% by December 2027. Operational orientation: reliable deliveries. "
    "Operational objective: cut late deliveries by 30% by June 2027."
)
RICH_FIELDS = {
    "company.name": "Acme Cabinets",
    "company.sector": "kitchen cabinets",
    "company.employees": "about 45 people",
    "company.region": "Ontario",
    "strategic_plan.adopted": "March 2026",
    "strategic_plan.mission": "make kitchens people love",
    "strategic_plan.strategic_orientations": "grow outside Ontario",
    "strategic_plan.strategic_objectives": "grow sales in Quebec by 20% by December 2027",
    "strategic_plan.operational_orientations": "reliable deliveries",
    "strategic_plan.operational_objectives": "cut late deliveries by 30% by June 2027",
}


def test_a_strategic_plan_given_before_it_is_asked_still_leads_to_the_diagnostic(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    fields = [{"topic": topic, "value": value, "evidence": value} for topic, value in RICH_FIELDS.items()]
    _script(httpserver, update(fields))
    assistant = _assistant(tmp_path, httpserver)
    conversation = _conversation(assistant)
    assert conversation.send(RICH).engine == "llm"
    assert conversation.state.current == "strategic_plan.exists"
    conversation.send("yes")  # a checkpoint: the offline engine, no model call
    pending = conversation.state.pending
    for topic in (
        "maturity.customer_sales",
        "pain_points.sales_marketing",
        "existing_systems",
        "constraints.budget_cad",
    ):
        assert topic in pending, f"{topic} is no longer asked: {pending}"
    assert pending[-1] == "constraints.follow_up_owner"


def test_an_operational_objective_given_early_does_not_end_the_strategic_plan(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    """Given while the mission is asked, it is not asked again; the questions after it still come."""
    offline = _assistant(tmp_path, httpserver).offline_engine(TODAY)
    state = offline.start(Language.EN).state
    for answer in ("Acme Cabinets", "kitchen cabinets", "45", "Ontario", "yes", "March 2026"):
        state = offline.respond(state, answer).state
    assert state.current == "strategic_plan.mission"
    offline.fill(state, "strategic_plan.operational_objectives", RICH_FIELDS["strategic_plan.operational_objectives"])
    offline.fill(state, "strategic_plan.mission", RICH_FIELDS["strategic_plan.mission"])
    for topic in ("strategic_orientations", "strategic_objectives", "operational_orientations"):
        state = offline.respond(state, RICH_FIELDS[f"strategic_plan.{topic}"]).state
    assert "strategic_plan.operational_objectives" not in state.pending
    assert state.current is not None and state.current.startswith(("maturity.", "worksheet"))
    assert "constraints.budget_cad" in state.pending and state.pending.count("maturity.customer_sales") == 1


# --- undecodable input, long scripts, long sessions, the banner (issue 15, low) -----------------


def test_undecodable_input_is_stored_with_replacement_characters(tmp_path: Path) -> None:
    """A terminal in a C or UTF-8 mode locale hands Python undecodable bytes as lone surrogates."""
    assistant = Assistant(Settings(data_dir=tmp_path / "data", knowledge_dir=KNOWLEDGE))
    conversation, _ = Conversation.start(assistant.sessions, assistant.engine(TODAY), Language.EN)
    conversation.send("Acme \udcff Cabinets")
    assert conversation.state.answers["company.name"] == "Acme \ufffd Cabinets"
    assert assistant.sessions.transcript(conversation.session_id)[-2]["text"] == "Acme \ufffd Cabinets"


def test_a_message_script_longer_than_any_interview_is_refused(tmp_path: Path) -> None:
    script = tmp_path / "long.yaml"
    script.write_text(yaml.safe_dump({"language": "en", "messages": ["summary"] * (MAX_TURNS + 1)}))
    with pytest.raises(InterviewError, match=rf"messages: {MAX_TURNS + 1} messages, at most {MAX_TURNS}"):
        load_model(script, InterviewScriptFile, InterviewError)


def test_a_turn_shares_the_past_messages_instead_of_copying_them(tmp_path: Path, httpserver: HTTPServer) -> None:
    """Copying the whole transcript every turn made a 2,000-message script quadratic (28 s)."""
    _script(httpserver, update(ACME_FIELDS))
    engine = _assistant(tmp_path, httpserver).engine(TODAY)
    assert isinstance(engine, LLMEngine)
    state = engine.start(Language.EN).state
    for respond, message in ((engine.offline.respond, "Acme"), (engine.respond, ACME)):
        before = list(state.transcript)
        new = respond(state, message).state
        assert state.transcript == before and state.answers.get("company.sector") is None  # the given state is kept
        assert all(old is shared for old, shared in zip(before, new.transcript, strict=False))
        assert len(new.transcript) == len(before) + 2
        state = new


def test_the_banner_never_shows_credentials_in_the_base_url(tmp_path: Path) -> None:
    url = "http://bob:s3cret@127.0.0.1:8080/v1?api-key=k3y"
    label = engine_label(Assistant(Settings(data_dir=tmp_path, knowledge_dir=KNOWLEDGE, llm_base_url=url)))
    assert "127.0.0.1:8080/v1" in label
    assert "bob" not in label and "s3cret" not in label and "k3y" not in label
