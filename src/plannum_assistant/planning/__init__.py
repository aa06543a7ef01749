"""Planning: plan engines (offline today), their shared stages, and the validate-repair-fallback loop."""

from .engine import Attempt, PlanEngine, PlanOutcome, draft_plan
from .offline import OfflinePlanner
from .types import PlanContext

__all__ = ["Attempt", "OfflinePlanner", "PlanContext", "PlanEngine", "PlanOutcome", "draft_plan"]
