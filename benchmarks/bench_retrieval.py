"""Retrieval benchmark: index build, warm query latency, cold CLI search, peak memory.

Run on demand (never in the test suite):

    python benchmarks/bench_retrieval.py [--runs 5]

It uses a throw-away data directory, so it never touches your own index.
Figures are printed, and written as JSON with ``--json FILE``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from plannum_assistant.assistant import Assistant
from plannum_assistant.evals import load_eval_set
from plannum_assistant.settings import Settings, repository_path


def _child(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall time (s) and peak RSS (MB) of one child process."""
    start = time.perf_counter()
    process = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"benchmark command failed: {' '.join(args)}")
    return elapsed, usage.ru_maxrss / 1024


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="cold CLI runs (default 5)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="plannum-bench-") as tmp:
        data_dir = Path(tmp)
        env = {**os.environ, "PLANNUM_DATA_DIR": str(data_dir)}
        cli = [sys.executable, "-m", "plannum_assistant"]

        build_cold, build_rss = _child([*cli, "index", "--force"], env)
        cold = [_child([*cli, "search", "nos soumissions prennent trop de temps"], env) for _ in range(args.runs)]

        assistant = Assistant(Settings(data_dir=data_dir))
        started = time.perf_counter()
        assistant.build_index(force=True)
        build_warm = time.perf_counter() - started
        eval_set = load_eval_set(repository_path("evals") / "retrieval" / "pain_statements.yaml", assistant.catalogue)
        queries = [item.text for item in eval_set.items]
        assistant.search(queries[0])  # warm-up: model and index loaded
        latencies = []
        for query in queries:
            started = time.perf_counter()
            assistant.search(query, top_k=5)
            latencies.append((time.perf_counter() - started) * 1000)
        in_process_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    figures = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "catalogue_entries": len(assistant.catalogue),
        "index_build_cold_process_s": round(build_cold, 2),
        "index_build_in_process_s": round(build_warm, 2),
        "index_build_peak_rss_mb": round(build_rss),
        "warm_query_ms_median": round(statistics.median(latencies), 2),
        "warm_query_ms_p95": round(_percentile(latencies, 0.95), 2),
        "warm_queries": len(latencies),
        "cold_search_s_median": round(statistics.median(t for t, _ in cold), 2),
        "cold_search_s_max": round(max(t for t, _ in cold), 2),
        "cold_search_peak_rss_mb": round(max(rss for _, rss in cold)),
        "in_process_peak_rss_mb": round(in_process_rss),
    }
    width = max(len(name) for name in figures)
    for name, value in figures.items():
        print(f"{name:<{width}}  {value}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
