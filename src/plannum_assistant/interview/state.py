"""What an interview knows, and what a conversation needs from an engine.

The state is what the intake file holds (answers keyed by topic id), plus the
transcript, the queue of topics still to ask and the stage, so an interview can
always be exported as an intake and re-planned.
"""

from __future__ import annotations

from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

from ..vocabulary import Language
from .script import InterviewTexts


class Message(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Literal["user", "assistant"]
    text: str
    engine: str | None = None
    notice: str | None = None


class FollowUp(BaseModel):
    """A catalogue symptom offered to sharpen a vague pain point ("Est-ce que … ?")."""

    model_config = ConfigDict(extra="forbid")

    function: str
    item: int
    symptom: str


class InterviewState(BaseModel):
    """Everything an interview knows; JSON-serialisable, stored after every turn."""

    model_config = ConfigDict(extra="forbid")

    version: Literal[1] = 1
    language: Language = Language.FR
    stage: str = "language"
    pending: list[str] = Field(default_factory=list, description="topics still to ask, next first")
    asked: list[str] = Field(default_factory=list, description="topics answered or skipped, in order")
    answers: dict[str, Any] = Field(default_factory=dict)
    follow_ups: list[FollowUp] = Field(default_factory=list)
    revisit: list[str] = Field(
        default_factory=list,
        description="answered topics put back in the queue by 'back': kept as they are unless answered again",
    )
    worksheet: bool = False
    done: bool = False
    transcript: list[Message] = Field(default_factory=list)

    @property
    def current(self) -> str | None:
        return self.pending[0] if self.pending else None

    def fork(self) -> InterviewState:
        """A copy for the next turn to change (a turn never changes the state it was given). The messages
        already in the transcript are shared, not copied: a turn only appends, and copying them all every
        turn made long sessions quadratic."""
        copy = self.model_copy(update={"transcript": []}).model_copy(deep=True)
        copy.transcript = list(self.transcript)
        return copy


class Turn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reply: str
    state: InterviewState
    engine: str
    notice: str | None = None


class Engine(Protocol):
    """What a conversation needs from an interview engine (offline or LLM)."""

    name: str
    texts: InterviewTexts  # what the interview says around its questions (knowledge/interview.yaml)

    def start(self, language: Language | None = None) -> Turn: ...

    def respond(self, state: InterviewState, message: str) -> Turn: ...

    def question(self, state: InterviewState) -> str: ...
