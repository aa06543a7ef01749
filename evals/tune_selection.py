"""Tune the planner's selection rule on the labelled retrieval evals (run on demand).

    python evals/tune_selection.py                      # grid over dense weights, floors, ratios
    python evals/tune_selection.py --dense-weight       # only the rule as configured

For each labelled pain statement (main and held-out sets) it retrieves the candidates the
planner sees and prints: how often the best hit is acceptable (R@1), the share of statements
that get an answer at all, and precision / recall of the kept set. The chosen values live in
knowledge/planner.yaml; the last line measures the rule exactly as configured there.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from plannum_assistant.assistant import Assistant
from plannum_assistant.evals import EvalItem, load_eval_set
from plannum_assistant.planning import grounding
from plannum_assistant.retrieval import Fusion, Hit
from plannum_assistant.settings import Settings, repository_path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dense-weight", type=float, nargs="*", default=[1.0, 0.7, 0.5, 0.3])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        assistant = Assistant(Settings(data_dir=Path(tmp)))
        items: list[EvalItem] = []
        for name in ("pain_statements.yaml", "pain_statements_heldout.yaml"):
            items += load_eval_set(repository_path("evals") / "retrieval" / name, assistant.catalogue).items
        assistant.dense_index.vectors()
        for weight in args.dense_weight:
            fusion = Fusion(classifier=0.0, dense=weight, bm25=1.0)  # the two-ranking grid this script was made for
            results = assistant.retriever.search_many([i.text for i in items], top_k=5, fusion=fusion)
            _grid(weight, [(set(i.acceptable), hits) for i, hits in zip(items, results, strict=True)])
        _configured_rule(assistant, items)


def _grid(weight: float, rows: list[tuple[set[str], list[Hit]]]) -> None:
    print(f"\ndense_weight {weight}: R@1 {sum(h[0].id in a for a, h in rows) / len(rows):.3f}")
    best = sorted(h[0].score for a, h in rows if h[0].id in a)
    print(
        "  fused score of correct best hits, 2nd/5th/10th percentile:",
        [round(best[int(p * len(best))], 4) for p in (0.02, 0.05, 0.10)],
    )
    for floor_share in (0.0, 0.02, 0.05):
        floor = best[int(floor_share * len(best))] if floor_share else 0.0
        for ratio in (1.01, 0.95, 0.9, 0.85):
            tp = fp = hit = answered = 0
            for acceptable, hits in rows:
                if hits[0].score < floor:
                    continue
                answered += 1
                ids = {hits[0].id} | {h.id for h in hits[1:2] if h.score >= ratio * hits[0].score}
                tp, fp, hit = tp + len(ids & acceptable), fp + len(ids - acceptable), hit + bool(ids & acceptable)
            print(
                f"  floor {floor:.4f} second≥{ratio:.2f}×best: answered {answered / len(rows):.3f} "
                f"precision {tp / max(tp + fp, 1):.3f} recall {hit / len(rows):.3f}"
            )


def _configured_rule(assistant: Assistant, items: list[EvalItem]) -> None:
    """The rule exactly as knowledge/planner.yaml configures it (what the planner really keeps)."""
    ctx = assistant.plan_context
    rules = ctx.config.selection
    results = assistant.retriever.search_many(
        [i.text for i in items],
        top_k=rules.candidates,
        fusion=ctx.fusion,
    )
    tp = fp = hit = answered = 0
    for item, hits in zip(items, results, strict=True):
        kept = {h.id for h in grounding.answer(ctx, hits)}
        acceptable = set(item.acceptable)
        answered += bool(kept)
        tp, fp, hit = tp + len(kept & acceptable), fp + len(kept - acceptable), hit + bool(kept & acceptable)
    print(
        f"\nconfigured rule (knowledge/planner.yaml): answered {answered / len(items):.3f} "
        f"precision {tp / max(tp + fp, 1):.3f} recall {hit / len(items):.3f} "
        f"kept per statement {(tp + fp) / len(items):.2f}"
    )


if __name__ == "__main__":
    main()
