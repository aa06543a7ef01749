"""Human review and approval of a plan (issue 11): the domain rules only — no storage, no UI.

A plan under review moves ``draft`` → ``in_review`` (at the first decision) → ``approved`` or
``changes_requested`` (→ ``in_review`` again at the next decision). Each item — an initiative,
an activity, the follow-up owner — is ``proposed`` until a reviewer accepts, edits or rejects
it. Every change is made on a copy of the plan and re-validated with the plan contract's
business rules before it is kept: a refused change raises :class:`ReviewError` naming the rule.
Rejecting an initiative drops it and its activities from the plan (it is listed in ``deferred``,
and accepting it again restores it). Approval needs every item decided, the gate ready, a
follow-up owner and a reviewer; it records the reviewer, the time and the SHA-256 of the
canonical plan JSON. Any later change returns the plan to ``in_review``; an approved plan whose
content no longer matches its hash is *tampered* and never treated as approved.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import ValidationError

from .files import first_error
from .planning.types import PlanContext
from .report import validate_report
from .review_follow import refresh_budget, refresh_deferred_total, refresh_gaps, rejected_cost
from .stored_plan import (
    Approval,
    Change,
    Decision,
    ItemState,
    PlanStatus,
    ReviewError,
    StoredPlan,
    canonical_hash,
    children,
    item_keys,
    new_stored_plan,
)
from .vocabulary import Language

__all__ = [
    "Approval",
    "Change",
    "Decision",
    "ItemState",
    "PlanStatus",
    "ReviewError",
    "Reviewer",
    "StoredPlan",
    "canonical_hash",
    "item_keys",
    "new_stored_plan",
]


Outcome = tuple[StoredPlan, Change]  # the new stored plan and its audit line

# What leaves the plan with a rejected initiative (and comes back with it).
_BELONGING = ("quick_wins", "risks", "deadline_conflicts")

# What an edit may change: initiative fields, activity fields (budget as min and max).
INITIATIVE_FIELDS = ("priority", "horizon", "start", "supports")
ACTIVITY_FIELDS = ("name", "responsible", "start", "target_date", "budget_min", "budget_max")


class Reviewer:
    """The review actions on a stored plan. Each returns the new stored plan and its audit line;
    the caller stores both in one transaction."""

    def __init__(self, context: PlanContext, now: datetime) -> None:
        """``context``: the planner's catalogue, rules and wording (a changed plan's budget is costed
        again by the planner's own rule, a rejection's default reason is in the plan's language)."""
        self.context = context
        self.catalogue = context.catalogue
        self.at = now.isoformat(timespec="seconds")

    # --- decisions -------------------------------------------------------------------------

    def accept(self, plan: StoredPlan, key: str, reviewer: str, comment: str | None = None) -> Outcome:
        plan = self._open(plan, key, reviewer)
        before = plan.decisions[key].state
        if key.startswith("initiative:") and (entry_id := key.split(":", 1)[1]) in plan.dropped:
            self._restore(plan, entry_id)
            for child in children(plan, entry_id):
                plan.decisions[child] = Decision()  # back in the plan: to be decided again
        elif key.startswith("link:"):
            self._link(plan, key, keep=True)
        return self._sign(plan, key, ItemState.ACCEPTED, reviewer, comment, "accept", before)

    def reject(self, plan: StoredPlan, key: str, reviewer: str, comment: str | None = None) -> Outcome:
        """Rejecting an initiative drops it and its activities (listed in ``deferred``)."""
        plan = self._open(plan, key, reviewer)
        before = plan.decisions[key].state
        if key.startswith("initiative:"):
            entry_id = key.split(":", 1)[1]
            self._drop(plan, entry_id, comment)
            for child in children(plan, entry_id):
                plan.decisions[child] = Decision(
                    state=ItemState.REJECTED, reviewer=reviewer, at=self.at, comment=comment
                )
        elif key.startswith("link:"):
            self._link(plan, key, keep=False)
        elif key.startswith("activity:"):
            raise ReviewError(f"{key}: an activity is edited, not rejected (or reject its initiative)")
        return self._sign(plan, key, ItemState.REJECTED, reviewer, comment, "reject", before)

    def edit(
        self, plan: StoredPlan, key: str, field: str, value: str, reviewer: str, comment: str | None = None
    ) -> Outcome:
        """Change one field of an item; the plan is re-validated before the change is kept."""
        plan = self._open(plan, key, reviewer)
        report = plan.report
        if key == "follow_up":
            if field != "owner":
                raise ReviewError("follow_up: the field is 'owner'")
            before: Any = report["follow_up"].get("owner")
            report["follow_up"]["owner"] = value.strip() or None
        elif key.startswith("initiative:"):
            initiative = self._initiative(report, key.split(":", 1)[1])
            if field not in INITIATIVE_FIELDS:
                raise ReviewError(f"{key}: editable fields are {', '.join(INITIATIVE_FIELDS)}")
            before = initiative[field]
            initiative[field] = _value(field, value)
            if field == "priority":
                _renumber(report, initiative)
            if field == "supports":  # the links follow: new ones are the reviewer's, removed ones rejected
                entry_id = initiative["catalogue_id"]
                for objective in set(before) | set(initiative["supports"]):
                    state = ItemState.EDITED if objective in initiative["supports"] else ItemState.REJECTED
                    plan.decisions[f"link:{entry_id}:{objective}"] = Decision(
                        state=state, reviewer=reviewer, at=self.at, comment=comment
                    )
        else:
            activity = self._activity(report, key)
            if field not in ACTIVITY_FIELDS:
                raise ReviewError(f"{key}: editable fields are {', '.join(ACTIVITY_FIELDS)}")
            if field.startswith("budget_"):
                bound = field.removeprefix("budget_")
                before = activity["budget_cad"][bound]
                activity["budget_cad"][bound] = _value(field, value)
            else:
                before = activity[field]
                activity[field] = _value(field, value)
        plan.report = self._validated(report)
        after = _get(plan.report, key, field)
        return self._sign(plan, key, ItemState.EDITED, reviewer, comment, f"edit {field}", before, after)

    def add(
        self,
        plan: StoredPlan,
        initiative: dict[str, Any],
        actions: dict[str, Any],
        reviewer: str,
        comment: str | None = None,
    ) -> Outcome:
        """Add an initiative from the catalogue (its activities built by the planner's own stage); it
        is validated like any change, and counts as accepted by the reviewer who added it."""
        plan = self._signed_copy(plan, reviewer)
        entry_id = initiative["catalogue_id"]
        if entry_id not in self.catalogue:
            raise ReviewError(f"refused: {entry_id!r} is not in the catalogue (see 'plannum search WORDS')")
        if any(i["catalogue_id"] == entry_id for i in plan.report["initiatives"]) or entry_id in plan.dropped:
            raise ReviewError(f"{entry_id} is already in the plan (or rejected: accept it to restore it)")
        report = plan.report
        report["initiatives"] = [*report["initiatives"], initiative | {"priority": len(report["initiatives"]) + 1}]
        report["action_plan"] = [*report["action_plan"], actions]
        report["deferred"] = [d for d in report.get("deferred", []) if d["catalogue_id"] != entry_id]
        report["unaligned"] = [d for d in report.get("unaligned", []) if d["catalogue_id"] != entry_id]
        plan.report = self._validated(report)
        if report.get("review", {}).get("status") != "draft":
            plan.report["review"] = {"status": "draft", "reviewer": None, "decided_on": None, "comments": []}
        plan.status = PlanStatus.IN_REVIEW
        plan.approval = None
        accepted = Decision(state=ItemState.ACCEPTED, reviewer=reviewer, at=self.at, comment=comment)
        plan.decisions[f"initiative:{entry_id}"] = accepted
        for objective in initiative.get("supports", []):
            plan.decisions[f"link:{entry_id}:{objective}"] = accepted
        for n in range(1, len(actions["activities"]) + 1):
            plan.decisions[f"activity:{entry_id}:{n}"] = Decision()
        return plan, Change(reviewer=reviewer, at=self.at, action="add", item=f"initiative:{entry_id}", comment=comment)

    def request_changes(self, plan: StoredPlan, reviewer: str, comment: str | None = None) -> Outcome:
        plan = self._signed_copy(plan, reviewer)
        plan.status = PlanStatus.CHANGES_REQUESTED
        plan.approval = None
        return plan, Change(reviewer=reviewer, at=self.at, action="request changes", comment=comment)

    def approve(self, plan: StoredPlan, reviewer: str, comment: str | None = None) -> Outcome:
        """Every item decided, the gate ready, a follow-up owner, a reviewer: then the plan is signed."""
        plan = self._signed_copy(plan, reviewer)
        if plan.undecided():
            raise ReviewError(f"cannot approve: undecided items: {', '.join(plan.undecided())}")
        if not plan.report["gate"]["ready"]:
            raise ReviewError("cannot approve: the strategic-plan gate is not ready (no plan numérique yet)")
        if not plan.report["follow_up"].get("owner"):
            raise ReviewError("cannot approve: name the follow-up owner (edit follow_up owner=NAME)")
        on = self.at[:10]
        comments = [comment] if comment else []
        plan.report["review"] = {"status": "approved", "reviewer": reviewer, "decided_on": on, "comments": comments}
        plan.report = self._validated(plan.report)
        plan.status = PlanStatus.APPROVED
        plan.approval = Approval(reviewer=reviewer, at=self.at, sha256=canonical_hash(plan.report))
        return plan, Change(
            reviewer=reviewer, at=self.at, action="approve", after=plan.approval.sha256, comment=comment
        )

    # --- helpers ----------------------------------------------------------------------------

    def _signed_copy(self, plan: StoredPlan, reviewer: str) -> StoredPlan:
        if not reviewer.strip():
            raise ReviewError("name the reviewer (--reviewer NAME): every decision is signed")
        return plan.model_copy(deep=True)

    def _open(self, plan: StoredPlan, key: str, reviewer: str) -> StoredPlan:
        plan = self._signed_copy(plan, reviewer)
        if key not in plan.decisions:
            raise ReviewError(f"no item {key!r} in plan {plan.id} (see 'plannum review {plan.id} show')")
        if plan.report.get("review", {}).get("status") != "draft":  # any change after approval: back to review
            plan.report["review"] = {"status": "draft", "reviewer": None, "decided_on": None, "comments": []}
        plan.approval = None
        plan.status = PlanStatus.IN_REVIEW
        return plan

    def _sign(
        self,
        plan: StoredPlan,
        key: str,
        state: ItemState,
        reviewer: str,
        comment: str | None,
        action: str,
        before: Any,
        after: Any = None,
    ) -> Outcome:
        plan.decisions[key] = Decision(state=state, reviewer=reviewer, at=self.at, comment=comment)
        change = Change(
            reviewer=reviewer, at=self.at, action=action, item=key, before=before, after=after or state, comment=comment
        )
        return plan, change

    def _validated(self, report: dict[str, Any]) -> dict[str, Any]:
        """The plan contract's rules, plus: nothing planned before the plan's own date. What each
        initiative ``enables`` and ``includes``, and the objectives nothing serves, follow the plan as it
        now stands (an initiative or a link dropped, restored or added; a capability added as an
        initiative of its own is no longer counted as brought by a system)."""
        ids = [i["catalogue_id"] for i in report.get("initiatives", []) if i.get("catalogue_id") in self.catalogue]
        for initiative in report.get("initiatives", []):
            if initiative.get("catalogue_id") in self.catalogue:
                initiative["enables"] = self.catalogue.dependents(initiative["catalogue_id"], ids)
            if isinstance(initiative.get("includes"), list):  # a capability the reviewer buys apart leaves it
                initiative["includes"] = [
                    i for i in initiative["includes"] if not (isinstance(i, dict) and i.get("catalogue_id") in ids)
                ]
        refresh_gaps(report)
        refresh_budget(self.context, report)  # the totals, status, note and warning of the plan as it stands
        refresh_deferred_total(report)
        try:
            checked = validate_report(report, self.catalogue)
        except ValidationError as exc:
            raise ReviewError(f"refused: {first_error(exc)}") from None
        for n, initiative in enumerate(checked.initiatives):
            if initiative.start < checked.today:
                raise ReviewError(
                    f"refused: initiatives.{n}.start {initiative.start} is before the plan's date {checked.today}"
                )
        return checked.model_dump(mode="json")

    def _drop(self, plan: StoredPlan, entry_id: str, comment: str | None) -> None:
        """Drop an initiative with its activities and what belongs to it (quick win, risks, deadline
        conflict and its warning); all are kept in ``dropped`` so that accepting it restores them."""
        report = plan.report
        initiative = self._initiative(report, entry_id)
        actions = next(a for a in report["action_plan"] if a["initiative"] == entry_id)
        report["initiatives"] = [i for i in report["initiatives"] if i["catalogue_id"] != entry_id]
        report["action_plan"] = [a for a in report["action_plan"] if a["initiative"] != entry_id]
        for n, kept in enumerate(sorted(report["initiatives"], key=lambda i: i["priority"]), 1):
            kept["priority"] = n
        aside = {"catalogue_id": entry_id, "title": initiative["title"], "addresses": initiative["addresses"]}
        aside |= rejected_cost(actions, (report.get("budget") or {}).get("rate") or 1.0)
        reason = comment or self.context.t("review.rejected", Language(report["language"]))
        report["deferred"] = [*report.get("deferred", []), {**aside, "reason": reason}]
        saved = {"initiative": initiative, "actions": actions}
        for part in _BELONGING:
            items = report.get(part, [])
            saved[part] = [i for i in items if isinstance(i, dict) and i.get("catalogue_id") == entry_id]
            report[part] = [i for i in items if i not in saved[part]]
        notes = {c.get("note") for c in saved["deadline_conflicts"]}
        warnings = (report.get("gate") or {}).get("warnings")
        if isinstance(warnings, list):
            warnings[:] = [w for w in warnings if w not in notes]
        plan.report = self._validated(report)
        plan.dropped[entry_id] = saved

    def _restore(self, plan: StoredPlan, entry_id: str) -> None:
        saved = plan.dropped.pop(entry_id)
        report = plan.report
        initiative = saved["initiative"] | {"priority": len(report["initiatives"]) + 1}
        report["initiatives"] = [*report["initiatives"], initiative]
        report["action_plan"] = [*report["action_plan"], saved["actions"]]
        report["deferred"] = [d for d in report.get("deferred", []) if d["catalogue_id"] != entry_id]
        for part in _BELONGING:  # saved by a review before these were kept: nothing to bring back
            report[part] = [*report.get(part, []), *saved.get(part, [])]
        warnings = (report.get("gate") or {}).get("warnings")
        if isinstance(warnings, list):
            warnings += [c["note"] for c in saved.get("deadline_conflicts", []) if c.get("note") not in warnings]
        plan.report = self._validated(report)

    def _link(self, plan: StoredPlan, key: str, *, keep: bool) -> None:
        """Keep (restore) or drop one objective link of an initiative or of a module to activate; the
        plan is re-validated."""
        _, entry_id, objective = key.split(":")
        modules = [u for u in plan.report.get("use_what_you_own", []) if u["catalogue_id"] == entry_id]
        linked = modules[0] if modules else self._initiative(plan.report, entry_id)
        supports = [o for o in linked["supports"] if o != objective]
        linked["supports"] = [*supports, objective] if keep else supports
        plan.report = self._validated(plan.report)

    @staticmethod
    def _initiative(report: dict[str, Any], entry_id: str) -> dict[str, Any]:
        found: list[dict[str, Any]] = [i for i in report["initiatives"] if i["catalogue_id"] == entry_id]
        if not found:
            raise ReviewError(f"initiative:{entry_id} is not in the plan (rejected? accept it to restore it)")
        return found[0]

    @staticmethod
    def _activity(report: dict[str, Any], key: str) -> dict[str, Any]:
        _, entry_id, number = key.split(":")
        actions = [a for a in report["action_plan"] if a["initiative"] == entry_id]
        if not actions or not 1 <= int(number) <= len(actions[0]["activities"]):
            raise ReviewError(f"{key}: no such activity in the plan")
        activity: dict[str, Any] = actions[0]["activities"][int(number) - 1]
        return activity


