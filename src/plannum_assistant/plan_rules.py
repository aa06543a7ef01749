"""The plan's business rules across its parts, run by :class:`~.models.DigitalPlan`'s validator.

Each raises ``ValueError`` naming the field and the rule: catalogue ids only, what a system
includes, pain and objective links of this plan, prerequisites first, one action plan per
initiative starting no earlier than it, priorities 1..n.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .catalogue import Catalogue

if TYPE_CHECKING:
    from .models import DigitalPlan


def check(plan: DigitalPlan, catalogue: Catalogue) -> None:
    """Every rule, in the order a reader fixes them: ids, includes, links, dependencies, actions, priorities."""
    _check_catalogue_ids(plan, catalogue)
    _check_includes(plan, catalogue)
    _check_links(plan)
    _check_dependencies(plan, catalogue)
    _check_action_plan(plan)
    _check_priorities(plan)


def _check_catalogue_ids(plan: DigitalPlan, catalogue: Catalogue) -> None:
    fields = [(f"initiatives.{n}.catalogue_id", i.catalogue_id) for n, i in enumerate(plan.initiatives)]
    fields += [(f"action_plan.{n}.initiative", a.initiative) for n, a in enumerate(plan.action_plan)]
    fields += [(f"in_place.{n}", entry_id) for n, entry_id in enumerate(plan.in_place)]
    for field, entry_id in fields:
        if entry_id not in catalogue:
            raise ValueError(f"{field}: unknown catalogue id {entry_id!r}: initiatives come from the catalogue only")
    ids = [i.catalogue_id for i in plan.initiatives]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ValueError(f"initiatives: listed twice: {', '.join(duplicates)}")


def _check_includes(plan: DigitalPlan, catalogue: Catalogue) -> None:
    """What a system includes: capabilities it covers, for pains it addresses, not also bought apart."""
    ids = {i.catalogue_id for i in plan.initiatives}
    for n, initiative in enumerate(plan.initiatives):
        for k, included in enumerate(initiative.includes):
            if included.catalogue_id not in catalogue[initiative.catalogue_id].covers:
                raise ValueError(
                    f"initiatives.{n}.includes.{k}: {included.catalogue_id!r} is not a capability "
                    f"{initiative.catalogue_id} covers (catalogue `covers`)"
                )
            if included.catalogue_id in ids:
                raise ValueError(
                    f"initiatives.{n}.includes.{k}: {included.catalogue_id} is also an initiative of the plan: "
                    "brought by the system or bought apart, not both"
                )
        stray = sorted({p for included in initiative.includes for p in included.addresses} - set(initiative.addresses))
        if stray:
            raise ValueError(
                f"initiatives.{n} ({initiative.catalogue_id}).includes: pain point(s) {', '.join(stray)} "
                "the initiative does not address"
            )


def _check_links(plan: DigitalPlan) -> None:
    """Every initiative answers a pain point and serves an objective of *this* plan."""
    pain_ids = {p.id for p in plan.pain_points}
    objective_ids = {o.id for o in plan.strategic_plan.objectives} if plan.strategic_plan else set()
    for n, initiative in enumerate(plan.initiatives):
        name = f"initiatives.{n} ({initiative.catalogue_id})"
        if not initiative.addresses:
            raise ValueError(f"{name}.addresses: must address at least one pain point")
        unknown_pains = sorted(set(initiative.addresses) - pain_ids)
        if unknown_pains:
            raise ValueError(f"{name}.addresses: unknown pain point(s) {', '.join(unknown_pains)}")
        unknown_objectives = sorted(set(initiative.supports) - objective_ids)
        if unknown_objectives:
            raise ValueError(f"{name}.supports: unknown objective(s) {', '.join(unknown_objectives)}")


def _check_dependencies(plan: DigitalPlan, catalogue: Catalogue) -> None:
    """No initiative starts before a prerequisite, unless that prerequisite is already in place.

    A prerequisite is also met by a system that covers it: running (in place), or planned (then
    that system's start counts).
    """
    ids = [i.catalogue_id for i in plan.initiatives]
    for n, initiative in enumerate(plan.initiatives):  # ``enables`` names only what needs it first
        wrong = sorted(set(initiative.enables) - set(catalogue.dependents(initiative.catalogue_id, ids)))
        if wrong:
            raise ValueError(
                f"initiatives.{n}.enables: {', '.join(wrong)} is not an initiative of this plan that needs "
                f"{initiative.catalogue_id} first (catalogue prerequisites)"
            )
    starts = {i.catalogue_id: i.start for i in plan.initiatives}
    for planned, start in list(starts.items()):
        for covered in catalogue[planned].covers:
            starts.setdefault(covered, start)
    for n, initiative in enumerate(plan.initiatives):
        for prerequisite in catalogue[initiative.catalogue_id].prerequisites:
            if prerequisite in plan.in_place or any(prerequisite in catalogue[i].covers for i in plan.in_place):
                continue
            if prerequisite not in starts:
                raise ValueError(
                    f"initiatives.{n} ({initiative.catalogue_id}): depends on {prerequisite}, "
                    "which is neither planned nor in place"
                )
            if initiative.start < starts[prerequisite]:
                raise ValueError(
                    f"initiatives.{n}.start: {initiative.catalogue_id} starts {initiative.start}, "
                    f"before {prerequisite} ({starts[prerequisite]}) on which it depends"
                )


def _check_action_plan(plan: DigitalPlan) -> None:
    """One action-plan entry per initiative, none for anything else, and no activity before its initiative."""
    starts = {i.catalogue_id: i.start for i in plan.initiatives}
    seen: set[str] = set()
    for n, actions in enumerate(plan.action_plan):
        if actions.initiative not in starts:
            raise ValueError(f"action_plan.{n}.initiative: {actions.initiative} is not an initiative of this plan")
        if actions.initiative in seen:
            raise ValueError(f"action_plan.{n}.initiative: {actions.initiative} has two action-plan entries")
        seen.add(actions.initiative)
        for k, activity in enumerate(actions.activities):
            if activity.start < starts[actions.initiative]:
                raise ValueError(
                    f"action_plan.{n}.activities.{k}.start: {activity.start} is before its initiative starts "
                    f"({starts[actions.initiative]})"
                )
    missing = [i for i in starts if i not in seen]
    if missing:
        raise ValueError(f"action_plan: no activities for {', '.join(missing)}")


def _check_priorities(plan: DigitalPlan) -> None:
    priorities = sorted(i.priority for i in plan.initiatives)
    if priorities != list(range(1, len(priorities) + 1)):
        raise ValueError(f"initiatives: priorities must be 1 to {len(priorities)}, each once (got {priorities})")
