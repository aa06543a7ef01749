"""The labelled company set (``evals/companies/``): is the advice what a consultant would accept?

Each file holds an intake and, per owner statement and per objective, the catalogue ids a
consultant would accept (written blind: the writers saw only the catalogue's ids and names).
Figures, over the companies whose gate should be ready:

- **answer rate**: statements whose plan answer (the initiatives addressing it, the capability an
  integrated system brings for it, ``includes``, and the modules of a running system the plan says
  to use for it, ``use_what_you_own``) includes an acceptable id; a statement labelled with no
  acceptable id counts as answered when the plan leaves it unanswered; **strict**: a system counts
  by its own id only (the point-of-sale that answers a loyalty pain with its loyalty module is
  wrong when only the loyalty program is labelled) — a secondary figure, comparable with the
  reports written before ``includes`` existed;
- **answer rate with deferred**: the same, counting also an acceptable initiative the plan sets
  aside for that statement (``deferred``: beyond the size cap or the horizon, "at the next cycle");
  a secondary figure, the answer rate above is the one reported against targets;
- **address precision**: (initiative, statement) pairs of the plan that are acceptable (a system's
  pair through a capability it brings, by that capability; **strict**: by its own id); **direct**:
  the same, leaving out a prerequisite's pairs through an initiative it enables (``enables``: the
  ERP needs study "addresses" the double keying through the ERP) — a secondary
  figure; a prerequisite that also answers that statement itself is left out too (the plan does not
  say which of its pains it answers on its own);
- **link precision**: (initiative, objective) pairs of the plan that are acceptable; **link
  recall**: objectives served by an acceptable planned initiative that the plan links to it;
- **recall@5** of the planner's own retrieval (company filters included) on the long statements;
- **gate accuracy** (every company) and **must-not-include violations** (a planned initiative, or a
  capability a planned system ``includes``).

The split between the part one may tune on and the frozen part is fixed in the set's README:
companies whose number is a multiple of 3 are for tuning.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from .catalogue import ENTRY_ID_PATTERN, Catalogue
from .errors import EvalError, PlanInvalidError
from .evals import display_path, gate_cell
from .files import load_model
from .intake import Intake
from .report import PlanReport
from .retrieval import Hit

EntryId = Annotated[str, StringConstraints(pattern=ENTRY_ID_PATTERN)]
Part = Literal["tuning", "frozen", "all"]
_NUMBER = re.compile(r"^b(\d+)-")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StatementLabel(_Strict):
    acceptable: list[EntryId]
    note: str | None = None


class CompanyLabels(_Strict):
    gate_ready: bool
    pain_points: list[StatementLabel]
    objectives: dict[str, list[EntryId]] = Field(default_factory=dict)
    must_not_include: list[EntryId] = Field(default_factory=list)


class Company(_Strict):
    id: str
    description: str
    today: date
    intake: Intake
    labels: CompanyLabels


def part_number(name: str) -> int:
    """The company's number: ``b42-seed-coop`` (or a statement source ``b42-seed-coop#3``) → 42."""
    match = _NUMBER.match(name)
    if not match:
        raise EvalError(f"{name}: a company file name starts with bNN-")
    return int(match[1])


def part_of(name: str) -> Literal["tuning", "frozen"]:
    """The fixed split: b03, b06, … (multiples of 3) are for tuning, every other company is frozen."""
    return "tuning" if part_number(name) % 3 == 0 else "frozen"


def load_companies(directory: Path, catalogue: Catalogue, part: Part = "all") -> dict[str, Company]:
    files = sorted(directory.glob("b*.yaml"))
    if not files:
        raise EvalError(f"{directory}: no company file (b*.yaml)")
    companies = {}
    for path in files:
        if part != "all" and part_of(path.stem) != part:
            continue
        company = load_model(path, Company, EvalError)
        labels = company.labels
        if len(labels.pain_points) != len(company.intake.pain_points):
            raise EvalError(f"{path}: labels.pain_points must have one label per intake pain point")
        ids = [i for s in labels.pain_points for i in s.acceptable] + labels.must_not_include
        ids += [i for accepted in labels.objectives.values() for i in accepted]
        unknown = sorted({i for i in ids if i not in catalogue})
        if unknown:
            raise EvalError(f"{path}: unknown catalogue id(s) {', '.join(unknown)}")
        companies[path.stem] = company
    return companies


