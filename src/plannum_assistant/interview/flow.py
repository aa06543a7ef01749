"""The question queue: when the strategic plan is over, what the diagnostic asks, which stage it is.

Pure functions of the interview state and the script; :class:`.offline.OfflineEngine` moves the
queue after each answer and calls them.
"""

from __future__ import annotations

from ..knowledge import Dimensions
from ..vocabulary import BusinessFunction
from .script import InterviewScript
from .state import InterviewState


def strategy_over(state: InterviewState, topic_id: str) -> bool:
    """Time for the diagnostic: "no plan", the plan's last question answered, or every part of it given
    before it was asked (a rich message to the LLM engine) while the diagnostic is not queued yet."""
    if topic_id == "strategic_plan.exists" and not state.answers[topic_id]:
        return True
    if state.worksheet or "strategic_plan.exists" not in state.answers or not topic_id.startswith("strategic_plan"):
        return False
    if any(t.startswith("strategic_plan.") for t in state.pending):
        return False
    queued = (t.startswith(("maturity.", "pain_points.", "worksheet")) for t in [*state.pending, *state.asked])
    return topic_id == "strategic_plan.operational_objectives" or not any(queued)


def queue_diagnostic(
    state: InterviewState, script: InterviewScript, dimensions: Dimensions, *, gate_ready: bool
) -> None:
    """The worksheet offer when the gate fails (and none is under way), then every diagnostic topic not
    answered or queued yet: maturity, pain points by function, systems, constraints, follow-up."""
    rest = [f"maturity.{spec.id.value}" for spec in dimensions.dimensions]
    rest += [f"pain_points.{f.value}" for f in BusinessFunction]
    rest += [t.id for t in script.topics if t.stage in ("systems", "constraints", "follow_up")]
    rest = [t for t in rest if t not in state.answers and t not in state.pending]
    state.pending[0:0] = (["worksheet.offer"] if not gate_ready and not state.worksheet else []) + rest


def stage_of(script: InterviewScript, state: InterviewState) -> str:
    if state.done:
        return "draft_plan"
    current = state.current
    if current is None or current == "worksheet.offer":
        return "strategic_plan"
    return script.topic(current).stage
