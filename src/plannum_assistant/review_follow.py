"""What follows a review decision (:mod:`.review`): the parts of a plan derived from the rest, brought
up to date on the plan as a reviewer left it (a JSON dict, validated by the caller afterwards)."""

from __future__ import annotations

from typing import Any

from .errors import KnowledgeError
from .planning.actions import summary
from .planning.types import PlanContext
from .report import round_hundred
from .vocabulary import Language, SizeBand


def rejected_cost(actions: dict[str, Any], rate: float) -> dict[str, float]:
    """A rejected initiative's one-time cost, from its activities (CAD), in the plan's currency."""
    activities = actions.get("activities", [])
    low = sum(a["budget_cad"]["min"] for a in activities) / rate
    high = sum(a["budget_cad"]["max"] for a in activities) / rate
    return {"budget_min": round_hundred(low), "budget_max": round_hundred(high)}


def refresh_deferred_total(report: dict[str, Any]) -> None:
    """The deferred initiatives' total follows the list as it now stands (one added back, one rejected)."""
    budget = report.get("budget")
    if isinstance(budget, dict):
        items = [d for d in report.get("deferred", []) if isinstance(d, dict)]
        budget["deferred_min"] = sum(d.get("budget_min") or 0 for d in items)
        budget["deferred_max"] = sum(d.get("budget_max") or 0 for d in items)


def refresh_gaps(report: dict[str, Any]) -> None:
    """List again the objectives nothing in the plan serves, in the strategic plan's order. A gap
    already listed keeps the entries the planner pointed to, less any the plan now holds; one a
    review decision opened has none (the entry that served it was the reviewer's to reject)."""
    if not (report.get("gate") or {}).get("ready"):
        return  # no plan numérique yet: nothing is planned, so no gap is listed
    plan = report.get("strategic_plan") or {}
    objectives = plan.get("strategic_objectives", []) + plan.get("operational_objectives", [])
    initiatives, modules = report.get("initiatives", []), report.get("use_what_you_own", [])
    served = {o for item in [*initiatives, *modules] for o in item.get("supports", [])}
    held = {item.get("catalogue_id") for item in [*initiatives, *modules]}
    listed = {g.get("id"): g for g in report.get("objectives_without_initiative", []) if isinstance(g, dict)}
    gaps = []
    for objective in objectives:
        if not isinstance(objective, dict) or objective.get("id") in served:
            continue
        pointed = listed.get(objective.get("id"), {}).get("candidates", [])
        text = objective.get("text")
        gaps.append({"id": objective.get("id"), "text": text, "candidates": [c for c in pointed if c not in held]})
    report["objectives_without_initiative"] = gaps


def refresh_budget(ctx: PlanContext, report: dict[str, Any]) -> None:
    """The plan's budget as it now stands (an initiative rejected, restored or added, an activity's
    budget edited), by the planner's rule (:func:`.planning.actions.summary`): totals, status, note,
    lower-cost alternatives, and the budget warning in ``gate.warnings``, replaced where it was. The
    envelope, the currency and its dated rate stay the plan's (a later rate table never re-prices a
    plan under review); the deferred totals are :func:`refresh_deferred_total`'s, run after. A plan drafted with
    no initiative has no budget, hence no envelope to keep: one added later is costed against none.
    A malformed plan is left as it is, for the plan contract to name what is wrong."""
    old = report.get("budget")
    try:
        company = report["company"]
        ranked = sorted(report.get("initiatives", []), key=lambda i: i["priority"])
        if not isinstance(old, dict) and not ranked:
            return  # nothing planned, nothing to cost
        place = ctx.knowledge.regions.place(company.get("region"), report.get("locale"))
        currency = str(old["currency"]) if isinstance(old, dict) else ctx.knowledge.regions.currency(place)
        rate = float(old["rate"]) if isinstance(old, dict) else ctx.knowledge.currencies.rate(currency)
        envelope = old.get("envelope") if isinstance(old, dict) else None
        new = summary(
            ctx,
            [
                (float(a["budget_cad"]["min"]), float(a["budget_cad"]["max"]))
                for actions in report.get("action_plan", [])
                for a in actions["activities"]
            ],
            [ctx.catalogue[i["catalogue_id"]] for i in ranked],
            float(envelope) if envelope is not None else None,
            currency,
            rate,
            place,
            SizeBand.for_employees(int(company["employees"])),
            Language(report["language"]),
        )
    except (KeyError, TypeError, ValueError, AttributeError, KnowledgeError):
        return
    fresh = new.model_dump(mode="json")
    if isinstance(old, dict):
        fresh["conversion"] = old.get("conversion")  # the dated rate's sentence, as drafted
    warnings = (report.get("gate") or {}).get("warnings")
    if isinstance(warnings, list):
        was = old.get("note") if isinstance(old, dict) else None
        now = [new.note] if new.status in ("may_exceed", "exceeds") else []
        if was in warnings:
            at = warnings.index(was)
            warnings[at : at + 1] = now
        else:
            warnings += now
    report["budget"] = fresh
