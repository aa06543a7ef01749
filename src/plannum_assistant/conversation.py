"""A conversation = an engine + a stored session: the API the chat CLI (and the web chat) use.

:meth:`Conversation.send` commits the user's message, asks the engine, then
commits the new state with the reply — in that order — so a crash never
loses an answer, and :meth:`Conversation.resume` replays a message that was
committed but never answered.
"""

from __future__ import annotations

from typing import Any

import yaml

from .interview import Engine, InterviewState, Turn, build_intake, worksheet_of
from .sessions import SessionStore
from .vocabulary import Language

MAX_MESSAGE_CHARS = 4000


class Conversation:
    def __init__(self, store: SessionStore, engine: Engine, session_id: str, state: InterviewState) -> None:
        self.store = store
        self.engine = engine
        self.session_id = session_id
        self.state = state

    @classmethod
    def start(cls, store: SessionStore, engine: Engine, language: Language | None = None) -> tuple[Conversation, str]:
        turn = engine.start(language)
        session_id = store.create(turn.state, engine.name)
        return cls(store, engine, session_id, turn.state), turn.reply

    @classmethod
    def resume(cls, store: SessionStore, engine: Engine, session_id: str) -> tuple[Conversation, str]:
        """Reopen a session; a message left unanswered by a crash is answered now."""
        state = store.load(session_id)
        # A session finished before the intake's limits were enforced, with an answer the intake refuses:
        # that question is asked again (the LLM engine builds on the offline one).
        reopen = getattr(getattr(engine, "offline", engine), "reopen", None)
        note = reopen(state) if callable(reopen) else None
        conversation = cls(store, engine, session_id, state)
        pending = store.unanswered(session_id)
        if pending is not None:
            return conversation, conversation._answer(pending).reply
        return conversation, f"{note}\n{engine.question(state)}" if note else engine.question(state)

    def send(self, text: str) -> Turn:
        text = storable(text)
        if len(text) > MAX_MESSAGE_CHARS:
            self.store.record_user(self.session_id, text[:MAX_MESSAGE_CHARS] + " […]")
            reply = self.engine.texts.render("too_long", self.state.language, size=len(text), limit=MAX_MESSAGE_CHARS)
            reply = f"{reply}\n{self.engine.question(self.state)}"
            self.store.record_reply(self.session_id, self.state, reply, self.engine.name)
            return Turn(reply=reply, state=self.state, engine=self.engine.name)
        self.store.record_user(self.session_id, text)
        return self._answer(text)

    def _answer(self, text: str) -> Turn:
        turn = self.engine.respond(self.state, text)
        self.store.record_reply(self.session_id, turn.state, turn.reply, turn.engine, turn.notice)
        self.state = turn.state
        return turn

    @property
    def done(self) -> bool:
        return self.state.done


def storable(text: str) -> str:
    """The text with what cannot be stored as UTF-8 replaced by U+FFFD: the undecodable bytes a terminal
    hands Python as lone surrogates ("surrogateescape"), or a lone surrogate from anywhere else."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        try:
            raw = text.encode("utf-8", "surrogateescape")
        except UnicodeEncodeError:
            raw = text.encode("utf-8", "surrogatepass")
        return raw.decode("utf-8", "replace")


def intake_yaml(state: InterviewState) -> str:
    """The interview as an intake file; a strategic-plan worksheet, if any, rides along as comments."""
    intake = build_intake(state)
    data: dict[str, Any] = intake.model_dump(mode="json", exclude_none=True)
    if data.get("strategic_plan") is None:
        data.pop("strategic_plan", None)
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
    worksheet = worksheet_of(state)
    if worksheet and not state.answers.get("strategic_plan.adopted"):
        drafted = yaml.safe_dump({"strategic_plan_draft": worksheet}, allow_unicode=True, sort_keys=False)
        note = "# Strategic plan drafted in the worksheet (not adopted yet): adopt it, then add it above.\n"
        text += "\n" + note + "".join(f"# {line}\n" for line in drafted.splitlines())
    return text
