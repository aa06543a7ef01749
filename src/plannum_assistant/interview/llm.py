"""The LLM interview engine: a model proposes, the offline engine disposes.

One user turn is one call to an OpenAI-compatible chat model (OpenAI, Ollama,
vLLM, llama.cpp) that returns a structured update: the fields the message
states, each with the user's own words as evidence, and the next question.
Everything is checked locally — pydantic schema, known topic ids, evidence
actually present in the message, values accepted by the same parsers the
offline engine uses. An invalid update is sent back with the error for at most
``max_repairs`` repairs; after that, or on a timeout or a server error, the
offline engine handles the turn and the reply carries a visible notice. The
user's message is never lost (the conversation stored it before this runs).

``ChatOpenAI`` is only constructed when a provider is configured.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..catalogue import Catalogue
from ..errors import EngineUnavailableError, KnowledgeError
from ..files import load_model
from ..parsing import AnswerError
from ..smart import fold
from ..text import guess_language
from ..vocabulary import Language
from .offline import OfflineEngine
from .state import InterviewState, Message, Turn

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from ..settings import Settings

Method = Literal["json_schema", "function_calling", "json_mode"]
_PLACEHOLDERS = ("{stage}", "{topic}", "{question}", "{answers}", "{topics}", "{catalogue}", "{schema}", "{message}")
_NOT_FILLABLE = ("language", "confirm", "worksheet.offer", "strategic_plan.exists")


class PromptTemplate(BaseModel):
    """A prompt file of ``prompts/``: strict, versioned, one per language."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = Field(ge=1)
    language: Language
    system: str = Field(min_length=1)
    user: str = Field(min_length=1)

    @field_validator("user")
    @classmethod
    def _has_the_message(cls, value: str) -> str:
        if "{message}" not in value:
            raise ValueError("the user template must contain {message}")
        return value

    def render(self, **values: str) -> tuple[str, str]:
        missing = [p for p in _PLACEHOLDERS if p not in self.system + self.user]
        if missing:
            raise KnowledgeError(f"prompt ({self.language.value}): missing placeholders {', '.join(missing)}")
        return self.system.format(**values), self.user.format(**values)


def load_prompts(directory: Path) -> dict[Language, PromptTemplate]:
    prompts = {}
    for language in Language:
        prompt = load_model(directory / f"interview-{language.value}.yaml", PromptTemplate, KnowledgeError)
        if prompt.language is not language:
            raise KnowledgeError(f"{directory}/interview-{language.value}.yaml: language must be {language.value}")
        prompts[language] = prompt
    return prompts


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


def build_chat_model(settings: Settings) -> BaseChatModel:
    """The configured OpenAI-compatible chat model; call only when a provider is configured."""
    from langchain_openai import ChatOpenAI

    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else "not-needed-for-local-servers"
    return ChatOpenAI(
        model=settings.llm_model,
        api_key=key,
        base_url=settings.llm_base_url,
        timeout=settings.llm_timeout,
        max_retries=0,  # one call per turn: a failure falls back to the offline engine at once
        max_tokens=settings.llm_max_tokens,
        temperature=0,
    )


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
    ) -> None:
        self.offline = offline
        self.texts = offline.texts
        self.model = model
        self.prompts = prompts
        self.catalogue_line = ", ".join(f"{e.id} ({e.name.en})" for e in catalogue)
        self.method = method
        self.max_repairs = max_repairs
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
            update, failure = self._update(state, message)
        except EngineUnavailableError as exc:
            return self._fallback(state, message, "unavailable", str(exc))
        if update is None:
            return self._fallback(state, message, "invalid", failure or "")
        answered_current = any(field.topic == state.current for field in update.fields)
        if not answered_current and self._offline_accepts(state, message):
            # A weak model missed the plain answer to the question asked: the parser takes the turn.
            return self._fallback(state, message, "missed" if update.fields else "empty", "")
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

    def _update(self, state: InterviewState, message: str) -> tuple[InterviewUpdate | None, str | None]:
        messages: list[Any] = self._messages(state, message)
        error = None
        for _ in range(1 + self.max_repairs):
            raw, update, error = self._call(messages)
            if update is not None:
                error = self._check(state, message, update)
                if error is None:
                    return update, None
            messages = [*messages, ("ai", raw or "(no output)"), ("human", _repair_request(error))]
        return None, error

    def _call(self, messages: list[Any]) -> tuple[str, InterviewUpdate | None, str | None]:
        import openai

        self.calls += 1
        try:
            result: dict[str, Any] = self._structured.invoke(messages)  # type: ignore[assignment]  # include_raw=True
        except openai.APITimeoutError:
            raise EngineUnavailableError("timeout") from None
        except openai.APIStatusError as exc:
            raise EngineUnavailableError(f"HTTP {exc.status_code}") from None
        except openai.APIConnectionError:
            raise EngineUnavailableError("connection failed") from None
        except (ValidationError, ValueError) as exc:  # json_schema parses inside the call
            return "", None, _short(exc)
        raw = _raw_text(result.get("raw"))
        if result.get("parsing_error") is not None or result.get("parsed") is None:
            return raw, None, _short(result.get("parsing_error") or "no structured output")
        parsed = result["parsed"]
        update = parsed if isinstance(parsed, InterviewUpdate) else InterviewUpdate.model_validate(parsed)
        return raw, update, None

    def _check(self, state: InterviewState, message: str, update: InterviewUpdate) -> str | None:
        """Local validation: known topics, evidence really in the message, values the parsers accept."""
        said = _normalise(message)
        for field in update.fields:
            if not self._fillable(state, field.topic):
                return f"topic {field.topic!r} is not one of the listed topic ids"
            if not field.evidence.strip() or _normalise(field.evidence) not in said:
                return f"evidence for {field.topic!r} is not an exact passage of the user's message"
            try:
                self.offline.parse(field.topic, field.value, state)
            except AnswerError as exc:
                return f"value for {field.topic!r} is not valid: {exc.hint[Language.EN]}"
        if len(update.next_question) > 1000:
            return "next_question is too long"
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
        reply = "\n".join([*notes, self._question(state, update.next_question)])
        state.transcript.append(Message(role="assistant", text=reply, engine=self.name))
        return Turn(reply=reply, state=state, engine=self.name)

    def _question(self, state: InterviewState, proposed: str) -> str:
        """The model's wording when it looks like one question in the right language, else ours."""
        proposed = proposed.strip()
        fits = 0 < len(proposed) <= 400 and proposed.endswith("?") and not state.done
        if fits and guess_language(proposed) in (state.language, None):
            return proposed
        return self.offline.question(state)

    def _fallback(self, state: InterviewState, message: str, reason: str, detail: str) -> Turn:
        turn = self.offline.respond(state, message)
        notice = self.offline.script.notices.render(reason, state.language, detail=detail)
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


def _repair_request(error: str | None) -> str:
    return (
        f"Your previous output was invalid: {error}. Answer again with JSON that follows the schema, using only "
        "topic ids from the list and evidence copied exactly from the user's message."
    )


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", fold(text)).strip(" .,;:!?\"'«»")


def _raw_text(message: Any) -> str:
    if message is None:
        return ""
    tool_calls = getattr(message, "tool_calls", None)
    if tool_calls:
        return json.dumps(tool_calls[0].get("args", {}), ensure_ascii=False)
    content = getattr(message, "content", "")
    return content if isinstance(content, str) else json.dumps(content, ensure_ascii=False)


def _short(error: object) -> str:
    return str(error).splitlines()[0][:300] if str(error) else type(error).__name__
