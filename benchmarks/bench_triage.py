"""Triage benchmark: a synthetic cohort of N applicants through `plannum triage`, timed, with peak memory.

    python benchmarks/bench_triage.py [--applicants 1000] [--workers 2] [--profile]

The generator draws each applicant from real owners' words (knowledge/owner_statements.yaml, 1 to 4
pain points), a sector, a size, and a strategic plan that is recent, stale or missing; a few rows
are broken on purpose (no name, employees not a number). Prints applicants per second, the wall
time, the peak RSS of the main process and of the largest worker, and with --profile where one
process's time goes (top functions of a single-worker run on 100 applicants).
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import os
import pstats
import random
import resource
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import yaml

from plannum_assistant.assistant import Assistant
from plannum_assistant.settings import Settings, repository_path
from plannum_assistant.triage import load_policy, read_cohort, run_triage

SECTORS = {
    "fr": ["fabrication de meubles", "clinique dentaire", "entrepreneur en construction", "transport de marchandises",
           "laboratoire d'analyses", "restaurant", "organisme sans but lucratif", "ferme maraîchère",
           "firme d'architectes", "imprimerie", "commerce de détail", "distribution alimentaire"],
    "en": ["furniture manufacturing", "dental clinic", "general contractor", "trucking company", "testing lab",
           "restaurant", "non-profit", "farm", "architecture firm", "print shop", "online retailer",
           "food processor"],
}  # fmt: skip
OBJECTIVES = {
    "fr": ["Augmenter les ventes de {n} % d'ici décembre 2027",
           "Réduire les retards de livraison de {n} % d'ici juin 2027", "Améliorer le service"],
    "en": ["Grow sales by {n}% by December 2027", "Cut late deliveries by {n}% by June 2027", "Improve service"],
}  # fmt: skip


def generate(path: Path, count: int, seed: int = 7) -> None:
    statements = yaml.safe_load(repository_path("knowledge").joinpath("owner_statements.yaml").read_text("utf-8"))
    words = {"fr": [], "en": []}  # type: dict[str, list[str]]
    for item in statements["statements"]:
        words[item["language"]].append(" ".join(item["text"].split())[:900])
    rng = random.Random(seed)
    header = ["applicant_id", "company_name", "sector", "employees", "region", "language", "plan_adopted", "mission",
              "strategic_orientations", "strategic_objectives", "operational_orientations", "operational_objectives",
              "pain_points", "existing_systems", "budget_cad", "horizon_months", "follow_up_owner"]  # fmt: skip
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(header)
        for n in range(count):
            language = rng.choice(("fr", "en"))
            plan = rng.choice(("2025-09", "2026-03", "2022-01", ""))
            objectives = [rng.choice(OBJECTIVES[language]).format(n=rng.choice((10, 15, 25))) for _ in range(2)]
            row = [
                f"S{n:05d}",
                "" if n % 97 == 13 else f"Company {n}",
                rng.choice(SECTORS[language]),
                "many" if n % 89 == 7 else str(rng.choice((4, 12, 35, 60, 140))),
                rng.choice(("Estrie", "Montréal", "Ontario", "Nova Scotia", "Lyon")),
                language,
                plan,
                "Serve our customers well" if plan else "",
                "Grow" if plan else "",
                objectives[0] if plan else "",
                "Be reliable" if plan else "",
                objectives[1] if plan else "",
                "\n".join(rng.sample(words[language], rng.randint(1, 4))),
                rng.choice(("", "Sage 50", "QuickBooks; Excel", "Acumatica")),
                rng.choice(("", "20000", "80000", "250000")),
                "24",
                rng.choice(("", "Ana Roy")),
            ]
            writer.writerow(row)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--applicants", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="plannum-bench-triage-") as tmp:
        folder = Path(tmp)
        source = folder / "cohort.csv"
        generate(source, args.applicants)
        assistant = Assistant(Settings(data_dir=folder / "data"))
        assistant.build_index()
        assistant.dense_index.vectors(lambda _: None)
        policy = load_policy(repository_path("knowledge") / "triage.yaml")
        started = time.perf_counter()
        cohort = read_cohort(source, policy)
        read = time.perf_counter() - started
        result = run_triage(assistant, cohort, policy, date(2026, 11, 26), workers=args.workers)
        from plannum_assistant.triage.outputs import write_all

        planned = time.perf_counter() - started
        write_all(result, folder / "out", assistant.wording, date(2026, 11, 26))
        total = time.perf_counter() - started
        main_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        child_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"{args.applicants} applicants, {args.workers} worker(s): {total:.1f} s "
              f"({args.applicants / total:.1f} applicants/s); reading {read:.1f} s, planning {planned - read:.1f} s, "
              f"writing {total - planned:.1f} s; {len(result.rows)} ranked, {len(result.errors)} errors")  # fmt: skip
        print(f"peak RSS: main process {main_peak:.0f} MB, largest worker {child_peak:.0f} MB")
        if args.profile:
            small = cohort.applicants[:100]
            profiler = cProfile.Profile()
            profiler.enable()
            run_triage(assistant, type(cohort)(small, [], []), policy, date(2026, 11, 26), workers=1)
            profiler.disable()
            pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative").print_stats(25)


if __name__ == "__main__":
    main()
