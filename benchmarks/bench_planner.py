"""Planner benchmark: warm planning time per intake, cold `plannum plan` process, peak memory.

    python benchmarks/bench_planner.py [--runs 5]

Plans every company of evals/scenarios (warm, in process) and the French example (cold,
one process per run), in a throw-away data directory.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench_retrieval import _child, _percentile  # same folder: shared timing helpers

from plannum_assistant.assistant import Assistant
from plannum_assistant.evals import load_scenarios
from plannum_assistant.settings import Settings, repository_path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="cold CLI runs (default 5)")
    parser.add_argument("--rounds", type=int, default=5, help="warm passes over the scenarios (default 5)")
    args = parser.parse_args()
    example = str(Path(__file__).resolve().parents[1] / "examples" / "intake-fr.yaml")
    with tempfile.TemporaryDirectory(prefix="plannum-bench-") as tmp:
        env = {**os.environ, "PLANNUM_DATA_DIR": tmp}
        cli = [sys.executable, "-m", "plannum_assistant"]
        _child([*cli, "index"], env)
        cold = [_child([*cli, "plan", "--intake", example, "--today", "2026-11-26"], env) for _ in range(args.runs)]

        assistant = Assistant(Settings(data_dir=Path(tmp)))
        scenarios = load_scenarios(repository_path("evals") / "scenarios", assistant.catalogue)
        first = next(iter(scenarios.values()))
        assistant.plan(first.intake, first.today)  # warm-up: model, index, planner loaded
        timings = []
        for _ in range(args.rounds):
            for scenario in scenarios.values():
                assistant.retriever.clear_cache()  # every plan pays for all its embeddings
                started = time.perf_counter()
                assistant.plan(scenario.intake, scenario.today)
                timings.append((time.perf_counter() - started) * 1000)
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    figures = {
        "warm_plan_ms_median": round(statistics.median(timings), 1),
        "warm_plan_ms_p95": round(_percentile(timings, 0.95), 1),
        "warm_plans": len(timings),
        "cold_plan_s_median": round(statistics.median(t for t, _ in cold), 2),
        "cold_plan_s_max": round(max(t for t, _ in cold), 2),
        "cold_plan_peak_rss_mb": round(max(r for _, r in cold)),
        "in_process_peak_rss_mb": round(rss),
    }
    for name, value in figures.items():
        print(f"{name:<24}{value}")


if __name__ == "__main__":
    main()
