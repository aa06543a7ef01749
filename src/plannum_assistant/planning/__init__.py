"""Planning: plan engines (offline today), their shared stages, and the validate-repair-fallback loop."""

from .engine import Attempt, PlanEngine, PlanOutcome, draft_plan
from .offline import OfflineEngine
from .types import PlanContext

__all__ = ["Attempt", "OfflineEngine", "PlanContext", "PlanEngine", "PlanOutcome", "draft_plan"]
