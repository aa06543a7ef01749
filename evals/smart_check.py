"""Precision and recall of the gate's SMART warnings, placeholders and deadlines on a blind set.

    python evals/smart_check.py [--part tuning|frozen|all] [--report FILE]

``evals/smart/objectives.yaml``: 214 objectives (FR/EN) labelled by a helper who saw no rule of
this project (``FROZEN.sha256``). Every third objective (positions 0, 3, 6...) is the tuning part,
the only one looked at while adjusting ``knowledge/smart.yaml``; the others are the frozen part,
run only to report. A *warning* is "not measurable" or "not time-bound" (or "not specific"):
precision is the share of warnings that are right, recall the share of failing objectives warned.
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from plannum_assistant.evals import display_path
from plannum_assistant.settings import repository_path
from plannum_assistant.smart import assess_smart, deadline, is_placeholder

CRITERIA = ("specific", "measurable", "time_bound")


def in_part(position: int, part: str) -> bool:
    return part == "all" or (position % 3 == 0) == (part == "tuning")


def evaluate(items: list[dict[str, Any]]) -> dict[str, Any]:
    counts = {c: {"tp": 0, "fp": 0, "fn": 0} for c in (*CRITERIA, "placeholder")}
    deadlines = {"right": 0, "labelled": 0, "spurious": 0}
    misses: list[dict[str, Any]] = []
    for item in items:
        text = item["text"]
        placeholder = is_placeholder(text)
        smart = assess_smart(text)
        predicted = {c: not getattr(smart, c) for c in CRITERIA} | {"placeholder": placeholder}
        expected = {c: not item[c] for c in CRITERIA} | {"placeholder": item["placeholder"]}
        if item["placeholder"]:  # a placeholder is warned as such, not for its SMART criteria
            predicted = {c: False for c in CRITERIA} | {"placeholder": placeholder}
            expected = {c: False for c in CRITERIA} | {"placeholder": True}
        for criterion in counts:
            p, e = predicted[criterion], expected[criterion]
            counts[criterion]["tp"] += p and e
            counts[criterion]["fp"] += p and not e
            counts[criterion]["fn"] += e and not p
            if p != e:
                misses.append({"text": text, "criterion": criterion, "warned": p})
        found = deadline(text)  # absolute deadlines only: the labels null relative ones
        labelled = item.get("deadline")
        if isinstance(labelled, date):
            deadlines["labelled"] += 1
            deadlines["right"] += found == labelled
            if found != labelled:
                misses.append({"text": text, "criterion": "deadline", "expected": str(labelled), "found": str(found)})
        elif found is not None:
            deadlines["spurious"] += 1
            misses.append({"text": text, "criterion": "deadline", "expected": None, "found": str(found)})
    figures: dict[str, Any] = {}
    for criterion, c in counts.items():
        warned, failing = c["tp"] + c["fp"], c["tp"] + c["fn"]
        figures[criterion] = {
            "precision": round(c["tp"] / warned, 3) if warned else None,
            "recall": round(c["tp"] / failing, 3) if failing else None,
            "warnings": warned,
            "failing": failing,
        }
    tp = sum(counts[c]["tp"] for c in CRITERIA)
    fp = sum(counts[c]["fp"] for c in CRITERIA)
    fn = sum(counts[c]["fn"] for c in CRITERIA)
    figures["all_smart_warnings"] = {
        "precision": round(tp / (tp + fp), 3) if tp + fp else None,
        "recall": round(tp / (tp + fn), 3) if tp + fn else None,
    }
    figures["deadline"] = {
        "accuracy_on_dated": round(deadlines["right"] / deadlines["labelled"], 3) if deadlines["labelled"] else None,
        **deadlines,
    }
    return {"objectives": len(items), "figures": figures, "misses": misses}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--part", choices=("tuning", "frozen", "all"), default="frozen")
    parser.add_argument("--report", type=Path)
    args = parser.parse_args()
    path = repository_path("evals") / "smart" / "objectives.yaml"
    items = [item for n, item in enumerate(yaml.safe_load(path.read_text(encoding="utf-8"))) if in_part(n, args.part)]
    result = {"set": display_path(path), "part": args.part, **evaluate(items)}
    report = args.report or repository_path("evals") / "reports" / f"smart-{args.part}.json"
    report.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({"part": args.part, "objectives": result["objectives"], **result["figures"]}, indent=1))
    print(f"report: {display_path(report)}")


if __name__ == "__main__":
    main()
