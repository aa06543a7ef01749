"""Development check: 2-fold cross-validation of the planner over the training companies.

    python evals/dev_check.py [--report FILE]

The entry classifier learns from ``knowledge/owner_statements.yaml``, which holds the statements of
``evals/companies-training/``. To measure the planner on those companies without letting it see
their answers, each fold builds an index (in a temporary folder) whose classifier learns from the
*other* half only (companies with an even number, then an odd one), and plans the held-out half.
The figures are those of ``plannum eval scenarios`` on a labelled company folder. A development
check for choosing settings, never a reported evaluation (that is the blind set's frozen part).
Takes about a minute (two index builds).
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
from pathlib import Path

import yaml

from plannum_assistant.assistant import Assistant
from plannum_assistant.company_evals import evaluate_rows, load_companies, part_number, summarise
from plannum_assistant.evals import display_path
from plannum_assistant.settings import Settings, repository_path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--report", type=Path, default=repository_path("evals") / "reports" / "companies-training-cv.json"
    )
    args = parser.parse_args()
    knowledge = Settings().knowledge_dir
    folder = repository_path("evals") / "companies-training"
    statements = yaml.safe_load((knowledge / "owner_statements.yaml").read_text(encoding="utf-8"))
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for fold in (0, 1):
            copy = Path(tmp) / f"knowledge-{fold}"
            shutil.copytree(knowledge, copy)
            kept = [s for s in statements["statements"] if part_number(s["source"]) % 2 != fold]
            body = yaml.safe_dump({"version": 1, "statements": kept}, allow_unicode=True, sort_keys=False)
            (copy / "owner_statements.yaml").write_text(body, encoding="utf-8")
            assistant = Assistant(Settings(data_dir=Path(tmp) / f"data-{fold}", knowledge_dir=copy))
            print(f"fold {fold + 1}/2: building an index whose classifier learns from {len(kept)} statements…")
            assistant.build_index()
            companies = {
                name: company
                for name, company in load_companies(folder, assistant.catalogue).items()
                if part_number(name) % 2 == fold
            }
            rows += evaluate_rows(companies, assistant.plan, assistant.offline_planner.candidates)
    summary = summarise(rows)
    report = {"eval_set": display_path(folder), "method": "2-fold, by company number parity", "summary": summary}
    args.report.write_text(json.dumps({**report, "rows": rows}, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    for key, value in summary.items():
        print(f"{key}: {value}")
    print(f"report written to {display_path(args.report)}")


if __name__ == "__main__":
    main()
