"""Accuracy of pain severity on a blind labelled set of owner statements.

    python evals/severity_check.py [--part tuning|frozen|all] [--report FILE]

``evals/severity/statements.yaml``: 166 statements (FR/EN) labelled low / medium / high by a helper
who saw no rule of this project (``FROZEN.sha256``). Every third statement (positions 0, 3, 6...)
is the tuning part, the only one looked at while adjusting ``knowledge/severity.yaml``; the others
are the frozen part, run only to report. The previous rule (single cue words) is reported beside.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import yaml

from plannum_assistant.evals import display_path
from plannum_assistant.lexicon import prefix_pattern
from plannum_assistant.planning.severity import consequences, load_severity, severity
from plannum_assistant.settings import Settings, repository_path
from plannum_assistant.smart import fold

LEVELS = {"low": 1, "medium": 2, "high": 3}


def old_rule(text: str, cues: dict[str, list[str]]) -> int:
    """The rule before issue 9 (evals/severity/previous_rule.yaml): one cue word decided."""
    folded = fold(text)
    if prefix_pattern(cues["high"]).search(folded):
        return 3
    return 1 if prefix_pattern(cues["low"]).search(folded) else 2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--part", choices=("tuning", "frozen", "all"), default="frozen")
    parser.add_argument("--report", type=Path)
    args = parser.parse_args()
    lexicon = load_severity(Settings().knowledge_dir / "severity.yaml")
    path = repository_path("evals") / "severity" / "statements.yaml"
    items = [
        item
        for n, item in enumerate(yaml.safe_load(path.read_text(encoding="utf-8")))
        if args.part == "all" or (n % 3 == 0) == (args.part == "tuning")
    ]
    previous = yaml.safe_load((path.parent / "previous_rule.yaml").read_text(encoding="utf-8"))
    confusion: dict[str, dict[str, int]] = {e: dict.fromkeys(LEVELS, 0) for e in LEVELS}
    misses: list[dict[str, Any]] = []
    right = old_right = 0
    names = {v: k for k, v in LEVELS.items()}
    for item in items:
        found = consequences(lexicon, item["text"])
        predicted = names[int(severity(found))]
        confusion[item["severity"]][predicted] += 1
        right += predicted == item["severity"]
        old_right += old_rule(item["text"], previous) == LEVELS[item["severity"]]
        if predicted != item["severity"]:
            misses.append(
                {
                    "text": item["text"],
                    "expected": item["severity"],
                    "predicted": predicted,
                    "consequences": [c.value for c in found],
                }
            )
    high = confusion["high"]["high"]
    said_high = sum(confusion[e]["high"] for e in LEVELS)
    figures = {
        "statements": len(items),
        "accuracy": round(right / len(items), 3),
        "previous_rule_accuracy": round(old_right / len(items), 3),
        "high_precision": round(high / said_high, 3) if said_high else None,
        "high_recall": round(high / sum(confusion["high"].values()), 3),
        "confusion_expected_by_predicted": confusion,
    }
    report = args.report or repository_path("evals") / "reports" / f"severity-{args.part}.json"
    result = {"set": display_path(path), "part": args.part, **figures, "misses": misses}
    report.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({"part": args.part, **figures}))
    print(f"report: {display_path(report)}")


if __name__ == "__main__":
    main()
