"""The LLM interview engine: a model proposes, the offline engine disposes.

One user turn is one call to an OpenAI-compatible chat model (OpenAI, Ollama,
vLLM, llama.cpp) that returns a structured update: the fields the message
states, each with the user's own words as evidence, and the next question.
Everything is checked locally — pydantic schema, known topic ids, evidence
copied from the message that states the value (:mod:`.evidence`), values
accepted by the same parsers the offline engine uses. An invalid update is sent
back with the error for at most ``max_repairs`` repairs; after that, or on any
provider failure (timeout, server error, a reply that is no chat completion),
the offline engine handles the turn and the reply carries a visible notice that
says why in a few words of ours, never the model's. The question shown is always
the offline engine's: the model's ``next_question`` is never shown. The timeout
bounds the whole turn, repairs included (:mod:`plannum_assistant.deadline`). The
user's message is never lost (the conversation stored it before this runs).

``ChatOpenAI`` is only constructed when a provider is configured.
"""

from __future__ import annotations

import json
import time
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal, cast

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..catalogue import Catalogue
from ..deadline import DeadlineExceeded, within
from ..parsing import AnswerError
from ..prompting import PromptFile, load_prompt_files
from ..providers import build_chat_model as build_chat_model  # re-exported: the interview's public API
from ..providers import cut_text, raw_text
from ..vocabulary import Language
from .evidence import quoted, supports
from .offline import OfflineEngine
from .state import InterviewState, Message, Turn

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel


Method = Literal["json_schema", "function_calling", "json_mode"]
_NOT_FILLABLE = ("language", "confirm", "worksheet.offer", "strategic_plan.exists")


class PromptTemplate(PromptFile):
    """prompts/interview-<language>.yaml (the user template must hold the user's ``{message}``)."""

    placeholders: ClassVar[tuple[str, ...]] = (
        "{stage}",
        "{topic}",
        "{question}",
        "{answers}",
        "{topics}",
        "{catalogue}",
        "{schema}",
        "{message}",
    )

    @field_validator("user")
    @classmethod
    def _has_the_message(cls, value: str) -> str:
        if "{message}" not in value:
            raise ValueError("the user template must contain {message}")
        return value


def load_prompts(directory: Path) -> dict[Language, PromptTemplate]:
    return load_prompt_files(directory, "interview", PromptTemplate)


class ExtractedField(BaseModel):
    model_config = ConfigDict(extra="forbid")

    topic: str = Field(description="one of the listed topic ids")
    value: str = Field(description="the answer as the user said it; one line per item for lists")
    evidence: str = Field(description="an exact passage of the user's message that states this value")


class InterviewUpdate(BaseModel):
    """What the model may propose for one user turn."""

    model_config = ConfigDict(extra="forbid")

    fields: list[ExtractedField] = Field(description="facts stated in the message; empty if none")
    next_question: str = Field(description="one short question about the next topic, in the interview language")


class _Unavailable(Exception):
    """The provider gave no usable reply; ``cause`` names why (a notice of ``interview.yaml``)."""

    def __init__(self, cause: str, status: int = 0) -> None:
        super().__init__(cause)
        self.cause, self.status = cause, status


