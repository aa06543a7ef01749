"""plannum triage FILE | plannum triage template: the cohort in, the ranked table and summary out."""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path

from .common import build_assistant, progress


def triage(args: argparse.Namespace) -> int:
    from ..triage import load_policy, read_cohort, run_triage
    from ..triage.outputs import template, write_all
    from ..vocabulary import Language
    from .output import write_atomically_bytes

    assistant = build_assistant()
    today = args.today or date.today()
    if args.file == "template":
        data = template(args.format, Language(args.lang), assistant.wording)
        out = args.out or Path(f"applicants-template.{args.format}")
        write_atomically_bytes(out, data)
        print(f"template written: {out}")
        return 0
    policy = load_policy(assistant.settings.knowledge_dir / "triage.yaml", args.weights)
    cohort = read_cohort(Path(args.file), policy)
    for warning in cohort.warnings:
        progress(f"warning: {warning}")
    if not args.quiet:
        assistant.dense_index.vectors(progress)
    started = time.perf_counter()
    bar = None if args.quiet or len(cohort.applicants) < 30 else _bar
    result = run_triage(assistant, cohort, policy, today, progress=bar, workers=args.workers)
    if bar:
        sys.stderr.write("\n")
    folder = args.out or Path("triage-out")
    write_all(result, folder, assistant.wording, today)
    elapsed = time.perf_counter() - started
    rate = len(cohort.applicants) / elapsed if elapsed else 0.0
    print(
        f"{len(result.rows)} applicants ranked, {len(result.errors)} row(s) in error, "
        f"in {elapsed:.1f} s ({rate:.1f}/s) -> {folder}/triage.csv"
    )
    if not result.rows:
        progress(f"error: no valid applicant in {args.file} (see {folder}/errors.csv)")
        return 2
    return 0


def _bar(done: int, total: int) -> None:
    width = 30
    filled = width * done // max(total, 1)
    sys.stderr.write(f"\rtriage [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
    sys.stderr.flush()
