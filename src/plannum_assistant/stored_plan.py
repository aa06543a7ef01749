"""A stored plan and its review record (issue 11): the plan JSON, each item's decision, the approval.

The data the review rules of :mod:`plannum_assistant.review` act on and the plan store keeps:
states, decisions, the approval hash over the canonical plan JSON, the audit line of a change,
and the items a reviewer decides. No rule of the review lives here.
"""

from __future__ import annotations

import hashlib
import json
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from .errors import PlannumError
from .report import PlanReport


class ReviewError(PlannumError):
    """Raised when a review action is refused: an unknown item or field, a change that breaks a
    business rule of the plan (the message names it), an approval with items still undecided.

    Fix: do what the message says (decide the items it lists, give a valid value), then try again.
    """


class PlanStatus(StrEnum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    CHANGES_REQUESTED = "changes_requested"


class ItemState(StrEnum):
    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    EDITED = "edited"
    REJECTED = "rejected"


class Decision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    state: ItemState = ItemState.PROPOSED
    reviewer: str | None = None
    at: str | None = None
    comment: str | None = None


class Approval(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reviewer: str
    at: str
    sha256: str


class Change(BaseModel):
    """One line of the audit log: who, when, what, before → after."""

    model_config = ConfigDict(extra="forbid")

    reviewer: str
    at: str
    action: str
    item: str | None = None
    before: Any = None
    after: Any = None
    comment: str | None = None


class StoredPlan(BaseModel):
    """A plan under review: the plan as it stands, a decision per item, the dropped initiatives
    (to restore them), and the approval when there is one."""

    model_config = ConfigDict(extra="forbid")

    id: str
    status: PlanStatus = PlanStatus.DRAFT
    report: dict[str, Any] = Field(description="the plan, as 'plannum plan --format json' prints it")
    decisions: dict[str, Decision] = Field(default_factory=dict)
    dropped: dict[str, dict[str, Any]] = Field(default_factory=dict, description="rejected initiatives and actions")
    approval: Approval | None = None

    def tampered(self) -> bool:
        """Approved, but the plan no longer matches the hash recorded at approval."""
        return self.status is PlanStatus.APPROVED and (
            self.approval is None or self.approval.sha256 != canonical_hash(self.report)
        )

    def undecided(self) -> list[str]:
        return [key for key, decision in self.decisions.items() if decision.state is ItemState.PROPOSED]


def canonical_hash(report: dict[str, Any]) -> str:
    """SHA-256 of the plan's canonical JSON (sorted keys, no spaces): what an approval signs."""
    text = json.dumps(report, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def item_keys(report: dict[str, Any]) -> list[str]:
    """Every item a reviewer decides: each initiative, each of its objective links, each activity
    (numbered from 1), each objective link of a module to activate, each SMART rewrite suggestion,
    the follow-up owner."""
    keys = []
    for initiative in report.get("initiatives", []):
        entry_id = initiative["catalogue_id"]
        keys += [f"initiative:{entry_id}", *(f"link:{entry_id}:{o}" for o in initiative["supports"])]
    for module in report.get("use_what_you_own", []):  # "activating it would serve OO2": a claim to decide
        keys += [f"link:{module['catalogue_id']}:{o}" for o in module.get("supports", [])]
    for actions in report.get("action_plan", []):
        keys += [f"activity:{actions['initiative']}:{n}" for n in range(1, len(actions["activities"]) + 1)]
    keys += [f"smart:{s['objective']}" for s in report.get("smart_suggestions", [])]  # decided, never applied
    return [*keys, "follow_up"]


def children(plan: StoredPlan, entry_id: str) -> list[str]:
    """An initiative's activity and link items: they leave and come back with it."""
    return [k for k in plan.decisions if k.startswith((f"activity:{entry_id}:", f"link:{entry_id}:"))]


def new_stored_plan(plan_id: str, report: PlanReport) -> StoredPlan:
    data = report.model_dump(mode="json")
    return StoredPlan(id=plan_id, report=data, decisions={key: Decision() for key in item_keys(data)})