class LLMEngine:
    """Conversational interview over a chat model, with the offline engine as its floor."""

    name = "llm"

    def __init__(
        self,
        offline: OfflineEngine,
        model: BaseChatModel,
        prompts: dict[Language, PromptTemplate],
        catalogue: Catalogue,
        *,
        method: Method = "json_schema",
        max_repairs: int = 2,
        timeout: float = 30.0,
    ) -> None:
        self.offline = offline
        self.texts = offline.texts
        self.model = model
        self.prompts = prompts
        self.catalogue_line = ", ".join(f"{e.id} ({e.name.en})" for e in catalogue)
        self.method = method
        self.max_repairs = max_repairs
        self.timeout = timeout  # seconds for a whole turn, repairs included
        self.calls = 0  # model calls made (the benchmark counts them)
        self._schema = json.dumps(InterviewUpdate.model_json_schema(), ensure_ascii=False, separators=(",", ":"))
        self._structured = model.with_structured_output(InterviewUpdate, method=method, include_raw=True)

    def start(self, language: Language | None = None) -> Turn:
        return self.offline.start(language)

    def question(self, state: InterviewState) -> str:
        return self.offline.question(state)

    def respond(self, state: InterviewState, message: str) -> Turn:
        if self._deterministic(state, message):
            return self.offline.respond(state, message)
        try:
            update = self._update(state, message, time.monotonic() + self.timeout)
        except _Unavailable as exc:
            return self._fallback(state, message, "unavailable", exc.cause, exc.status)
        if update is None:
            return self._fallback(state, message, "invalid")
        answered_current = any(field.topic == state.current for field in update.fields)
        if not answered_current and self._offline_accepts(state, message):
            # A weak model missed the plain answer to the question asked: the parser takes the turn.
            return self._fallback(state, message, "missed" if update.fields else "empty")
        return self._apply(state, message, update)

    def _offline_accepts(self, state: InterviewState, message: str) -> bool:
        if state.current is None:
            return False
        try:
            self.offline.parse(state.current, message, state)
        except AnswerError:
            return False
        return True

    # --- the model call, validated and repaired ---------------------------------------------

    def _update(self, state: InterviewState, message: str, deadline: float) -> InterviewUpdate | None:
        """A valid update within the deadline, repairs included; None when the repairs ran out."""
        messages: list[Any] = self._messages(state, message)
        for _ in range(1 + self.max_repairs):
            raw, update, error = self._call(messages, deadline)
            if update is not None:
                error = self._check(state, message, update)
                if error is None:
                    return update
            messages = [*messages, ("ai", raw or "(no output)"), ("human", _repair_request(error))]
        return None

    def _call(self, messages: list[Any], deadline: float) -> tuple[str, InterviewUpdate | None, str | None]:
        """One model call: the update, or what to send back for a repair; raises _Unavailable when the
        provider gave no usable reply (then asking again within the turn is pointless)."""
        import openai
        from langchain_core.exceptions import OutputParserException

        left = deadline - time.monotonic()
        if left <= 0:
            raise _Unavailable("timeout")
        self.calls += 1
        try:
            reply = within(left, lambda: self._structured.invoke(messages))
            result = cast("dict[str, Any]", reply)  # include_raw=True: raw, parsed, parsing_error
            raw = raw_text(result.get("raw"))
            if result.get("parsing_error") is not None or result.get("parsed") is None:
                return raw, None, _short(result.get("parsing_error") or "no structured output")
            parsed = result["parsed"]
            update = parsed if isinstance(parsed, InterviewUpdate) else InterviewUpdate.model_validate(parsed)
        except (ValidationError, OutputParserException) as exc:  # json_schema parses inside the call
            return "", None, _short(exc)
        except (DeadlineExceeded, openai.APITimeoutError):
            raise _Unavailable("timeout") from None
        except openai.LengthFinishReasonError as exc:  # cut at max_tokens: worth asking again, shorter
            return cut_text(exc), None, CUT
        except openai.APIStatusError as exc:
            raise _Unavailable("http", exc.status_code) from None
        except openai.APIConnectionError:
            raise _Unavailable("connection") from None
        except Exception:  # a 200 that is no chat completion (HTML, no choices...): nothing to repair
            raise _Unavailable("unreadable") from None
        return raw, update, None

    def _check(self, state: InterviewState, message: str, update: InterviewUpdate) -> str | None:
        """Local validation: known topics, evidence copied from the message that states the value, values
        the parsers accept. The errors go back to the model only."""
        for field in update.fields:
            if not self._fillable(state, field.topic):
                return f"topic {field.topic!r} is not one of the listed topic ids"
            if not quoted(field.evidence, message):
                return f"evidence for {field.topic!r} is not an exact passage of the user's message"
            try:
                value = self.offline.parse(field.topic, field.value, state)
            except AnswerError as exc:
                return f"value for {field.topic!r} is not valid: {exc.hint[Language.EN]}"
            kind = self.offline.script.topic(field.topic).kind
            parse = partial(self.offline.parse, field.topic, state=state)
            if not supports(kind, field.value, value, field.evidence, parse):
                return (
                    f"evidence for {field.topic!r} does not state the value {field.value!r}: quote the words of "
                    "the message that say it, or leave the field out"
                )
        return None

    def _fillable(self, state: InterviewState, topic_id: str) -> bool:
        return topic_id not in _NOT_FILLABLE and topic_id in self.offline.fillable_topics(state)

    # --- applying -------------------------------------------------------------------------

    def _apply(self, state: InterviewState, message: str, update: InterviewUpdate) -> Turn:
        state = state.fork()
        state.transcript.append(Message(role="user", text=message))
        notes: list[str] = []
        for field in update.fields:
            notes += self.offline.fill(state, field.topic, field.value)
        # Our question, never the model's next_question: what the owner is asked is ours to word.
        reply = "\n".join([*notes, self.offline.question(state)])
        state.transcript.append(Message(role="assistant", text=reply, engine=self.name))
        return Turn(reply=reply, state=state, engine=self.name)

    def _fallback(self, state: InterviewState, message: str, reason: str, cause: str = "", status: int = 0) -> Turn:
        """The offline engine's turn, with a notice in our words: the reason, at most a short cause."""
        turn = self.offline.respond(state, message)
        notices = self.offline.script.notices
        detail = notices.render(cause, state.language, status=status) if cause else ""
        notice = notices.render(reason, state.language, detail=detail)
        turn.state.transcript[-1].notice = notice
        return Turn(reply=f"[{notice}]\n{turn.reply}", state=turn.state, engine="offline", notice=notice)

    def _deterministic(self, state: InterviewState, message: str) -> bool:
        """Commands and yes/no checkpoints stay with the offline engine: no model call."""
        return self.offline.is_command(message) or bool(state.follow_ups) or state.current in _NOT_FILLABLE

    def _messages(self, state: InterviewState, message: str) -> list[Any]:
        """System prompt fixed (servers cache its prefix); the user prompt stays short."""
        prompt = self.prompts[state.language]
        answers = "\n".join(
            f"- {k}: {_clip(v)}" for k, v in state.answers.items() if k not in ("language", "strategic_plan.exists")
        )
        system, user = prompt.render(
            stage=state.stage,
            topic=state.current or "-",
            question=self.offline.question(state),
            answers=answers or "-",
            topics=", ".join(self.offline.fillable_topics(state)),
            catalogue=self.catalogue_line if state.stage == "pain_points" else "-",
            schema=self._schema,
            message=message,
        )
        return [("system", system), ("human", user)]


def _clip(value: object, limit: int = 80) -> str:
    text = "; ".join(map(str, value)) if isinstance(value, list) else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


CUT = "the reply reached the length limit before its JSON ended; answer shorter, with nothing outside the JSON"


def _repair_request(error: str | None) -> str:
    return (
        f"Your previous output was invalid: {error}. Answer again with JSON that follows the schema, using only "
        "topic ids from the list and evidence copied exactly from the user's message."
    )


def _short(error: object) -> str:
    return str(error).splitlines()[0][:300] if str(error) else type(error).__name__
