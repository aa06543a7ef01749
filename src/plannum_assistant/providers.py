"""The configured chat model (any OpenAI-compatible provider) and what both LLM engines read from its replies.

``ChatOpenAI`` is built only when a provider is configured; it honours the deadline of
:mod:`.deadline` (a trickling server cannot hold a turn or a plan) and never retries by itself.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from .deadline import http_client

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from .settings import Settings


def build_chat_model(settings: Settings, max_tokens: int | None = None) -> BaseChatModel:
    """The configured OpenAI-compatible chat model; call only when a provider is configured.

    ``max_tokens``: the longest answer per call (default ``llm_max_tokens``; plan drafts pass
    ``llm_plan_max_tokens``). OpenAI itself (no ``llm_base_url``) is sent ``max_completion_tokens``,
    as langchain-openai does. A server of one's own is sent ``max_tokens`` only: llama.cpp's server
    (llama-cpp-python 0.3) ignores ``max_completion_tokens``, so a model that rambles there writes
    until its context is full, minutes after the call timed out, and holds the server for the next
    call; and OpenAI, like some gateways, refuses a request carrying both fields."""
    from langchain_openai import ChatOpenAI

    limit = max_tokens if max_tokens is not None else settings.llm_max_tokens
    own_server = settings.llm_base_url is not None
    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else "not-needed-for-local-servers"
    return ChatOpenAI(
        model=settings.llm_model,
        api_key=key,
        base_url=settings.llm_base_url,
        timeout=settings.llm_timeout,
        max_retries=0,  # one call per turn: a failure falls back to the offline engine at once
        http_client=http_client(),  # honours the turn's deadline (a trickling server cannot hold it)
        max_tokens=None if own_server else limit,
        extra_body={"max_tokens": limit} if own_server else None,
        temperature=0,
    )


def raw_text(message: Any) -> str:
    """A reply's text as the model wrote it (a tool call's arguments as JSON): sent back for a repair."""
    if message is None:
        return ""
    tool_calls = getattr(message, "tool_calls", None)
    if tool_calls:
        return json.dumps(tool_calls[0].get("args", {}), ensure_ascii=False)
    content = getattr(message, "content", "")
    return content if isinstance(content, str) else json.dumps(content, ensure_ascii=False)


CUT_SHOWN = 600  # characters of a reply cut at the length limit sent back with the repair request


def cut_text(exc: Any) -> str:
    """The start of a reply cut at the length limit (``openai.LengthFinishReasonError``), marked as
    cut: sent back with the repair request, so the model sees what it wrote, not "(no output)"."""
    try:
        message = exc.completion.choices[0].message
        text = message.content or (message.tool_calls[0].function.arguments if message.tool_calls else "")
    except (AttributeError, IndexError, TypeError):
        return ""
    text = str(text or "")
    return text[:CUT_SHOWN] + " …[cut at the length limit]" if text else ""
