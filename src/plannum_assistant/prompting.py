"""Prompt files (``prompts/<name>-<language>.yaml``): strict, versioned, one per language.

A prompt file holds a ``system`` and a ``user`` template (``str.format`` placeholders). Each kind
of prompt names the placeholders it must contain, so a file that lost one fails when it is loaded,
not when a model answers strangely.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar, Self, TypeVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .errors import KnowledgeError
from .files import load_model
from .vocabulary import Language


class PromptFile(BaseModel):
    """Base of every prompt file; subclasses list their ``placeholders``."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    placeholders: ClassVar[tuple[str, ...]] = ()

    version: int = Field(ge=1, description="bump on every change")
    language: Language
    system: str = Field(min_length=1)
    user: str = Field(min_length=1)

    @model_validator(mode="after")
    def _has_its_placeholders(self) -> Self:
        missing = [p for p in self.placeholders if p not in self.system + self.user]
        if missing:
            raise ValueError(f"missing placeholders {', '.join(missing)}")
        return self

    def render(self, **values: str) -> tuple[str, str]:
        """The system and user messages, every placeholder filled."""
        return self.system.format(**values), self.user.format(**values)


P = TypeVar("P", bound="PromptFile")


def load_prompt_files(directory: Path, name: str, kind: type[P]) -> dict[Language, P]:
    """``<name>-fr.yaml`` and ``<name>-en.yaml``; each must say its own language."""
    prompts = {}
    for language in Language:
        path = directory / f"{name}-{language.value}.yaml"
        prompt = load_model(path, kind, KnowledgeError)
        if prompt.language is not language:
            raise KnowledgeError(f"{path}: language must be {language.value}")
        prompts[language] = prompt
    return prompts
