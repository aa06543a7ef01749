"""Shared fixtures: the real catalogue and knowledge, a throw-away data directory."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from plannum_assistant.assistant import Assistant
from plannum_assistant.intake import Intake
from plannum_assistant.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
KNOWLEDGE = ROOT / "knowledge"
# A developer's own provider settings must never make a test call the network.
_PROVIDER_VARIABLES = ("OPENAI_API_KEY", "PLANNUM_LLM_BASE_URL", "PLANNUM_LLM_MODEL", "PLANNUM_LLM_METHOD")
for _name in _PROVIDER_VARIABLES:
    os.environ.pop(_name, None)


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(data_dir=tmp_path_factory.mktemp("data"), knowledge_dir=KNOWLEDGE)


@pytest.fixture(scope="session")
def assistant(settings: Settings) -> Assistant:
    """The real assistant over the real catalogue; its index is built once per test session."""
    built = Assistant(settings)
    built.build_index()
    return built


@pytest.fixture()
def cli_data_dir(assistant: Assistant, tmp_path: Path) -> Path:
    """A fresh data directory for a CLI run, holding a copy of the session's built index.

    Commands that plan or search would otherwise rebuild the index (about 10 s each); the
    encoder cache is shared through a link, since it is only ever replaced atomically.
    """
    target = tmp_path / "data"
    target.mkdir()
    source = assistant.settings.data_dir
    shutil.copytree(source / "index", target / "index")
    if (source / "cache").is_dir():
        (target / "cache").symlink_to(source / "cache", target_is_directory=True)
    return target


@pytest.fixture()
def knowledge_copy(tmp_path: Path) -> Path:
    """A writable copy of knowledge/ to break on purpose."""
    target = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, target)
    return target


def run_cli(
    *args: str, env: dict[str, str] | None = None, stdin: bytes | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run `python -m plannum_assistant` as a user would, capturing text output."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "plannum_assistant", *args],
        input=stdin.decode() if stdin is not None else None,
        capture_output=True,
        text=True,
        env=full_env,
        timeout=timeout,
    )


def small_intake(**overrides: Any) -> Intake:
    """A machine shop with a recent strategic plan (one SO about sales, one OO about breakdowns) and one pain."""
    data: dict[str, Any] = {
        "language": "en",
        "company": {"name": "Acme", "sector": "machine shop", "employees": 30},
        "strategic_plan": {
            "adopted": "2026-01",
            "mission": "Make good parts.",
            "strategic_orientations": ["Grow"],
            "strategic_objectives": ["Grow sales to contractors by 20% by December 2027"],
            "operational_orientations": ["Reliable machines"],
            "operational_objectives": ["Cut machine breakdowns by 40% by June 2027"],
        },
        "pain_points": ["Our sales reps keep customer contacts in their phones"],
        "constraints": {"horizon_months": 24},
    }
    data.update(overrides)
    return Intake.model_validate(data)
