"""Scripted interviews (``plannum interview --script FILE``): a user made of data.

A script holds ``language`` and either ``answers`` keyed by topic id (the engine
asks; the script answers the topic asked, "skip" where it has nothing) or
``messages``, a plain list replayed in order. The interview runs through a real
stored session, then the intake is planned like ``plannum plan`` would.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .conversation import Conversation, intake_yaml
from .errors import InterviewError
from .files import load_model
from .interview import build_intake
from .report import PlanReport
from .vocabulary import Language

if TYPE_CHECKING:
    from .assistant import Assistant

MAX_TURNS = 300  # a script that loops (an answer never accepted) stops here


class InterviewScriptFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    language: Language
    answers: dict[str, str | list[str]] | None = Field(default=None, description="topic id -> answer")
    messages: list[str] | None = None

    @field_validator("messages")
    @classmethod
    def _at_most_max_turns(cls, messages: list[str] | None) -> list[str] | None:
        if messages is not None and len(messages) > MAX_TURNS:
            raise ValueError(f"{len(messages)} messages, at most {MAX_TURNS} (an interview takes far fewer)")
        return messages

    @model_validator(mode="after")
    def _one_mode(self) -> InterviewScriptFile:
        if (self.answers is None) == (self.messages is None):
            raise ValueError("give either 'answers' (by topic id) or 'messages' (a list), not both or neither")
        return self


@dataclass
class ScriptResult:
    session_id: str
    transcript: list[dict[str, str | None]]
    intake_yaml: str
    report: PlanReport

    @property
    def turns(self) -> int:
        return len(self.transcript)

    def transcript_json(self) -> str:
        return json.dumps({"session": self.session_id, "turns": self.transcript}, indent=2, ensure_ascii=False) + "\n"

    def plan_json(self) -> str:
        return json.dumps(self.report.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"


def run_script(assistant: Assistant, path: Path, today: date) -> ScriptResult:
    script = load_model(path, InterviewScriptFile, InterviewError)
    engine = assistant.engine(today)
    conversation, _ = Conversation.start(assistant.sessions, engine, script.language)
    if script.messages is not None:
        for message in script.messages:
            if conversation.done:
                break
            conversation.send(message)
    else:
        _answer_topics(conversation, script.answers or {}, script.language)
    state = conversation.state
    report = assistant.plan(build_intake(state), today, engine="auto")
    transcript = assistant.sessions.transcript(conversation.session_id)
    return ScriptResult(conversation.session_id, transcript, intake_yaml(state), report)


def _answer_topics(conversation: Conversation, answers: dict[str, str | list[str]], language: Language) -> None:
    yes, no = ("oui", "non") if language is Language.FR else ("yes", "no")
    stalled = 0
    for _ in range(MAX_TURNS):
        if conversation.done:
            return
        state = conversation.state
        topic = "follow_up" if state.follow_ups else state.current
        assert topic is not None
        default = {"confirm": yes, "follow_up": no, "worksheet.offer": no}.get(topic, "skip")
        answer = answers.get(topic, default)
        text = "\n".join(answer) if isinstance(answer, list) else answer
        before = (state.current, len(state.follow_ups), len(state.asked))
        conversation.send(text)
        after = (conversation.state.current, len(conversation.state.follow_ups), len(conversation.state.asked))
        stalled = stalled + 1 if after == before else 0
        if stalled >= 2:
            shown = repr(text[:200]) + (f"… ({len(text):,} characters)" if len(text) > 200 else "")
            raise InterviewError(f"script: the answer for {topic!r} is not accepted ({shown}); fix it in the script")
    raise InterviewError(f"script: the interview did not finish within {MAX_TURNS} turns")
