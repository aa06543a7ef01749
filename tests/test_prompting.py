"""Prompt files: a file that lost a placeholder, or says another language, fails when it is loaded."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from plannum_assistant.errors import KnowledgeError
from plannum_assistant.interview.llm import load_prompts
from plannum_assistant.planning.llm import load_plan_prompts
from plannum_assistant.vocabulary import Language

from .conftest import ROOT


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "prompts"
    shutil.copytree(ROOT / "prompts", target)
    return target


def test_the_shipped_prompt_files_load_and_render(tmp_path: Path) -> None:
    prompts, problems = load_plan_prompts(ROOT / "prompts")
    assert {p.language for p in prompts.values()} == set(Language)
    assert "no initiative chosen" in problems.problem("empty")
    interview = load_prompts(ROOT / "prompts")
    assert interview[Language.FR].version >= 1


@pytest.mark.parametrize(
    ("name", "placeholder", "loader"),
    [("plan-en.yaml", "{candidates}", load_plan_prompts), ("interview-fr.yaml", "{message}", load_prompts)],
)
def test_a_lost_placeholder_is_refused_at_load_naming_the_file(
    tmp_path: Path, name: str, placeholder: str, loader: object
) -> None:
    folder = _copy(tmp_path)
    path = folder / name
    path.write_text(path.read_text(encoding="utf-8").replace(placeholder, "(gone)"), encoding="utf-8")
    with pytest.raises(KnowledgeError, match=name):
        loader(folder)  # type: ignore[operator]


def test_a_prompt_file_must_say_its_own_language(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    path = folder / "plan-fr.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("language: fr", "language: en"), encoding="utf-8")
    with pytest.raises(KnowledgeError, match="language must be fr"):
        load_plan_prompts(folder)
