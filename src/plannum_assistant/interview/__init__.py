"""The guided interview: its state, its script, the commands a user may type, and its engines.

Topics, questions, examples and every sentence and word the interview uses are data
(``knowledge/interview.yaml``; the answer parsers' words: ``knowledge/parsing.yaml``);
maturity questions come from ``dimensions.yaml``. The offline engine asks one question at a
time and parses answers deterministically; corrections, "back", "skip" and a summary work at
any point. The LLM engine (:mod:`.llm`, imported only when a provider is configured) builds on it.

Modules, bottom to top: ``script`` (the data), ``state`` (the state, turns, the engine
protocol), ``commands``, ``answers``, ``build`` (state → intake), ``offline``, ``llm``.
"""

from __future__ import annotations

from .build import build_intake, worksheet_of
from .follow_ups import SymptomFinder
from .offline import OfflineEngine
from .script import InterviewScript, InterviewTexts, Kind, Topic, load_script
from .state import Engine, FollowUp, InterviewState, Message, Turn

__all__ = [
    "Engine",
    "FollowUp",
    "InterviewScript",
    "InterviewState",
    "InterviewTexts",
    "Kind",
    "Message",
    "OfflineEngine",
    "SymptomFinder",
    "Topic",
    "Turn",
    "build_intake",
    "load_script",
    "worksheet_of",
]