Plan = Callable[[Intake, date], PlanReport]
Search = Callable[[Intake], dict[str, list[Hit]]]  # the planner's hits for each pain statement of a company


def evaluate_companies(
    companies: dict[str, Company],
    plan: Plan,
    search: Search,
    *,
    catalogue_hash: str,
    source: Path,
    plain_search: Search | None = None,
) -> dict[str, Any]:
    """``search``: the planner's own hits (company filters applied); ``plain_search``: what
    ``plannum search`` returns for the same statements, reported as ``search_recall_at_5``."""
    rows = evaluate_rows(companies, plan, search, plain_search)
    return {
        "eval_set": display_path(source),
        "eval_set_sha256": _digest(source, companies),
        "catalogue_hash": catalogue_hash[:16],
        "companies": len(rows),
        "summary": summarise(rows),
        "rows": rows,
    }


def evaluate_rows(
    companies: dict[str, Company], plan: Plan, search: Search, plain_search: Search | None = None
) -> list[dict[str, Any]]:
    """One row per company: its plan's answers, pairs and links against the labels."""
    return [_evaluate(name, company, plan, search, plain_search) for name, company in companies.items()]


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The figures over evaluated companies (rows of one run, or of several folds together)."""
    valid = [r for r in rows if r["valid"]]
    ready = [r for r in valid if r["gate_expected"] and r["gate"]]
    statements = [s for r in ready for s in r["statements"]]
    pairs = [p for r in ready for p in r["address_pairs"]]
    direct = [p for p in pairs if not p.get("through")]
    links = [p for r in ready for p in r["link_pairs"]]
    servable = [o for r in ready for o in r["objectives"] if o["servable"]]
    long = [s for r in valid for s in r["statements"] if s["acceptable"]]
    return {
        "gate_accuracy": _ratio(sum(r["gate"] == r["gate_expected"] for r in valid), len(rows)),
        "validity": _ratio(len(valid), len(rows)),
        "answer_rate": _ratio(sum(s["answered"] for s in statements), len(statements)),
        "answer_rate_with_deferred": _ratio(
            sum(s.get("answered_or_deferred", s["answered"]) for s in statements), len(statements)
        ),
        "address_precision": _ratio(sum(p["ok"] for p in pairs), len(pairs)),
        "address_precision_direct": _ratio(sum(p["ok"] for p in direct), len(direct)),
        "answer_rate_strict": _ratio(sum(s.get("answered_strict", s["answered"]) for s in statements), len(statements)),
        "address_precision_strict": _ratio(sum(p.get("ok_strict", p["ok"]) for p in pairs), len(pairs)),
        "link_precision": _ratio(sum(p["ok"] for p in links), len(links)),
        "link_recall": _ratio(sum(o["linked"] for o in servable), len(servable)),
        "recall_at_5": _ratio(sum(s["in_top5"] for s in long), len(long)),
        **(
            {"search_recall_at_5": _ratio(sum(s["in_search_top5"] for s in long), len(long))}
            if long and all("in_search_top5" in s for s in long)
            else {}
        ),
        "must_not_include_violations": sum(len(r["violations"]) for r in valid),
        "statements": len(statements),
        "initiatives_per_ready_plan": round(sum(len(r["planned"]) for r in ready) / len(ready), 2) if ready else None,
    }


def _evaluate(name: str, company: Company, plan: Plan, search: Search, plain_search: Search | None) -> dict[str, Any]:
    labels = company.labels
    try:
        report = plan(company.intake, company.today)
    except PlanInvalidError as exc:
        return {"company": name, "valid": False, "error": str(exc)}
    planned = [i.catalogue_id for i in report.initiatives]
    owner = _statement_of_pain(company.intake.pain_points, report)
    found = search(company.intake)
    plain = plain_search(company.intake) if plain_search else None
    statements = []
    address_pairs = []
    for index, (text, label) in enumerate(zip(company.intake.pain_points, labels.pain_points, strict=True)):
        # The plan's answers: its initiatives, and the modules of a running system it tells the owner
        # to use instead (``use_what_you_own``: an answer a consultant gives, at no new purchase).
        answers = [(i.catalogue_id, i.addresses) for i in report.initiatives]
        answers += [(u.catalogue_id, u.addresses) for u in report.use_what_you_own]

        def here(pains: list[str], index: int = index) -> bool:  # one of these pains is this statement
            return any(owner.get(p) == index for p in pains)

        answer = sorted({entry for entry, pains in answers if here(pains)})
        # An integrated system answering it with a capability it brings (``includes``: the POS's
        # loyalty module) gives that capability as its answer too; ``strict`` counts its own id only.
        via: dict[str, list[str]] = {}
        for initiative in report.initiatives:
            for included in initiative.includes:
                if here(included.addresses):
                    via.setdefault(initiative.catalogue_id, []).append(included.catalogue_id)
        acceptable = set(label.acceptable)
        brought = {capability for capabilities in via.values() for capability in capabilities}
        answered = bool({*answer, *brought} & acceptable) if acceptable else not answer
        answered_strict = bool(set(answer) & acceptable) if acceptable else not answer
        later = {d.catalogue_id for d in report.deferred if here(d.addresses)}
        top5 = [hit.id for hit in found.get(text, [])[:5]]
        statements.append(
            {
                "index": index + 1,
                "acceptable": label.acceptable,
                "answer": answer,
                **({"includes": via} if via else {}),
                "answered": answered,
                "answered_strict": answered_strict,
                "deferred": sorted(later),
                "answered_or_deferred": answered or bool(later & acceptable),
                "top5": top5,
                "in_top5": bool(set(top5) & acceptable),
                **(
                    {"in_search_top5": bool({h.id for h in plain.get(text, [])[:5]} & acceptable)}
                    if plain is not None
                    else {}
                ),
            }
        )
        # A prerequisite addresses its dependents' pains *through* them (``enables``): such a pair is
        # left out of the secondary ``address_precision_direct`` only.
        through = {i.catalogue_id for i in report.initiatives if set(i.enables) & set(answer)}
        address_pairs += [
            {
                "initiative": i,
                "statement": index + 1,
                "ok": i in acceptable or bool(set(via.get(i, [])) & acceptable),
                "ok_strict": i in acceptable,
                "through": i in through,
            }
            for i in answer
        ]
    brought_by_systems = {c.catalogue_id for i in report.initiatives for c in i.includes}
    link_pairs = [
        {"initiative": i.catalogue_id, "objective": oid, "ok": i.catalogue_id in labels.objectives.get(oid, [])}
        for i in report.initiatives
        for oid in i.supports
    ]
    objectives = []
    for oid, accepted in labels.objectives.items():
        servers = [i for i in report.initiatives if i.catalogue_id in accepted]
        objectives.append(
            {"objective": oid, "servable": bool(servers), "linked": any(oid in i.supports for i in servers)}
        )
    return {
        "company": name,
        "language": company.intake.language.value,
        "valid": True,
        "gate_expected": labels.gate_ready,
        "gate": report.gate.ready,
        "planned": planned,
        "deferred": [d.catalogue_id for d in report.deferred],
        "unaligned": [u.catalogue_id for u in report.unaligned],
        # A capability a planned system brings counts too: credited as an answer, it is charged as a misfit.
        "violations": [i for i in labels.must_not_include if i in planned or i in brought_by_systems],
        "statements": statements,
        "address_pairs": address_pairs,
        "link_pairs": link_pairs,
        "objectives": objectives,
    }


def _statement_of_pain(statements: list[str], report: PlanReport) -> dict[str, int]:
    """Pain point id → index of the owner statement it is (each statement is one pain point)."""
    index = {text.strip(): n for n, text in enumerate(statements)}
    return {pain.id: index[pain.text.strip()] for pain in report.pain_points if pain.text.strip() in index}


def format_companies(report: dict[str, Any]) -> str:
    lines = [f"{'company':<46}{'gate':<7}{'answered':<10}planned / violations"]
    for row in report["rows"]:
        if not row["valid"]:
            lines.append(f"{row['company']:<46}INVALID {row['error']}")
            continue
        gate = gate_cell(row)
        answered = f"{sum(s['answered'] for s in row['statements'])}/{len(row['statements'])}"
        lines.append(
            f"{row['company']:<46}{gate:<7}{answered:<10}{','.join(row['planned']) or '-'}"
            f" / {','.join(row['violations']) or '-'}"
        )
    lines.append("")
    lines += [f"{name}: {value}" for name, value in report["summary"].items()]
    lines += [f"engine.{name}: {value}" for name, value in report.get("engine", {}).items()]
    return "\n".join(lines)


def _ratio(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def _digest(directory: Path, companies: dict[str, Company]) -> str:
    digest = hashlib.sha256()
    for name in sorted(companies):
        digest.update((directory / f"{name}.yaml").read_bytes())
    return digest.hexdigest()[:16]