def _value(field: str, raw: str) -> Any:
    """A field's new value from the text a reviewer typed (dates as YYYY-MM-DD, links comma-separated)."""
    text = raw.strip()
    try:
        if field == "priority":
            return int(text)
        if field in ("start", "target_date"):
            return date.fromisoformat(text).isoformat()
        if field.startswith("budget_"):
            return float(text.replace(" ", "").replace(",", ""))
    except ValueError:
        raise ReviewError(f"{field}: {raw!r} is not a valid value") from None
    if field == "supports":
        return [part.strip() for part in text.split(",") if part.strip()]
    return text


def _renumber(report: dict[str, Any], moved: dict[str, Any]) -> None:
    """Give ``moved`` its new priority; the others keep their order around it (1..n, each once)."""
    target = max(1, min(moved["priority"], len(report["initiatives"])))
    others = sorted((i for i in report["initiatives"] if i is not moved), key=lambda i: i["priority"])
    others.insert(target - 1, moved)
    for n, initiative in enumerate(others, 1):
        initiative["priority"] = n


def _get(report: dict[str, Any], key: str, field: str) -> Any:
    if key == "follow_up":
        return report["follow_up"].get("owner")
    if key.startswith("initiative:"):
        return Reviewer._initiative(report, key.split(":", 1)[1])[field]
    activity = Reviewer._activity(report, key)
    return activity["budget_cad"][field.removeprefix("budget_")] if field.startswith("budget_") else activity[field]
