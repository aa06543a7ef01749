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
    ``llm_plan_max_tokens``). langchain-openai sends it as ``max_completion_tokens``, which OpenAI
    reads but llama.cpp's server (llama-cpp-python 0.3) ignores: a model that rambles there writes
    until its context is full, minutes after the call timed out, and holds the server for the next
    call. A server of one's own (``llm_base_url``) is sent ``max_tokens`` as well."""
    from langchain_openai import ChatOpenAI

    limit = max_tokens if max_tokens is not None else settings.llm_max_tokens
    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else "not-needed-for-local-servers"
    return ChatOpenAI(
        model=settings.llm_model,
        api_key=key,
        base_url=settings.llm_base_url,
        timeout=settings.llm_timeout,
        max_retries=0,  # one call per turn: a failure falls back to the offline engine at once
        http_client=http_client(),  # honours the turn's deadline (a trickling server cannot hold it)
        max_tokens=limit,
        extra_body={"max_tokens": limit} if settings.llm_base_url else None,
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
